"""The demo shows every engagement state and every finding code this app produces."""

from __future__ import annotations

import pytest

from sourcewise.demo.builder import build_demo
from sourcewise.engagements.models import Engagement, Handover, Milestone, Offboarding, TimeEntry
from sourcewise.findings.engine import evaluate


@pytest.fixture
def demo(db):
    return build_demo(domain="demo.test")


def test_demo_has_engagements_in_every_state_and_work_in_every_status(demo):
    ws = demo.workspace
    assert set(Engagement.objects.filter(workspace=ws).values_list("state", flat=True)) == set(Engagement.State.values)
    assert set(Milestone.objects.filter(workspace=ws).values_list("status", flat=True)) == set(Milestone.Status.values)
    assert set(TimeEntry.objects.filter(workspace=ws).values_list("status", flat=True)) == set(TimeEntry.Status.values)
    ratings = set(Engagement.objects.filter(workspace=ws, state="completed").values_list("trial_rating", flat=True))
    assert {2, 4} <= ratings
    assert Offboarding.objects.get(workspace=ws).status == "in_progress"
    assert Handover.objects.filter(workspace=ws, status="replacement_chosen").exists()


def test_demo_shows_every_engagement_finding(demo):
    findings = evaluate(demo.workspace, today=demo.today).findings
    by_code: dict[str, list[str]] = {}
    for f in findings:
        by_code.setdefault(f.code, []).append(f.subject_label)
    assert by_code["NO_MANAGER"] == ["Sofia Rossi — Blog copywriting (trial)"]
    assert by_code["MANAGER_OVERLOADED"] == ["Sam Patel"]
    assert sorted(by_code["NO_TRIAL"]) == [
        "Amani Otieno — Bookkeeping (full engagement)",
        "Lucía Fernández — Logo & identity design (full engagement)",
    ]
    assert by_code["CHECKPOINT_OVERDUE"] == ["Priya Sharma — Client website builds (full engagement)"]

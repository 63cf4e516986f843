"""The demo shows every engagement state (Lumen Studio) and every finding code this app produces
("Every classic mistake")."""

from __future__ import annotations

import pytest

from sourcewise.engagements.models import Engagement, Handover, Milestone, Offboarding, TimeEntry
from sourcewise.findings.engine import evaluate

SHARED_DEMO = {"domain": "demo.test"}


@pytest.fixture
def demo(shared_demo):
    """The demo, built once for this module (see tests/conftest.py)."""
    return shared_demo


def test_demo_has_engagements_in_every_state_and_work_in_every_status(demo):
    ws = demo.workspace
    assert set(Engagement.objects.filter(workspace=ws).values_list("state", flat=True)) == set(Engagement.State.values)
    assert set(Milestone.objects.filter(workspace=ws).values_list("status", flat=True)) == set(Milestone.Status.values)
    assert set(TimeEntry.objects.filter(workspace=ws).values_list("status", flat=True)) == set(TimeEntry.Status.values)
    ratings = set(Engagement.objects.filter(workspace=ws, state="completed").values_list("trial_rating", flat=True))
    assert ratings == {4, 5}  # Lumen Studio's trials went well; the classic mistakes have a trial rated 2
    classic = demo.classic.workspace
    classic_ratings = Engagement.objects.filter(workspace=classic, state="completed").values_list(
        "trial_rating", flat=True
    )
    assert {2, 4} <= set(classic_ratings)
    assert Offboarding.objects.get(workspace=ws).status == "in_progress"
    assert Handover.objects.filter(workspace=ws, status="replacement_chosen").exists()


ISSUE_4_AND_5_CODES = {
    "NO_MANAGER", "MANAGER_UNTRAINED", "MANAGER_OVERLOADED", "NO_SOP", "SOP_NOT_ACKNOWLEDGED",
    "CHECKPOINT_OVERDUE", "UNHAPPY_FREELANCER", "DOCUMENT_MISSING", "NO_TRIAL", "NO_BACKUP", "LOW_TZ_OVERLAP",
    "NO_SHARED_LANGUAGE", "SKILL_GAP", "UNVETTED_FREELANCER", "WEAK_REFERENCES",
}  # fmt: skip


def test_demo_shows_every_engagement_finding(demo):
    findings = evaluate(demo.classic.workspace, today=demo.today).findings
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
    assert set(by_code) >= ISSUE_4_AND_5_CODES, sorted(ISSUE_4_AND_5_CODES - set(by_code))


# `sourcewise demo` then `health --json` on the classic workspace: tests/demo/test_demo.py checks it shows
# exactly every code of the catalogue (these among them), with one build of the demo for all apps.


def test_demo_wiring_findings_name_the_story(demo):
    findings = evaluate(demo.classic.workspace, today=demo.today).findings
    by_code: dict[str, set[str]] = {}
    for f in findings:
        by_code.setdefault(f.code, set()).add(f.subject_label)
    assert by_code["NO_SOP"] == {"Campaign video editing", "Social media scheduling"}
    assert "Maria Santos — Client support inbox (full engagement)" in by_code["SOP_NOT_ACKNOWLEDGED"]
    assert "Maria Santos — Client support inbox (full engagement)" in by_code["NO_BACKUP"]
    assert "Priya Sharma — Client website builds (full engagement)" not in by_code["NO_BACKUP"]  # Tomasz, Olena
    assert "Amani Otieno — Bookkeeping (full engagement)" in by_code["UNVETTED_FREELANCER"]
    # Every engagement started through the guards had its SOPs acknowledged first.
    olena = Engagement.objects.get(workspace=demo.classic.workspace, freelancer__name="Olena Kovalenko")
    assert olena.state == "active" and "Olena Kovalenko — Logo & identity design (trial)" not in by_code.get(
        "SOP_NOT_ACKNOWLEDGED", set()
    )


def test_notify_on_the_demo_sends_each_email_once(demo):
    from django.core import mail

    from sourcewise.guidance.notifications import send_pending

    first = send_pending(workspaces=[demo.workspace], today=demo.today)
    assert {"sop_to_acknowledge", "milestone_due", "critical_finding"} <= {n.kind for n in first.sent}
    assert "checkpoint_overdue" not in {n.kind for n in first.sent}  # Lumen Studio reviews on time
    classic = send_pending(workspaces=[demo.classic.workspace], today=demo.today)
    assert {"checkpoint_overdue", "critical_finding"} <= {n.kind for n in classic.sent}
    sent = len(mail.outbox)
    both = [demo.workspace, demo.classic.workspace]
    second = send_pending(workspaces=both, today=demo.today)
    assert second.sent == [] and second.skipped == sent and len(mail.outbox) == sent

from __future__ import annotations

import pytest

from sourcewise.demo.builder import build_demo
from sourcewise.findings.engine import evaluate
from sourcewise.jobs.models import Job
from sourcewise.talent.models import Freelancer, Interview, PortfolioItem, Reference, TrialTask


@pytest.fixture
def demo(db):
    return build_demo(domain="talent.test")


def test_demo_has_every_vetting_stage_and_every_talent_finding(demo):
    freelancers = Freelancer.objects.filter(workspace=demo.workspace)
    assert set(freelancers.values_list("status", flat=True)) == set(Freelancer.Status.values)
    main = {(f.code, f.subject_label) for f in evaluate(demo.workspace).findings if f.guardrail in ("G3", "G7")}
    assert main == {("LOW_TZ_OVERLAP", "James Walker"), ("WEAK_REFERENCES", "Arjun Thapa")}
    classic = Freelancer.objects.filter(workspace=demo.classic.workspace)
    assert set(classic.values_list("status", flat=True)) == set(Freelancer.Status.values)
    codes = {f.code for f in evaluate(demo.classic.workspace).findings}
    assert {"LOW_TZ_OVERLAP", "NO_SHARED_LANGUAGE", "SKILL_GAP", "UNVETTED_FREELANCER", "WEAK_REFERENCES"} <= codes
    for model in (PortfolioItem, Reference, Interview, TrialTask, Job):
        assert model.objects.filter(workspace=demo.workspace).exists()

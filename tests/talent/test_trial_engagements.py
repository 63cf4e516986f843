"""Vetting's trial step reads completed trial engagements (G6/G7); UNVETTED_FREELANCER on engagements."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from sourcewise.engagements.models import Engagement
from sourcewise.findings.engine import evaluate
from sourcewise.talent import services
from sourcewise.talent.models import Freelancer
from sourcewise.talent.selectors import with_vetting
from sourcewise.talent.vetting import vetting_state
from tests.conftest import client_for
from tests.engagements.factories import START, EngagementFactory
from tests.talent.helpers import freelancer, vet

pytestmark = pytest.mark.django_db


def _trial(f, rating, days_ago=10, state="completed"):
    return EngagementFactory(
        workspace=f.workspace, freelancer=f, state=state, trial_rating=rating if state == "completed" else None,
        ended_at=timezone.now() - datetime.timedelta(days=days_ago) if state == "completed" else None,
    )  # fmt: skip


def _trial_step(f):
    loaded = with_vetting(Freelancer.objects.filter(pk=f.pk)).get()
    return next(s for s in vetting_state(loaded).steps if s.key == "trial")


@pytest.mark.parametrize("rating, done", [(2, False), (3, True)])
def test_a_completed_trial_engagement_rated_at_least_the_minimum_is_the_evidence(owner, rating, done):
    f = vet(freelancer(owner.workspace, status="vetting"), trial=None)
    assert not _trial_step(f).done
    _trial(f, rating)
    step = _trial_step(f)
    assert step.done is done and step.engagement_id is not None
    assert f"was rated {rating}/5" in step.detail
    if done:
        services.change_status(freelancer=f, actor=owner.user, status="approved")
        assert Freelancer.objects.get(pk=f.pk).status == "approved"


def test_an_active_trial_is_not_evidence_and_a_good_trial_counts_after_a_poor_one(owner):
    f = vet(freelancer(owner.workspace, status="vetting"), trial=None)
    _trial(f, None, state="active")
    assert _trial_step(f).engagement_id is None and not _trial_step(f).done
    _trial(f, 4, days_ago=20)
    poor_later = _trial(f, 2, days_ago=5)
    step = _trial_step(f)
    assert step.done and step.engagement_id != poor_later.pk  # a good trial stays the evidence


def test_a_later_poor_trial_engagement_outweighs_an_earlier_trial_task(owner):
    f = vet(freelancer(owner.workspace, status="vetting"), trial=4)  # a recorded trial task, 4/5
    assert _trial_step(f).done and _trial_step(f).engagement_id is None
    poor = _trial(f, 2, days_ago=0)
    step = _trial_step(f)
    assert not step.done and step.engagement_id == poor.pk


def test_the_vetting_page_links_the_trial_engagement(owner):
    f = vet(freelancer(owner.workspace, status="vetting"), trial=None)
    e = _trial(f, 4)
    page = client_for(owner).get(f"/talent/freelancers/{f.pk}/").content.decode()
    assert f'href="/engagements/{e.pk}/"' in page and "See the trial engagement" in page


def test_the_vetting_board_reads_trial_engagements_in_a_fixed_number_of_queries(owner, django_assert_max_num_queries):
    for _ in range(5):
        f = vet(freelancer(owner.workspace, status="vetting"), trial=None)
        _trial(f, 4)
    with django_assert_max_num_queries(7):
        states = [vetting_state(f) for f in with_vetting(Freelancer.objects.filter(workspace=owner.workspace))]
    assert len(states) == 5 and all(s.complete for s in states)


# ── UNVETTED_FREELANCER on engagements ───────────────────────────────────────


def _unvetted(workspace):
    found = evaluate(workspace, today=START).findings
    return [
        (f.subject_id, str(f.severity))
        for f in found
        if f.code == "UNVETTED_FREELANCER" and f.subject_type == "engagement"
    ]


@pytest.mark.parametrize(
    "status, kind, flagged",
    [
        ("approved", "full", False),
        ("active", "full", False),
        ("vetting", "full", True),
        ("prospect", "full", True),
        ("inactive", "full", True),
        ("vetting", "trial", False),  # a trial is part of vetting
        ("prospect", "trial", False),
        ("rejected", "trial", True),
        ("left", "trial", True),
    ],
)
def test_unvetted_freelancer_on_an_open_engagement(workspace, manager, status, kind, flagged):
    e = EngagementFactory(workspace=workspace, manager=manager, freelancer__status=status, kind=kind, state="active")
    EngagementFactory(workspace=workspace, manager=manager, freelancer=e.freelancer, kind=kind, state="terminated")
    assert _unvetted(workspace) == ([(e.pk, "critical")] if flagged else [])


def test_drafts_are_flagged_as_a_warning_nobody_works_unvetted_yet(workspace, manager):
    e = EngagementFactory(workspace=workspace, manager=manager, freelancer__status="vetting", kind="full")
    assert Engagement.objects.get(pk=e.pk).state == "draft" and _unvetted(workspace) == [(e.pk, "warning")]
    Engagement.objects.filter(pk=e.pk).update(state="active")
    assert _unvetted(workspace) == [(e.pk, "critical")]

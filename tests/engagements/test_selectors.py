"""Scorecard, approved hours, fees, replacement ranking and the checkpoint cadence."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.engagements.matching_queries import rank_candidates, replacement_candidates
from sourcewise.engagements.offboarding_flow import start_offboarding
from sourcewise.engagements.selectors import (
    approved_hours,
    checkpoint_cadence_days,
    checkpoint_due_on,
    hourly_fees,
    scorecard_for,
)
from sourcewise.talent.models import Freelancer, FreelancerLanguage
from tests.engagements.factories import START, EngagementFactory, ReviewFactory, TimeEntryFactory
from tests.talent.factories import FreelancerFactory, FreelancerSkillFactory, SkillFactory
from tests.tasks.factories import TaskSkillFactory


def test_scorecard_averages_counts_and_last_date_in_one_query(workspace):
    a, b, c = (FreelancerFactory(workspace=workspace) for _ in range(3))
    ea1 = EngagementFactory(workspace=workspace, freelancer=a, state="active")
    ea2 = EngagementFactory(workspace=workspace, freelancer=a, kind="full", state="active")
    ReviewFactory(engagement=ea1, date=START, quality=5, timeliness=4, communication=3)
    ReviewFactory(engagement=ea2, date=START + datetime.timedelta(days=9), quality=4, timeliness=4, communication=4)
    ReviewFactory(engagement=ea2, date=START + datetime.timedelta(days=3), quality=4, timeliness=3, communication=2)
    ReviewFactory(engagement__workspace=workspace, engagement__freelancer=b, quality=1, timeliness=2, communication=2)
    with CaptureQueriesContext(connection) as queries:
        cards = scorecard_for([a, b, c])
    assert len(queries) == 1
    assert set(cards) == {a.pk, b.pk}  # c has no reviews
    card = cards[a.pk]
    assert (card.reviews, card.quality, card.timeliness, card.communication) == (
        3, Decimal("4.33"), Decimal("3.67"), Decimal("3.00"),
    )  # fmt: skip
    assert card.last_review == START + datetime.timedelta(days=9)
    assert card.overall == Decimal("3.67")
    assert scorecard_for([b.pk])[b.pk].overall == Decimal("1.67")


def test_only_approved_hours_count_between_the_dates(workspace):
    e = EngagementFactory(workspace=workspace, state="active")
    day = datetime.timedelta(days=1)
    TimeEntryFactory(engagement=e, date=START, hours=Decimal("1.25"), status="approved")
    TimeEntryFactory(engagement=e, date=START + day, hours=Decimal("2.50"), status="approved")
    TimeEntryFactory(engagement=e, date=START + 2 * day, hours=Decimal("7"), status="approved")
    TimeEntryFactory(engagement=e, date=START + day, hours=Decimal("3"), status="submitted")
    TimeEntryFactory(engagement=e, date=START + day, hours=Decimal("4"), status="returned")
    TimeEntryFactory(engagement__workspace=workspace, date=START, hours=Decimal("9"), status="approved")  # another
    assert approved_hours(e) == Decimal("10.75")
    assert approved_hours(e, START, START + day) == Decimal("3.75")
    assert approved_hours(e, start=START + day) == Decimal("9.50")
    assert approved_hours(e, end=START) == Decimal("1.25")
    assert approved_hours(e, START + 5 * day, START + 6 * day) == Decimal("0.00")


def test_hourly_fees_are_exact(workspace):
    e = EngagementFactory(workspace=workspace, state="active", rate=Decimal("33.33"), currency="EUR")
    for _ in range(3):
        TimeEntryFactory(engagement=e, hours=Decimal("0.10"), status="approved")
    TimeEntryFactory(engagement=e, hours=Decimal("5"), status="submitted")
    fees = hourly_fees(e)
    assert (fees.amount, fees.currency) == (Decimal("9.9990"), "EUR")  # 0.30 h × 33.33, not rounded
    assert str(fees) == "10.00 EUR"


def test_fixed_price_has_no_hourly_fees(workspace):
    with pytest.raises(ValueError, match="fixed-price"):
        hourly_fees(EngagementFactory(workspace=workspace, billing="fixed", budget_cap=Decimal("100")))


def test_checkpoint_cadence_is_the_tasks_or_else_the_workspace_setting(workspace):
    workspace.checkpoint_max_days = 21
    workspace.save()
    own = EngagementFactory(workspace=workspace, task__checkpoint_every_days=5)
    assert checkpoint_cadence_days(own) == 5
    assert checkpoint_due_on(own, None) == START + datetime.timedelta(days=5)
    assert checkpoint_due_on(own, START + datetime.timedelta(days=4)) == START + datetime.timedelta(days=9)
    none = EngagementFactory(workspace=workspace, task__checkpoint_every_days=None)
    assert checkpoint_cadence_days(none) == 21
    assert checkpoint_due_on(none, None) == START + datetime.timedelta(days=21)


def test_replacements_are_ranked_by_the_match_score_with_failures_shown(workspace):
    video, copy = SkillFactory(workspace=workspace, name="Video"), SkillFactory(workspace=workspace, name="Copy")
    e = EngagementFactory(workspace=workspace, state="active")
    TaskSkillFactory(task=e.task, skill=video, level=3)
    TaskSkillFactory(task=e.task, skill=copy, level=2)
    FreelancerSkillFactory(freelancer=e.freelancer, skill=video, level=5)  # the one leaving

    def person(name, status="approved", **levels):
        f = FreelancerFactory(workspace=workspace, name=name, status=status, timezone="Europe/London", country="GB")
        FreelancerLanguage.objects.create(workspace=workspace, freelancer=f, language="en", level="C2")
        for skill, level in levels.items():
            FreelancerSkillFactory(freelancer=f, skill={"video": video, "copy": copy}[skill], level=level)
        return f

    person("Strong", video=5, copy=4)
    person("Exact", video=3, copy=2)
    person("Gap", video=5, copy=1)
    person("Unvetted", status="prospect", video=5, copy=5)
    person("Rejected", status="rejected", video=5, copy=5)
    leaving = person("Leaving too", video=5, copy=5)
    start_offboarding(freelancer=leaving, actor=None)
    today = START
    candidates = replacement_candidates(e, today=today, limit=10)
    # The same order and scores as the talent app's ranking of the task, without the leaving ones.
    ranking = rank_candidates(e.task, today=today, limit=10)
    expected = [c for c in [*ranking.eligible, *ranking.failing] if c.name not in {e.freelancer.name, "Leaving too"}]
    assert [(c.name, c.score, c.failures) for c in candidates] == [(c.name, c.score, c.failures) for c in expected]
    names = [c.name for c in candidates]
    assert names[:2] == ["Strong", "Exact"] and not candidates[0].failures
    assert candidates[0].score > candidates[1].score
    assert set(names[2:]) == {"Gap", "Unvetted"}  # shown with their hard failures, after the eligible
    assert all(c.failures for c in candidates[2:])
    assert "Rejected" not in names and "Leaving too" not in names and e.freelancer.name not in names
    assert len(replacement_candidates(e, today=today, limit=1)) == 1
    # Leaving people out row by row (`excluding`) ranks as narrowing to everyone else does.
    others = Freelancer.objects.filter(workspace=workspace, offboarding__isnull=True).exclude(pk=e.freelancer_id)
    narrowed = rank_candidates(e.task, today=today, limit=10, freelancers=others)
    assert [(c.name, c.score, c.failures) for c in candidates] == [
        (c.name, c.score, c.failures) for c in [*narrowed.eligible, *narrowed.failing]
    ][:10]

"""A freelancer cannot log more than 24 hours on one day, across all their engagements."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from sourcewise.engagements import timesheets
from sourcewise.engagements.models import TimeEntry
from sourcewise.talent.models import Freelancer
from tests.engagements.factories import START, EngagementFactory

D = Decimal


@pytest.fixture
def me(freelancer_member):
    return Freelancer.objects.get(user=freelancer_member.user)


@pytest.fixture
def first(workspace, manager, me):
    # A full engagement: a trial would stop these at its 20-hour cap before the day's 24 hours.
    return EngagementFactory(workspace=workspace, manager=manager, freelancer=me, state="active", kind="full")


@pytest.fixture
def second(workspace, manager, me):
    return EngagementFactory(workspace=workspace, manager=manager, freelancer=me, state="active")


def log(engagement, membership, hours, date=START):
    return timesheets.log_time(engagement=engagement, membership=membership, date=date, hours=D(hours))


def test_two_entries_of_fifteen_hours_on_one_engagement_are_refused(first, freelancer_member):
    log(first, freelancer_member, "15")

    with pytest.raises(ValidationError, match=r"15 hours are logged for 02 March 2026 already.*at most 9 more"):
        log(first, freelancer_member, "15")

    assert list(TimeEntry.objects.values_list("hours", flat=True)) == [D("15")]


def test_the_day_counts_across_all_engagements_of_the_freelancer(first, second, freelancer_member):
    log(first, freelancer_member, "20")

    with pytest.raises(ValidationError, match="at most 4 more"):
        log(second, freelancer_member, "4.5")
    log(second, freelancer_member, "4")

    assert sum(TimeEntry.objects.values_list("hours", flat=True)) == D("24")


def test_other_days_and_sent_back_hours_do_not_count(first, freelancer_member, manager):
    returned = log(first, freelancer_member, "24")
    timesheets.review_time(entry=returned, membership=manager, approve=False, note="Wrong day")
    log(first, freelancer_member, "24")
    log(first, freelancer_member, "24", date=START + datetime.timedelta(days=1))

    assert TimeEntry.objects.count() == 3


def test_exactly_twenty_four_hours_in_pieces_is_fine(first, freelancer_member):
    for _ in range(4):
        log(first, freelancer_member, "6")
    with pytest.raises(ValidationError, match="at most 0 more"):
        log(first, freelancer_member, "0.01")

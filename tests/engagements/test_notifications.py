"""Engagement emails: milestones due within 3 days, overdue checkpoints — each sent once."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from sourcewise.engagements.models import Milestone
from sourcewise.guidance.models import Notification
from sourcewise.guidance.notifications import send_pending
from tests.engagements.factories import START, EngagementFactory, MilestoneFactory, ReviewFactory
from tests.talent.factories import FreelancerFactory
from tests.workspaces.factories import MembershipFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def notify(today, kind):
    out = StringIO()
    call_command("notify", "--kind", kind, "--today", today.isoformat(), stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def engaged(workspace, manager, freelancer_member):
    freelancer = FreelancerFactory(workspace=workspace, user=freelancer_member.user, status="approved")
    return EngagementFactory(
        workspace=workspace, manager=manager, freelancer=freelancer, state="active", start_date=START,
        task__checkpoint_every_days=7,
    )  # fmt: skip


def _to(messages):
    return sorted(m.to[0] for m in messages)


def test_a_milestone_due_within_3_days_emails_the_freelancer_and_the_manager_once(engaged, manager):
    due = START + datetime.timedelta(days=10)
    milestone = MilestoneFactory(engagement=engaged, due_date=due, title="Launch page")
    assert "Sent 0 email(s)" in notify(due - 4 * DAY, "milestone_due")  # 4 days ahead: not yet
    assert "Sent 2 email(s)" in notify(due - 3 * DAY, "milestone_due")
    assert _to(mail.outbox) == sorted([engaged.freelancer.user.email, manager.user.email])
    assert mail.outbox[0].subject == f"Due in 3 days: Launch page ({engaged.task})"
    assert f"/engagements/{engaged.pk}/" in mail.outbox[0].body
    # Run again (same day, next day, due day): never the same email twice.
    assert "Sent 0 email(s); 2 already sent before" in notify(due - 3 * DAY, "milestone_due")
    notify(due - 2 * DAY, "milestone_due")
    notify(due, "milestone_due")
    assert len(mail.outbox) == 2
    # A moved due date is a new reminder.
    Milestone.objects.filter(pk=milestone.pk).update(due_date=due + 5 * DAY)
    notify(due + 2 * DAY, "milestone_due")
    assert len(mail.outbox) == 4


def test_no_reminder_for_delivered_or_past_milestones_or_inactive_engagements(workspace, engaged, manager):
    today = START
    MilestoneFactory(engagement=engaged, due_date=today + DAY, status="submitted")
    MilestoneFactory(engagement=engaged, due_date=today - DAY)  # already late
    draft = EngagementFactory(workspace=workspace, manager=manager)
    MilestoneFactory(engagement=draft, due_date=today + DAY)
    assert "Sent 0 email(s)" in notify(today, "milestone_due")
    returned = MilestoneFactory(engagement=engaged, due_date=today + DAY, status="returned", return_note="Fix it")
    notify(today, "milestone_due")
    assert len(mail.outbox) == 2 and returned.title in mail.outbox[0].subject and "tomorrow" in mail.outbox[0].subject


def test_an_overdue_checkpoint_emails_the_manager_once_per_due_date(engaged, manager):
    due = START + datetime.timedelta(days=7)
    assert "Sent 0 email(s)" in notify(due, "checkpoint_overdue")  # day 7: on time
    assert "Sent 1 email(s)" in notify(due + DAY, "checkpoint_overdue")
    assert _to(mail.outbox) == [manager.user.email]
    assert "was due on 09 Mar 2026 (every 7 days)" in mail.outbox[0].body
    assert "Sent 0 email(s); 1 already sent before" in notify(due + DAY, "checkpoint_overdue")
    notify(due + 5 * DAY, "checkpoint_overdue")
    assert len(mail.outbox) == 1
    ReviewFactory(engagement=engaged, date=due + 5 * DAY)  # reviewed: the next due date is 7 days on
    notify(due + 12 * DAY, "checkpoint_overdue")
    assert len(mail.outbox) == 1
    notify(due + 13 * DAY, "checkpoint_overdue")
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(kind="checkpoint_overdue").count() == 2


def test_without_a_manager_the_owners_hear_of_an_overdue_checkpoint(workspace, owner):
    MembershipFactory(workspace=workspace, role="owner")
    EngagementFactory(workspace=workspace, manager=None, state="active", start_date=START)
    report = send_pending(workspaces=[workspace], kinds=["checkpoint_overdue"], today=START + 30 * DAY)
    assert len(report.sent) == 2 and owner.user.email in _to(mail.outbox)


def test_sources_take_a_fixed_number_of_queries(workspace, manager, django_assert_max_num_queries):
    from sourcewise.engagements.notifications import checkpoints_overdue, milestones_due

    for _ in range(6):
        e = EngagementFactory(workspace=workspace, manager=manager, state="active", start_date=START)
        MilestoneFactory(engagement=e, due_date=START + 30 * DAY)
    today = START + 29 * DAY
    with django_assert_max_num_queries(1):
        assert len(list(milestones_due(workspace, today))) == 6  # the manager (no freelancer login)
    with django_assert_max_num_queries(3):
        assert len(list(checkpoints_overdue(workspace, today))) == 6

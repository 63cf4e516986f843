"""The weekly health email to owners, sent by `sourcewise notify` (once per ISO week)."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from sourcewise.findings.codes import Severity
from sourcewise.findings.models import HealthSnapshot
from sourcewise.findings.refresh import refresh_full
from sourcewise.findings.registry import Finding
from sourcewise.guidance.models import Notification
from sourcewise.guidance.notifications import send_pending
from sourcewise.tasks.models import Task
from tests.tasks.factories import TaskFactory
from tests.workspaces.factories import MembershipFactory, WorkspaceFactory

MONDAY = datetime.date(2026, 11, 16)  # ISO week 47
KIND = ["weekly_health"]


def at(day: datetime.date, hour: int = 12) -> time_machine.travel:
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC), tick=False)


def days_before(day: datetime.date, n: int) -> datetime.date:
    return day - datetime.timedelta(days=n)


@pytest.fixture
def scripted(temporary_check):
    current: dict[int, Severity] = {}

    def produce(ctx):
        for n, severity in sorted(current.items()):
            # Subject ids far from the real task's, so no real finding shares a fingerprint.
            yield Finding("NO_SOP", severity, "task", 9000 + n, f"Job {n} has no SOP.", "Write it.", f"Job {n}")

    temporary_check(["NO_SOP"], produce)
    return current


@pytest.fixture
def a_week_of_work(workspace, owner, scripted):
    """Nine days ago: two findings. Three days ago: the critical one fixed, a new critical appeared."""
    TaskFactory(workspace=workspace, sourcing=Task.Sourcing.OUTSOURCE)  # scored: there is outsourced work
    scripted.update({1: Severity.WARNING, 2: Severity.CRITICAL})
    with at(days_before(MONDAY, 9)):
        refresh_full(workspace, today=days_before(MONDAY, 9))
    del scripted[2]
    scripted[3] = Severity.CRITICAL
    with at(days_before(MONDAY, 3)):
        refresh_full(workspace, today=days_before(MONDAY, 3))
    return workspace


def weekly(workspace, day):
    with at(day):
        return send_pending(workspaces=[workspace], kinds=KIND, today=day)


def test_owners_get_the_score_change_the_new_criticals_and_what_was_resolved(a_week_of_work, owner, manager):
    second_owner = MembershipFactory(workspace=a_week_of_work, role="owner")
    report = weekly(a_week_of_work, MONDAY)
    assert len(report.sent) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner.user.email, second_owner.user.email])
    before = HealthSnapshot.objects.get(workspace=a_week_of_work, day=days_before(MONDAY, 9)).score
    now = HealthSnapshot.objects.get(workspace=a_week_of_work, day=MONDAY).score
    assert before is not None and now is not None
    change = f"{now - before:+d}" if now != before else "unchanged"
    message = mail.outbox[0]
    assert message.subject == f"{a_week_of_work.name}: your week — score {now} ({change})"
    assert f"Score: {before} → {now} ({change}) since" in message.body
    assert "New criticals this week: 1\n  - Outsourced task without an SOP — Job 3\n" in message.body
    assert "Resolved this week: 1\n" in message.body and "Job 2" in message.body.split("Resolved this week")[1]
    assert "/dashboard/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "<h3>New criticals this week: 1</h3>" in html and "Job 2" in html


def test_a_second_run_in_the_same_iso_week_sends_nothing_and_the_next_week_sends_again(a_week_of_work, owner):
    assert len(weekly(a_week_of_work, MONDAY).sent) == 1
    sunday = MONDAY + datetime.timedelta(days=6)
    again = weekly(a_week_of_work, sunday)
    assert again.sent == [] and again.skipped == 1 and len(mail.outbox) == 1
    assert Notification.objects.filter(kind="weekly_health", recipient=owner.user).count() == 1
    next_monday = MONDAY + datetime.timedelta(days=7)
    assert len(weekly(a_week_of_work, next_monday).sent) == 1
    assert len(mail.outbox) == 2


def test_the_second_run_does_not_refresh_or_count_again(a_week_of_work, owner, django_assert_max_num_queries):
    weekly(a_week_of_work, MONDAY)
    with django_assert_max_num_queries(3):
        weekly(a_week_of_work, MONDAY)


def test_managers_and_freelancers_get_nothing(a_week_of_work, manager, freelancer_member):
    weekly(a_week_of_work, MONDAY)
    recipients = {m.to[0] for m in mail.outbox}
    assert manager.user.email not in recipients and freelancer_member.user.email not in recipients


def test_no_email_before_the_workspace_has_a_week_behind_it(workspace, owner, scripted):
    scripted[1] = Severity.CRITICAL
    TaskFactory(workspace=workspace, sourcing=Task.Sourcing.OUTSOURCE)
    with at(days_before(MONDAY, 6)):
        refresh_full(workspace, today=days_before(MONDAY, 6))
    assert weekly(workspace, MONDAY).sent == []


def test_an_unscored_workspace_with_nothing_moving_gets_nothing(workspace, owner):
    HealthSnapshot.objects.create(workspace=workspace, day=days_before(MONDAY, 8), score=None)
    assert weekly(workspace, MONDAY).sent == []


def test_an_owner_of_two_workspaces_gets_one_email_for_each(a_week_of_work, owner):
    other = WorkspaceFactory()
    MembershipFactory(workspace=other, role="owner", user=owner.user)
    HealthSnapshot.objects.create(workspace=other, day=days_before(MONDAY, 8), score=90)
    TaskFactory(workspace=other, sourcing=Task.Sourcing.OUTSOURCE)
    with at(MONDAY):
        report = send_pending(workspaces=[a_week_of_work, other], kinds=KIND, today=MONDAY)
    assert len(report.sent) == 2
    assert {m.subject.split(":")[0] for m in mail.outbox} == {a_week_of_work.name, other.name}


def test_sent_by_the_notify_command(a_week_of_work, owner):
    out = StringIO()
    with at(MONDAY):
        call_command("notify", "--kind", "weekly_health", "--today", MONDAY.isoformat(), stdout=out)
        call_command("notify", "--kind", "weekly_health", "--today", MONDAY.isoformat(), stdout=out)
    assert out.getvalue().splitlines()[0].startswith("Sent 1 email(s)")
    assert out.getvalue().splitlines()[1] == "Sent 0 email(s); 1 already sent before."
    assert len(mail.outbox) == 1


def test_an_owner_added_mid_week_gets_it_and_the_others_not_again(a_week_of_work, owner):
    weekly(a_week_of_work, MONDAY)
    newcomer = MembershipFactory(workspace=a_week_of_work, role="owner")
    report = weekly(a_week_of_work, MONDAY + datetime.timedelta(days=2))
    assert [n.recipient_id for n in report.sent] == [newcomer.user_id] and report.skipped == 1
    assert [m.to[0] for m in mail.outbox] == [owner.user.email, newcomer.user.email]

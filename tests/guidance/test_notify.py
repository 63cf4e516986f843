from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.core.management.base import CommandError

from sourcewise.findings import registry
from sourcewise.findings.codes import Severity
from sourcewise.guidance import notifications, services
from sourcewise.guidance.models import Notification
from tests.guidance.conftest import freelancer_with_login, make_sop
from tests.talent.factories import FreelancerSkillFactory


def notify(*args):
    out, err = StringIO(), StringIO()
    call_command("notify", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


@pytest.fixture
def three_to_ask(owner, skill):
    """One SOP on a skill that three freelancers with a portal login (and one without) have."""
    people = [freelancer_with_login(owner.workspace, name=f"Person {i}") for i in range(3)]
    for person in people:
        FreelancerSkillFactory(freelancer=person, skill=skill)
    FreelancerSkillFactory(freelancer__workspace=owner.workspace, skill=skill)  # no login: no email
    sop = make_sop(owner.workspace, owner.user, skills=[skill])
    return sop, people


def test_each_freelancer_is_asked_once_and_again_for_a_new_version(owner, three_to_ask):
    sop, people = three_to_ask
    assert "Sent 3 email(s)" in notify("--kind", "sop_to_acknowledge")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.user.email for p in people)
    assert "/portal/sops/" in mail.outbox[0].body and "Support playbook" in mail.outbox[0].subject
    assert "Sent 0 email(s); 3 already sent before" in notify("--kind", "sop_to_acknowledge")
    assert len(mail.outbox) == 3
    services.acknowledge_sop(sop=sop, freelancer=people[0], actor=None)
    services.add_sop_version(sop=sop, actor=owner.user, body="Changed", change_note="Changed")
    services.acknowledge_sop(sop=sop, freelancer=people[1], actor=None)  # already read the new one
    notify("--kind", "sop_to_acknowledge")
    assert sorted(m.to[0] for m in mail.outbox[3:]) == sorted([people[0].user.email, people[2].user.email])
    assert "(a new version)" in mail.outbox[3].subject


class FailingOnSecond(EmailBackend):
    calls = 0

    def send_messages(self, messages):
        FailingOnSecond.calls += 1
        if FailingOnSecond.calls == 2:
            raise ConnectionRefusedError("mail server down")
        return super().send_messages(messages)


def test_a_refused_send_is_retried_on_the_next_run_and_nothing_is_sent_twice(three_to_ask, settings):
    settings.EMAIL_BACKEND = "tests.guidance.test_notify.FailingOnSecond"
    FailingOnSecond.calls = 0
    with pytest.raises(CommandError, match="could not be sent"):
        notify("--kind", "sop_to_acknowledge")
    assert len(mail.outbox) == 2 and Notification.objects.filter(sent_at__isnull=False).count() == 2
    notify("--kind", "sop_to_acknowledge")
    notify("--kind", "sop_to_acknowledge")
    assert len(mail.outbox) == 3 and len({m.to[0] for m in mail.outbox}) == 3


def test_a_run_killed_mid_way_never_sends_an_email_twice(three_to_ask, monkeypatch):
    real_mark = notifications._mark_sent
    calls = {"n": 0}

    def crash_after_the_second_send(notification):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("killed")  # the process dies after sending, before recording it
        real_mark(notification)

    monkeypatch.setattr(notifications, "_mark_sent", crash_after_the_second_send)
    with pytest.raises(SystemExit):
        notify("--kind", "sop_to_acknowledge")
    assert len(mail.outbox) == 2
    monkeypatch.setattr(notifications, "_mark_sent", real_mark)
    output = notify("--kind", "sop_to_acknowledge")
    assert len(mail.outbox) == 3 and len({m.to[0] for m in mail.outbox}) == 3  # each person exactly once
    assert "1 email(s) were claimed by an earlier run" in output
    notify("--kind", "sop_to_acknowledge", "--retry-unconfirmed")  # the operator checked: resend it
    assert len(mail.outbox) == 4
    notify("--kind", "sop_to_acknowledge", "--retry-unconfirmed")
    assert len(mail.outbox) == 4 and not Notification.objects.filter(sent_at__isnull=True).exists()


@pytest.fixture
def critical_check(workspace):
    def produce(ctx):
        if ctx.workspace == workspace:
            yield registry.Finding("NO_MANAGER", Severity.CRITICAL, "engagement", 7, "No manager", "Assign one", "Web")
            yield registry.Finding("NO_SOP", Severity.WARNING, "task", 1, "No SOP", "Write one", "Books")

    decorated = registry.check("NO_MANAGER", "NO_SOP")(produce)
    yield decorated
    registry.unregister(f"{decorated.__module__}.{decorated.__qualname__}")


def test_a_new_critical_finding_is_sent_to_each_owner_once(owner, manager, critical_check):
    from tests.workspaces.factories import MembershipFactory

    second_owner = MembershipFactory(workspace=owner.workspace, role="owner")
    notify("--kind", "critical_finding")
    notify("--kind", "critical_finding")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner.user.email, second_owner.user.email])
    assert "Critical: Engagement without a manager" in mail.outbox[0].subject
    assert Notification.objects.filter(key="NO_MANAGER:engagement:7").count() == 2


def test_other_apps_register_their_own_kinds(owner):
    @notifications.notification_source("test_milestone_due")
    def due(workspace, today):
        if workspace == owner.workspace:
            yield notifications.Message(owner.user, "milestone:1", "Milestone due in 3 days", "Logo v1")

    try:
        notify("--kind", "test_milestone_due")
        notify("--kind", "test_milestone_due")
    finally:
        notifications._SOURCES.pop("test_milestone_due")
    assert [m.subject for m in mail.outbox] == ["Milestone due in 3 days"]


def test_unknown_kind_or_workspace_is_a_clear_error(workspace):
    with pytest.raises(CommandError, match="Unknown kind"):
        notify("--kind", "nope")
    with pytest.raises(CommandError, match="No workspace"):
        notify("--workspace", "999999")

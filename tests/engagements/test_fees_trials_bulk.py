"""Issue 11: fees posted with the work, trials kept small after the start, hours approved in bulk."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.audit.models import AuditEvent
from sourcewise.core.access import MANAGER
from sourcewise.costs import fee_posting
from sourcewise.costs.models import CostEntry
from sourcewise.engagements import lifecycle, milestones, timesheets
from sourcewise.engagements.models import Engagement, Milestone, TimeEntry
from sourcewise.findings.engine import evaluate
from sourcewise.talent.models import Freelancer
from tests.costs.helpers import assert_summary_matches_entries
from tests.engagements.factories import START, EngagementFactory, MilestoneFactory, TimeEntryFactory
from tests.workspaces.factories import MembershipFactory, WorkspaceFactory

D = Decimal


def fees(engagement) -> list[tuple[Decimal, str]]:
    return list(
        CostEntry.objects.filter(engagement=engagement, category="fees")
        .order_by("source")
        .values_list("amount", "source")
    )


@pytest.fixture
def me(freelancer_member):
    return Freelancer.objects.get(user=freelancer_member.user)


@pytest.fixture
def trial(workspace, manager, me):
    return EngagementFactory(workspace=workspace, manager=manager, freelancer=me, state="active")


@pytest.fixture
def full(workspace, manager, me):
    return EngagementFactory(
        workspace=workspace, manager=manager, freelancer=me, state="active", kind="full", budget_cap=None,
        end_date=None,
    )  # fmt: skip


def log(engagement, member, hours, date=START):
    return timesheets.log_time(engagement=engagement, membership=member, date=date, hours=D(hours))


# ── one truth for fees ───────────────────────────────────────────────────────


def test_approving_hours_posts_the_fee_at_once_and_twice_changes_nothing(full, freelancer_member, manager):
    first = log(full, freelancer_member, "3")
    second = log(full, freelancer_member, "2", START + datetime.timedelta(days=1))
    assert fees(full) == []  # waiting hours are no fee yet
    timesheets.review_time(entry=first, membership=manager, approve=True)
    assert fees(full) == [(D("75.00"), f"fees:hours:{full.pk}:2026-03")]  # 3 h × 25
    timesheets.review_time(entry=second, membership=manager, approve=True)
    assert fees(full) == [(D("125.00"), f"fees:hours:{full.pk}:2026-03")]  # one fee per month, corrected
    result = fee_posting.post_fees(workspace=full.workspace, actor=None)  # the repair finds nothing to do
    assert (result.added, result.updated, result.removed) == (0, 0, 0)
    assert_summary_matches_entries(full.workspace)


def test_sending_hours_back_posts_no_fee(full, freelancer_member, manager):
    entry = log(full, freelancer_member, "3")
    timesheets.review_time(entry=entry, membership=manager, approve=False, note="Wrong day")
    assert fees(full) == []


def test_a_refused_approval_posts_no_fee(full, workspace, freelancer_member):
    entry = log(full, freelancer_member, "3")
    with pytest.raises(PermissionDenied):
        timesheets.review_time(
            entry=entry, membership=MembershipFactory(workspace=workspace, role=MANAGER), approve=True
        )
    assert fees(full) == [] and TimeEntry.objects.get(pk=entry.pk).status == "submitted"


def test_a_failing_fee_post_rolls_back_the_approval(full, freelancer_member, manager, monkeypatch):
    entry = log(full, freelancer_member, "3")

    def broken(*args, **kwargs):
        raise RuntimeError("ledger down")

    monkeypatch.setattr(fee_posting, "reconcile_fees", broken)
    with pytest.raises(RuntimeError):
        timesheets.review_time(entry=entry, membership=manager, approve=True)
    assert TimeEntry.objects.get(pk=entry.pk).status == "submitted"
    assert not AuditEvent.objects.filter(action="time.approve").exists()


def test_accepting_a_milestone_posts_its_share_and_a_new_milestone_reshares(workspace, manager, me, freelancer_member):
    fixed = EngagementFactory(
        workspace=workspace, manager=manager, freelancer=me, state="active", kind="full", billing="fixed",
        budget_cap=D("300.00"), end_date=None,
    )  # fmt: skip
    one = MilestoneFactory(engagement=fixed, workspace=workspace, status="submitted", due_date=START)
    MilestoneFactory(engagement=fixed, workspace=workspace, due_date=START + datetime.timedelta(days=5))
    milestones.review_deliverable(milestone=one, membership=manager, accept=True)
    assert fees(fixed) == [(D("150.00"), f"fees:milestone:{one.pk}")]
    milestones.add_milestone(
        engagement=fixed, actor=manager.user, title="Third", acceptance_criteria="Done", due_date=START
    )
    assert fees(fixed) == [(D("100.00"), f"fees:milestone:{one.pk}")]  # 300 / 3
    assert_summary_matches_entries(workspace)


def test_sending_a_deliverable_back_posts_nothing(workspace, manager, me):
    fixed = EngagementFactory(
        workspace=workspace, manager=manager, freelancer=me, state="active", kind="full", billing="fixed",
        budget_cap=D("300.00"), end_date=None,
    )  # fmt: skip
    one = MilestoneFactory(engagement=fixed, workspace=workspace, status="submitted")
    milestones.review_deliverable(milestone=one, membership=manager, accept=False, note="Bigger")
    assert fees(fixed) == [] and Milestone.objects.get(pk=one.pk).status == "returned"


# ── the expected saving in the business's currency ──────────────────────────


def test_expected_saving_takes_the_workspace_currency(workspace, owner, manager, me):
    assert workspace.base_currency == "GBP"
    e = EngagementFactory(workspace=workspace, manager=manager, freelancer=me, currency="USD")
    lifecycle.update_draft(engagement=e, actor=owner.user, expected_monthly_saving=D("400"))
    e.refresh_from_db()
    assert (e.expected_monthly_saving, e.expected_saving_currency) == (D("400"), "GBP")
    lifecycle.update_draft(engagement=e, actor=owner.user, expected_monthly_saving=None)
    e.refresh_from_db()
    assert (e.expected_monthly_saving, e.expected_saving_currency) == (None, "")


# ── trials kept small after the start ────────────────────────────────────────


def test_logging_past_the_trial_cap_is_refused_and_nothing_is_saved(trial, freelancer_member):
    log(trial, freelancer_member, "12", START)
    log(trial, freelancer_member, "8", START + datetime.timedelta(days=1))  # exactly 20: fine
    with pytest.raises(ValidationError, match="20 of its 20 hours are used") as refused:
        log(trial, freelancer_member, "0.25", START + datetime.timedelta(days=2))
    assert refused.value.error_dict["hours"][0].code == "trial_cap"
    assert TimeEntry.objects.filter(engagement=trial).count() == 2


def test_sent_back_hours_free_the_trial_cap(trial, freelancer_member, manager):
    wrong = log(trial, freelancer_member, "15")
    timesheets.review_time(entry=wrong, membership=manager, approve=False, note="Wrong")
    log(trial, freelancer_member, "15", START + datetime.timedelta(days=1))


def test_approving_past_the_cap_is_refused(trial, owner, freelancer_member, manager):
    entries = [TimeEntryFactory(engagement=trial, workspace=trial.workspace, hours=D("8")) for _ in range(3)]
    timesheets.review_time(entry=entries[0], membership=manager, approve=True)
    timesheets.review_time(entry=entries[1], membership=manager, approve=True)
    with pytest.raises(ValidationError, match="16 of its 20 hours are used"):
        timesheets.review_time(entry=entries[2], membership=manager, approve=True)
    assert TimeEntry.objects.get(pk=entries[2].pk).status == "submitted"
    timesheets.set_trial_hours_cap(engagement=trial, actor=owner, hours=24, reason="One more deliverable")
    timesheets.review_time(entry=entries[2], membership=manager, approve=True)
    assert fees(trial) == [(D("600.00"), f"fees:hours:{trial.pk}:2026-03")]


def test_only_an_owner_raises_the_cap_with_a_reason_within_bounds(trial, owner, manager, freelancer_member):
    with pytest.raises(PermissionDenied, match="Only an owner"):
        timesheets.set_trial_hours_cap(engagement=trial, actor=manager, hours=30, reason="More")
    with pytest.raises(ValidationError, match="Say why"):
        timesheets.set_trial_hours_cap(engagement=trial, actor=owner, hours=30, reason="  ")
    with pytest.raises(ValidationError, match="between 1 and 60"):
        timesheets.set_trial_hours_cap(engagement=trial, actor=owner, hours=61, reason="Lots")
    log(trial, freelancer_member, "12")
    with pytest.raises(ValidationError, match="12 hours are logged"):
        timesheets.set_trial_hours_cap(engagement=trial, actor=owner, hours=10, reason="Smaller")
    trial.refresh_from_db()
    assert trial.trial_hours_cap is None
    timesheets.set_trial_hours_cap(engagement=trial, actor=owner.user, hours=30, reason="A second page")
    trial.refresh_from_db()
    assert trial.trial_hour_limit == 30
    event = AuditEvent.objects.get(action="engagement.trial_cap")
    assert event.changes == {"trial_hours_cap": [None, 30], "reason": "A second page"}
    log(trial, freelancer_member, "18", START + datetime.timedelta(days=1))  # 30 now


def test_a_full_engagement_has_no_trial_cap(full, owner, freelancer_member):
    for day in range(2):
        log(full, freelancer_member, "20", START + datetime.timedelta(days=day))
    with pytest.raises(ValidationError, match="full engagement"):
        timesheets.set_trial_hours_cap(engagement=full, actor=owner, hours=30, reason="x")


# ── TRIAL_OVERRUN ────────────────────────────────────────────────────────────


def _overruns(workspace, today):
    """Live overruns (a trial ending within 14 days is a coming-up one: tests/findings/test_coming_up.py)."""
    findings = evaluate(workspace, today=today).findings
    return [f.subject_id for f in findings if f.code == "TRIAL_OVERRUN" and not f.is_coming_up(today)]


def test_trial_overrun_only_for_an_active_trial_past_its_end(workspace, manager):
    end = datetime.date(2026, 3, 15)
    active = EngagementFactory(workspace=workspace, manager=manager, state="active", end_date=end)
    EngagementFactory(workspace=workspace, manager=manager, state="completed", trial_rating=4, end_date=end)
    EngagementFactory(workspace=workspace, manager=manager, state="terminated", end_date=end)
    EngagementFactory(workspace=workspace, manager=manager, state="active", kind="full", end_date=end, budget_cap=None)
    assert _overruns(workspace, end) == []  # ending today is on time
    assert _overruns(workspace, end + datetime.timedelta(days=1)) == [active.pk]
    finding = next(f for f in evaluate(workspace, today=end + datetime.timedelta(days=1)).findings
                   if f.code == "TRIAL_OVERRUN")  # fmt: skip
    assert (finding.severity, finding.fix) == ("warning", "End it or convert it to a full engagement.")


def test_trial_overrun_uses_the_workspace_time_zone(db, manager):
    tokyo = WorkspaceFactory(timezone="Asia/Tokyo")
    boss = MembershipFactory(workspace=tokyo, role=MANAGER)
    e = EngagementFactory(workspace=tokyo, manager=boss, state="active", end_date=datetime.date(2026, 3, 15))
    # 16 March 01:00 in Tokyo is still 15 March in UTC: the trial ended yesterday in Tokyo.
    live = lambda: [f.subject_id for f in evaluate(tokyo).findings if f.code == "TRIAL_OVERRUN" and not f.starts_on]  # noqa: E731
    with time_machine.travel(datetime.datetime(2026, 3, 15, 16, 0, tzinfo=datetime.UTC), tick=False):
        assert live() == [e.pk]
    with time_machine.travel(datetime.datetime(2026, 3, 15, 14, 0, tzinfo=datetime.UTC), tick=False):
        assert live() == []


# ── hours approved in bulk ───────────────────────────────────────────────────


def test_bulk_approval_approves_all_posts_fees_and_audits_each(full, trial, workspace, manager):
    entries = [TimeEntryFactory(engagement=e, workspace=workspace, hours=D("2")) for e in (full, full, trial)]
    approved = timesheets.approve_time_entries(actor=manager, entries=entries)
    assert {e.status for e in approved} == {"approved"}
    assert set(TimeEntry.objects.values_list("status", flat=True)) == {"approved"}
    assert fees(full) == [(D("100.00"), f"fees:hours:{full.pk}:2026-03")]
    assert fees(trial) == [(D("50.00"), f"fees:hours:{trial.pk}:2026-03")]
    audited = AuditEvent.objects.filter(action="time.approve").values_list("target_id", flat=True)
    assert sorted(audited) == sorted(str(e.pk) for e in entries)
    assert_summary_matches_entries(workspace)


def test_bulk_approval_is_all_or_nothing(full, trial, workspace, manager):
    fine = TimeEntryFactory(engagement=full, workspace=workspace, hours=D("2"))
    already = TimeEntryFactory(engagement=full, workspace=workspace, hours=D("2"), status="approved")
    too_much = [TimeEntryFactory(engagement=trial, workspace=workspace, hours=D("11")) for _ in range(2)]
    with pytest.raises(ValidationError) as refused:
        timesheets.approve_time_entries(actor=manager, entries=[fine, already, *too_much])
    text = " ".join(refused.value.messages)
    assert "approved already" in text and "cannot be approved" in text
    assert TimeEntry.objects.get(pk=fine.pk).status == "submitted"
    assert not CostEntry.objects.exists() and not AuditEvent.objects.filter(action="time.approve").exists()


def test_bulk_approval_only_for_engagements_the_manager_manages(full, workspace, manager, owner):
    other_manager = MembershipFactory(workspace=workspace, role=MANAGER)
    theirs = EngagementFactory(workspace=workspace, manager=other_manager, state="active", kind="full")
    mine = TimeEntryFactory(engagement=full, workspace=workspace)
    not_mine = TimeEntryFactory(engagement=theirs, workspace=workspace)
    with pytest.raises(PermissionDenied):
        timesheets.approve_time_entries(actor=manager, entries=[mine, not_mine])
    assert set(TimeEntry.objects.values_list("status", flat=True)) == {"submitted"}
    timesheets.approve_time_entries(actor=owner, entries=[mine, not_mine])  # an owner manages every one
    assert set(TimeEntry.objects.values_list("status", flat=True)) == {"approved"}


def test_bulk_approval_refuses_another_workspaces_entries(full, workspace, manager):
    elsewhere = EngagementFactory(state="active", kind="full")
    foreign = TimeEntryFactory(engagement=elsewhere, workspace=elsewhere.workspace)
    mine = TimeEntryFactory(engagement=full, workspace=workspace)
    with pytest.raises(PermissionDenied):
        timesheets.approve_time_entries(actor=manager, entries=[mine.pk, foreign.pk])
    assert set(TimeEntry.objects.values_list("status", flat=True)) == {"submitted"}
    with pytest.raises(ValidationError, match="Choose the hours"):
        timesheets.approve_time_entries(actor=manager, entries=[])


def test_bulk_approval_queries_do_not_grow_with_the_entries(workspace, manager):
    def run(n: int) -> int:
        engagements = [
            EngagementFactory(workspace=workspace, manager=manager, state="active", kind="full") for _ in range(2)
        ]
        entries = [
            TimeEntryFactory(engagement=engagements[i % 2], workspace=workspace, date=START + datetime.timedelta(i))
            for i in range(n)
        ]
        with CaptureQueriesContext(connection) as queries:
            timesheets.approve_time_entries(actor=manager, entries=entries)
        return len(queries)

    assert run(2) == run(12)


def test_engagement_lock_is_taken_before_the_cap_is_read(trial, workspace, manager, monkeypatch):
    """Two approvals at once cannot both pass the cap: the engagement row is locked first."""
    order: list[str] = []
    real_used = timesheets._trial_hours_used
    real_select = Engagement.objects.select_for_update

    def used(engagement, **kw):
        order.append("read cap")
        return real_used(engagement, **kw)

    def select(*args, **kw):
        order.append("lock engagement")
        return real_select(*args, **kw)

    monkeypatch.setattr(timesheets, "_trial_hours_used", used)
    monkeypatch.setattr(Engagement.objects, "select_for_update", select)
    entry = TimeEntryFactory(engagement=trial, workspace=workspace, hours=D("2"))
    timesheets.review_time(entry=entry, membership=manager, approve=True)
    assert order[:2] == ["lock engagement", "read cap"]


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_do_not_pass_the_trial_cap():
    """On PostgreSQL the two run at the same moment (row locks); on SQLite one after the other."""
    from tests.concurrency import race

    trial = EngagementFactory(state="active")
    manager, owner = trial.manager, MembershipFactory(workspace=trial.workspace)
    one, two = (TimeEntryFactory(engagement=trial, workspace=trial.workspace, hours=D("12")) for _ in range(2))
    outcomes = race(
        lambda: timesheets.review_time(entry=one, membership=manager, approve=True),
        lambda: timesheets.approve_time_entries(actor=owner, entries=[two]),
    )
    assert sorted(o.error is None for o in outcomes) == [False, True]
    refused = next(o.error for o in outcomes if o.error is not None)
    assert isinstance(refused, ValidationError) and "12 of its 20 hours are used" in " ".join(refused.messages)
    assert sorted(TimeEntry.objects.values_list("status", flat=True)) == ["approved", "submitted"]
    assert CostEntry.objects.get(category="fees").amount == D("300.00")

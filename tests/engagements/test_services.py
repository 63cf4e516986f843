"""Engagement transitions and the work inside an engagement: every refusal, and nothing changed after it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sourcewise.audit.models import AuditEvent
from sourcewise.core.access import FREELANCER, MANAGER, OWNER
from sourcewise.engagements import checkpoints, lifecycle, milestones, offboarding_flow, requirements, timesheets
from sourcewise.engagements.models import Engagement, Handover, Milestone, Offboarding, TimeEntry
from sourcewise.talent.models import Freelancer
from tests.engagements.factories import START, EngagementFactory, MilestoneFactory, TimeEntryFactory
from tests.talent.factories import FreelancerFactory
from tests.tasks.factories import TaskFactory
from tests.workspaces.factories import MembershipFactory, WorkspaceFactory


def _audits(engagement: Engagement, action: str) -> int:
    return AuditEvent.objects.filter(action=action, target_id=str(engagement.pk)).count()


def _assert_refused(engagement: Engagement, *expected: str) -> list[str]:
    """activate() refuses with every expected reason and leaves the row as it was."""
    before = Engagement.objects.filter(pk=engagement.pk).values().get()
    with pytest.raises(ValidationError) as refused:
        lifecycle.activate(engagement=engagement, actor=None)
    messages = refused.value.messages
    for text in expected:
        assert any(text in m for m in messages), f"{text!r} not in {messages}"
    assert Engagement.objects.filter(pk=engagement.pk).values().get() == before
    assert _audits(engagement, "engagement.activate") == 0
    return messages


@pytest.fixture
def trial(workspace, manager):
    return EngagementFactory(workspace=workspace, manager=manager)


def _completed_trial(workspace, freelancer, rating):
    return EngagementFactory(
        workspace=workspace, freelancer=freelancer, state=Engagement.State.COMPLETED, trial_rating=rating
    )


# ── drafts ───────────────────────────────────────────────────────────────────


def test_create_draft_records_terms_and_an_audit_row(workspace, manager, owner):
    freelancer = FreelancerFactory(workspace=workspace)
    task = TaskFactory(workspace=workspace)
    e = lifecycle.create_draft(
        workspace=workspace, actor=owner.user, freelancer=freelancer, task=task, manager=manager, kind="trial",
        billing="hourly", rate=Decimal("30.50"), currency="eur", budget_cap=Decimal("20"), start_date=START,
        end_date=START + datetime.timedelta(days=13), expected_monthly_saving=Decimal("250.00"),
    )  # fmt: skip
    e.refresh_from_db()
    assert (e.state, e.currency, e.rate, e.expected_monthly_saving) == (
        "draft",
        "EUR",
        Decimal("30.50"),
        Decimal("250"),
    )
    assert _audits(e, "engagement.create") == 1


def test_create_draft_refuses_rows_of_another_workspace_and_bad_terms(workspace, owner):
    other = FreelancerFactory()  # another workspace
    task = TaskFactory(workspace=workspace)
    with pytest.raises(ValidationError) as refused:
        lifecycle.create_draft(
            workspace=workspace, actor=owner.user, freelancer=other, task=task, rate=Decimal("1"), currency="USD",
            start_date=START,
        )  # fmt: skip
    assert "freelancer" in refused.value.message_dict
    mine = FreelancerFactory(workspace=workspace)
    with pytest.raises(ValidationError) as refused:
        lifecycle.create_draft(
            workspace=workspace, actor=owner.user, freelancer=mine, task=task, rate=Decimal("-1"), currency="XXY",
            start_date=START, end_date=START - datetime.timedelta(days=1),
        )  # fmt: skip
    text = " ".join(refused.value.messages)
    assert (
        "Unknown currency 'XXY'" in text
        and "end date cannot be before" in text
        and "greater than or equal to 0" in text
    )
    assert not Engagement.objects.exists()


def test_update_draft_changes_terms_only_while_draft(trial, owner):
    lifecycle.update_draft(engagement=trial, actor=owner.user, rate=Decimal("27.00"))
    assert Engagement.objects.get(pk=trial.pk).rate == Decimal("27.00")
    lifecycle.activate(engagement=trial, actor=owner.user)
    with pytest.raises(ValidationError, match="only a draft"):
        lifecycle.update_draft(engagement=trial, actor=owner.user, rate=Decimal("99.00"))
    assert Engagement.objects.get(pk=trial.pk).rate == Decimal("27.00")


# ── activation ───────────────────────────────────────────────────────────────


def test_activate_a_trial_within_the_limits(trial, owner):
    lifecycle.activate(engagement=trial, actor=owner.user)
    row = Engagement.objects.get(pk=trial.pk)
    assert row.state == "active" and row.activated_at is not None and trial.state == "active"
    assert _audits(trial, "engagement.activate") == 1


def test_refused_without_a_manager(workspace):
    _assert_refused(EngagementFactory(workspace=workspace, manager=None), "No manager")


@pytest.mark.parametrize("role", [FREELANCER])
def test_refused_when_the_manager_is_a_freelancer(workspace, role):
    outsider = MembershipFactory(workspace=workspace, role=role)
    _assert_refused(EngagementFactory(workspace=workspace, manager=outsider), "is not an owner or manager")


def test_refused_when_the_manager_belongs_to_another_workspace(workspace):
    stranger = MembershipFactory(role=MANAGER)  # manager of another business
    _assert_refused(EngagementFactory(workspace=workspace, manager=stranger), "is not an owner or manager")


def test_an_owner_may_manage(workspace, owner):
    e = EngagementFactory(workspace=workspace, manager=owner)
    lifecycle.activate(engagement=e, actor=owner.user)
    assert Engagement.objects.get(pk=e.pk).state == "active"


def test_trial_hours_limit_is_inclusive(workspace, manager):
    ok = EngagementFactory(workspace=workspace, manager=manager, budget_cap=Decimal("20.00"))
    lifecycle.activate(engagement=ok, actor=None)
    over = EngagementFactory(workspace=workspace, manager=manager, budget_cap=Decimal("20.01"))
    _assert_refused(over, "A trial is at most 20 hours; this one is capped at 20.01 hours.")


def test_trial_days_limit_counts_both_ends(workspace, manager):
    ok = EngagementFactory(workspace=workspace, manager=manager, end_date=START + datetime.timedelta(days=13))
    lifecycle.activate(engagement=ok, actor=None)  # 2–15 March: 14 days
    over = EngagementFactory(workspace=workspace, manager=manager, end_date=START + datetime.timedelta(days=14))
    _assert_refused(over, "A trial lasts at most 14 days; this one lasts 15 days.")


def test_workspace_limits_are_read_from_the_workspace(manager):
    workspace = manager.workspace
    workspace.trial_max_hours, workspace.trial_max_days = 10, 7
    workspace.save()
    e = EngagementFactory(workspace=workspace, manager=manager, budget_cap=Decimal("10.5"))
    _assert_refused(e, "at most 10 hours", "at most 7 days")


def test_fixed_price_trial_may_cost_at_most_the_hours_limit_at_the_rate(workspace, manager):
    # 20 h × 25.00 = 500.00
    ok = EngagementFactory(workspace=workspace, manager=manager, billing="fixed", budget_cap=Decimal("500.00"))
    lifecycle.activate(engagement=ok, actor=None)
    over = EngagementFactory(workspace=workspace, manager=manager, billing="fixed", budget_cap=Decimal("500.01"))
    _assert_refused(over, "A fixed-price trial may cost at most 20 hours at the agreed rate (500.00 USD)")


def test_trial_needs_a_cap_and_an_end_date(workspace, manager):
    e = EngagementFactory(workspace=workspace, manager=manager, budget_cap=None, end_date=None)
    _assert_refused(e, "needs a budget cap", "needs an end date")


def test_full_engagement_needs_a_completed_trial_rated_at_least_the_minimum(workspace, manager):
    freelancer = FreelancerFactory(workspace=workspace, status="approved")
    full = EngagementFactory(workspace=workspace, manager=manager, freelancer=freelancer, kind="full", end_date=None)
    _assert_refused(full, "no completed trial rated 3 or more")
    _completed_trial(workspace, freelancer, 2)
    _assert_refused(full, "no completed trial rated 3 or more")
    EngagementFactory(workspace=workspace, freelancer=freelancer, state="active")  # an active trial is not enough
    _assert_refused(full, "no completed trial")
    _completed_trial(workspace, freelancer, 3)
    lifecycle.activate(engagement=full, actor=None)
    assert Engagement.objects.get(pk=full.pk).state == "active"


def test_a_good_trial_in_another_workspace_does_not_count(workspace, manager):
    freelancer = FreelancerFactory(workspace=workspace, status="approved")
    elsewhere = WorkspaceFactory()
    _completed_trial(elsewhere, FreelancerFactory(workspace=elsewhere, email=freelancer.email), 5)
    full = EngagementFactory(workspace=workspace, manager=manager, freelancer=freelancer, kind="full")
    _assert_refused(full, "no completed trial")


def test_every_reason_is_listed_at_once(workspace):
    e = EngagementFactory(
        workspace=workspace, manager=None, budget_cap=Decimal("40"), end_date=START + datetime.timedelta(days=30)
    )
    messages = _assert_refused(e, "No manager", "at most 20 hours", "at most 14 days")
    assert len(messages) == 3


def test_a_new_requirement_in_the_list_is_checked_on_activation(trial, monkeypatch):
    def task_not_outsourceable(engagement):
        return [f"The task {engagement.task} is not ready to outsource."]

    monkeypatch.setattr(requirements, "REQUIREMENTS", (*requirements.REQUIREMENTS, task_not_outsourceable))
    _assert_refused(trial, "is not ready to outsource")
    monkeypatch.undo()
    lifecycle.activate(engagement=trial, actor=None)


def test_only_a_draft_can_be_activated_and_a_second_attempt_sees_the_new_state(trial, owner):
    stale = Engagement.objects.get(pk=trial.pk)  # loaded before the first activation
    lifecycle.activate(engagement=trial, actor=owner.user)
    with pytest.raises(ValidationError, match="active; it cannot be activated"):
        lifecycle.activate(engagement=stale, actor=owner.user)
    assert _audits(trial, "engagement.activate") == 1


# ── completion, termination, cancellation ────────────────────────────────────


def test_complete_a_trial_needs_its_rating(trial, owner):
    lifecycle.activate(engagement=trial, actor=owner.user)
    for bad in (None, 0, 6):
        with pytest.raises(ValidationError, match="Rate the trial"):
            lifecycle.complete(engagement=trial, actor=owner.user, rating=bad)
        assert Engagement.objects.get(pk=trial.pk).state == "active"
    lifecycle.complete(engagement=trial, actor=owner.user, rating=4, note="Quick and careful.")
    row = Engagement.objects.get(pk=trial.pk)
    assert (row.state, row.trial_rating, row.completion_note) == ("completed", 4, "Quick and careful.")
    assert row.ended_at is not None and _audits(trial, "engagement.complete") == 1


def test_a_full_engagement_gets_no_trial_rating(workspace, manager):
    full = EngagementFactory(workspace=workspace, manager=manager, kind="full", state="active")
    with pytest.raises(ValidationError, match="Only a trial gets a rating"):
        lifecycle.complete(engagement=full, actor=None, rating=4)
    assert Engagement.objects.get(pk=full.pk).state == "active"
    lifecycle.complete(engagement=full, actor=None)
    assert Engagement.objects.get(pk=full.pk).state == "completed"


def test_complete_and_terminate_refuse_a_draft(trial):
    with pytest.raises(ValidationError, match="draft; it cannot be completed"):
        lifecycle.complete(engagement=trial, actor=None, rating=4)
    with pytest.raises(ValidationError, match="draft; it cannot be terminated"):
        lifecycle.terminate(engagement=trial, actor=None, reason="x")
    assert Engagement.objects.get(pk=trial.pk).state == "draft"


def test_terminate_needs_a_reason_and_cannot_follow_completion(trial, owner):
    lifecycle.activate(engagement=trial, actor=owner.user)
    with pytest.raises(ValidationError, match="Say why"):
        lifecycle.terminate(engagement=trial, actor=owner.user, reason="  ")
    stale = Engagement.objects.get(pk=trial.pk)
    lifecycle.complete(engagement=trial, actor=owner.user, rating=3)
    with pytest.raises(ValidationError, match="completed; it cannot be terminated"):
        lifecycle.terminate(engagement=stale, actor=owner.user, reason="Too late")
    row = Engagement.objects.get(pk=trial.pk)
    assert (row.state, row.termination_reason) == ("completed", "")


def test_terminate_records_the_reason(trial, owner):
    lifecycle.activate(engagement=trial, actor=owner.user)
    lifecycle.terminate(engagement=trial, actor=owner.user, reason="Missed deadlines.")
    row = Engagement.objects.get(pk=trial.pk)
    assert (row.state, row.termination_reason) == ("terminated", "Missed deadlines.")
    assert _audits(trial, "engagement.terminate") == 1


def test_cancel_only_a_draft(trial, owner):
    lifecycle.cancel(engagement=trial, actor=owner.user)
    assert Engagement.objects.get(pk=trial.pk).state == "cancelled"
    with pytest.raises(ValidationError, match="cancelled; it cannot be activated"):
        lifecycle.activate(engagement=trial, actor=owner.user)


def test_removing_a_manager_keeps_the_engagement_and_flags_it(workspace, manager, owner):
    from sourcewise.findings.engine import evaluate
    from sourcewise.workspaces.services import change_role, remove_member

    active = EngagementFactory(workspace=workspace, manager=manager, state="active")
    other = MembershipFactory(workspace=workspace, role=MANAGER)
    kept = EngagementFactory(workspace=workspace, manager=other, state="active")
    change_role(membership=other, role=FREELANCER, actor=owner.user)
    remove_member(membership=manager, actor=owner.user)
    assert Engagement.objects.get(pk=active.pk).manager_id is None
    found = {f.subject_id: f.message for f in evaluate(workspace).findings if f.code == "NO_MANAGER"}
    assert set(found) == {active.pk, kept.pk}
    assert "is not an owner or manager" in found[kept.pk]


# ── milestones ───────────────────────────────────────────────────────────────


@pytest.fixture
def own_active(workspace, manager, freelancer_member):
    freelancer = Freelancer.objects.get(user=freelancer_member.user)
    return EngagementFactory(workspace=workspace, manager=manager, freelancer=freelancer, state="active")


def test_deliverable_submitted_by_its_freelancer_then_returned_then_accepted(own_active, freelancer_member, manager):
    milestone = milestones.add_milestone(
        engagement=own_active, actor=manager.user, title="Logo", acceptance_criteria="3 options", due_date=START
    )
    milestones.submit_deliverable(milestone=milestone, membership=freelancer_member, text="Here", link="https://x.test")
    assert Milestone.objects.get(pk=milestone.pk).status == "submitted"
    with pytest.raises(ValidationError, match="Say what needs to change"):
        milestones.review_deliverable(milestone=milestone, membership=manager, accept=False, note="")
    milestones.review_deliverable(milestone=milestone, membership=manager, accept=False, note="Bigger, please")
    row = Milestone.objects.get(pk=milestone.pk)
    assert (row.status, row.return_note) == ("returned", "Bigger, please")
    milestones.submit_deliverable(milestone=milestone, membership=freelancer_member, text="Bigger")
    milestones.review_deliverable(milestone=milestone, membership=manager, accept=True)
    row = Milestone.objects.get(pk=milestone.pk)
    assert (row.status, row.return_note, row.reviewed_by_id) == ("accepted", "", manager.user_id)
    with pytest.raises(ValidationError, match="accepted already"):
        milestones.submit_deliverable(milestone=milestone, membership=freelancer_member, text="Again")


def test_deliverable_refusals(own_active, workspace, freelancer_member, manager):
    milestone = MilestoneFactory(engagement=own_active)
    other = MembershipFactory(workspace=workspace, role=FREELANCER)
    FreelancerFactory(workspace=workspace, user=other.user)
    with pytest.raises(PermissionDenied, match="Only the freelancer"):
        milestones.submit_deliverable(milestone=milestone, membership=other, text="Mine now")
    with pytest.raises(ValidationError, match="Describe what you deliver"):
        milestones.submit_deliverable(milestone=milestone, membership=freelancer_member, text=" ")
    with pytest.raises(ValidationError, match="Only a submitted deliverable"):
        milestones.review_deliverable(milestone=milestone, membership=manager, accept=True)
    milestones.submit_deliverable(milestone=milestone, membership=freelancer_member, text="Done")
    another_manager = MembershipFactory(workspace=workspace, role=MANAGER)
    with pytest.raises(PermissionDenied, match="Only the engagement's manager or an owner"):
        milestones.review_deliverable(milestone=milestone, membership=another_manager, accept=True)
    assert Milestone.objects.get(pk=milestone.pk).status == "submitted"
    owner = MembershipFactory(workspace=workspace, role=OWNER)
    milestones.review_deliverable(milestone=milestone, membership=owner, accept=True)
    assert Milestone.objects.get(pk=milestone.pk).status == "accepted"


def test_deliverables_only_on_an_active_engagement(workspace, manager, freelancer_member):
    freelancer = Freelancer.objects.get(user=freelancer_member.user)
    draft = EngagementFactory(workspace=workspace, manager=manager, freelancer=freelancer)
    milestone = MilestoneFactory(engagement=draft)
    with pytest.raises(ValidationError, match="only on an active engagement"):
        milestones.submit_deliverable(milestone=milestone, membership=freelancer_member, text="Early")
    assert Milestone.objects.get(pk=milestone.pk).status == "open"


# ── checkpoint reviews ───────────────────────────────────────────────────────


def test_checkpoint_by_the_manager_of_an_active_engagement(own_active, workspace, manager):
    review = checkpoints.record_checkpoint(
        engagement=own_active, membership=manager, date=START, quality=4, timeliness=3, communication=5, notes="ok"
    )
    assert (review.reviewer, review.average) == (manager.user, 4.0)
    for membership, date, quality, error, message in (
        (MembershipFactory(workspace=workspace, role=MANAGER), START, 4, PermissionDenied, "Only the engagement's"),
        (manager, START - datetime.timedelta(days=1), 4, ValidationError, "before the engagement starts"),
        (manager, START, 6, ValidationError, "Value 6 is not a valid choice"),
        (manager, datetime.date(2999, 1, 1), 4, ValidationError, "cannot be in the future"),
    ):
        with pytest.raises(error, match=message):
            checkpoints.record_checkpoint(
                engagement=own_active, membership=membership, date=date, quality=quality, timeliness=3, communication=3
            )
    assert own_active.reviews.count() == 1


def test_no_checkpoint_on_a_draft(trial, manager):
    with pytest.raises(ValidationError, match="only on an active engagement"):
        checkpoints.record_checkpoint(
            engagement=trial, membership=manager, date=START, quality=3, timeliness=3, communication=3
        )


# ── time ─────────────────────────────────────────────────────────────────────


def test_hours_are_logged_by_the_freelancer_and_approved_by_the_manager(own_active, freelancer_member, manager):
    entry = timesheets.log_time(
        engagement=own_active, membership=freelancer_member, date=START, hours=Decimal("8"), note="Launch day"
    )
    assert entry.status == "submitted"
    timesheets.review_time(entry=entry, membership=manager, approve=True)
    row = TimeEntry.objects.get(pk=entry.pk)
    assert (row.status, row.reviewed_by_id) == ("approved", manager.user_id) and row.reviewed_at is not None
    with pytest.raises(ValidationError, match="approved already"):
        timesheets.review_time(entry=entry, membership=manager, approve=False, note="No")
    assert AuditEvent.objects.filter(action="time.approve", target_id=str(entry.pk)).count() == 1


@pytest.mark.parametrize("hours", [Decimal("0"), Decimal("-1"), Decimal("24.01")])
def test_hours_must_be_more_than_0_and_at_most_24(own_active, freelancer_member, hours):
    with pytest.raises(ValidationError):
        timesheets.log_time(engagement=own_active, membership=freelancer_member, date=START, hours=hours)
    assert not TimeEntry.objects.exists()


def test_time_refusals(own_active, workspace, freelancer_member, manager):
    other = MembershipFactory(workspace=workspace, role=FREELANCER)
    FreelancerFactory(workspace=workspace, user=other.user)
    for membership, date, error, message in (
        (other, START, PermissionDenied, "Only the freelancer of this engagement"),
        (manager, START, PermissionDenied, "Only the freelancer of this engagement"),
        (freelancer_member, START - datetime.timedelta(days=1), ValidationError, "before the engagement started"),
        (freelancer_member, datetime.date(2999, 1, 1), ValidationError, "future day"),
    ):
        with pytest.raises(error, match=message):
            timesheets.log_time(engagement=own_active, membership=membership, date=date, hours=Decimal("1"))
    assert not TimeEntry.objects.exists()
    entry = TimeEntryFactory(engagement=own_active)
    with pytest.raises(ValidationError, match="Say what is wrong"):
        timesheets.review_time(entry=entry, membership=manager, approve=False)
    with pytest.raises(PermissionDenied, match="Only the engagement's manager or an owner"):
        timesheets.review_time(
            entry=entry, membership=MembershipFactory(workspace=workspace, role=MANAGER), approve=True
        )
    assert TimeEntry.objects.get(pk=entry.pk).status == "submitted"
    timesheets.review_time(entry=entry, membership=manager, approve=False, note="Wrong day")
    row = TimeEntry.objects.get(pk=entry.pk)
    assert (row.status, row.return_note) == ("returned", "Wrong day")


def test_no_hours_on_a_finished_engagement(own_active, freelancer_member):
    lifecycle.complete(engagement=own_active, actor=None, rating=4)
    with pytest.raises(ValidationError, match="only on an active engagement"):
        timesheets.log_time(engagement=own_active, membership=freelancer_member, date=START, hours=Decimal("1"))


# ── offboarding ──────────────────────────────────────────────────────────────


def test_offboarding_creates_one_handover_per_active_engagement(workspace, manager, owner):
    leaving = FreelancerFactory(workspace=workspace)
    active = EngagementFactory(workspace=workspace, manager=manager, freelancer=leaving, state="active")
    EngagementFactory(workspace=workspace, manager=manager, freelancer=leaving)  # a draft: nothing to hand over
    offboarding = offboarding_flow.start_offboarding(freelancer=leaving, actor=owner.user, reason="Moving on")
    assert list(offboarding.handovers.values_list("engagement_id", "status")) == [(active.pk, "open")]
    assert offboarding.status == "in_progress"
    with pytest.raises(ValidationError, match="already being offboarded"):
        offboarding_flow.start_offboarding(freelancer=leaving, actor=owner.user)
    assert Offboarding.objects.count() == 1
    handover = offboarding.handovers.get()
    with pytest.raises(ValidationError, match="Choose the replacement first"):
        offboarding_flow.update_handover(handover=handover, actor=owner.user, status="done")
    with pytest.raises(ValidationError, match="another freelancer"):
        offboarding_flow.update_handover(handover=handover, actor=owner.user, status="done", replacement=leaving)
    with pytest.raises(ValidationError, match="another freelancer"):
        offboarding_flow.update_handover(
            handover=handover, actor=owner.user, status="done", replacement=FreelancerFactory()
        )
    assert Handover.objects.get(pk=handover.pk).status == "open"
    successor = FreelancerFactory(workspace=workspace)
    offboarding_flow.update_handover(
        handover=handover, actor=owner.user, status="replacement_chosen", replacement=successor
    )
    assert Offboarding.objects.get(pk=offboarding.pk).status == "in_progress"
    offboarding_flow.update_handover(
        handover=handover, actor=owner.user, status="done", replacement=successor, notes="Done"
    )
    assert Offboarding.objects.get(pk=offboarding.pk).status == "done"


def test_offboarding_without_active_engagements_is_done_at_once(workspace, owner):
    offboarding = offboarding_flow.start_offboarding(
        freelancer=FreelancerFactory(workspace=workspace), actor=owner.user
    )
    assert offboarding.status == "done" and not offboarding.handovers.exists()

"""Writes of engagements and the work inside them. Views, API, demo and CLI call these.

Every state change runs in one transaction that first locks the engagement row
(`select_for_update`), re-reads its state and only then decides: two people pressing
"Activate" at once give one activation and one clear refusal, never two.

Who may act is decided here too, not only in the views: every change to an engagement
and to the work inside it is refused (`PermissionDenied`, a 403 on every interface) unless
the actor manages that engagement — its own manager, or an owner of its workspace
(`can_manage`). A manager plans drafts for themself; only an owner hands an engagement to
another manager. `actor=None` is the system itself (demo builder, operator commands); no
web or API request can pass it, as every route needs a signed-in member.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from sourcewise.audit.services import record, record_many, save_audited, snapshot
from sourcewise.core.access import INTERNAL, OWNER
from sourcewise.core.dates import server_today
from sourcewise.engagements.fees import work_changed
from sourcewise.engagements.models import CheckpointReview, Engagement, Handover, Milestone, Offboarding, TimeEntry
from sourcewise.engagements.requirements import unmet_requirements
from sourcewise.talent.models import Freelancer
from sourcewise.tasks.models import Task
from sourcewise.workspaces.models import Membership, Workspace

if TYPE_CHECKING:
    from sourcewise.accounts.models import User

DRAFT_FIELDS = (
    "freelancer",
    "task",
    "manager",
    "kind",
    "billing",
    "rate",
    "currency",
    "budget_cap",
    "start_date",
    "end_date",
    "expected_monthly_saving",
)


# ── engagements ──────────────────────────────────────────────────────────────


def _check_same_workspace(workspace: Workspace, fields: dict[str, Any]) -> None:
    errors = {}
    for name, model in (("freelancer", Freelancer), ("task", Task), ("manager", Membership)):
        value = fields.get(name)
        if value is not None and (not isinstance(value, model) or value.workspace_id != workspace.pk):
            errors[name] = f"Unknown {name} in this workspace."
    if errors:
        raise ValidationError(errors)


def _locked(engagement: Engagement) -> Engagement:
    """The engagement re-read under a row lock (held until the transaction ends)."""
    return Engagement.objects.select_for_update().select_related("workspace").get(pk=engagement.pk)


def _require_state(engagement: Engagement, *states: str, doing: str) -> None:
    if engagement.state not in states:
        raise ValidationError(
            f"This engagement is {engagement.get_state_display().lower()}; it cannot be {doing}.", code="state"
        )


def _refresh(target: Engagement, source: Engagement) -> None:
    """Copy the locked row's values onto the caller's instance so it sees the new state."""
    for f in Engagement._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))


@transaction.atomic
def create_draft(*, workspace: Workspace, actor: User | None, **fields: Any) -> Engagement:
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    _check_same_workspace(workspace, fields)
    member = _member_of(actor, workspace.pk)
    if member is not None:
        if member.role not in INTERNAL:
            raise PermissionDenied("Only an owner or a manager can plan an engagement.")
        if member.role != OWNER:
            # A manager plans engagements for themself; handing one to someone else is an owner's call.
            if fields.get("manager") is None:
                fields["manager"] = member
            if not can_assign_manager(member, fields["manager"]):
                raise PermissionDenied(
                    "A manager plans engagements they manage themself; ask an owner to assign another."
                )
    engagement = Engagement(workspace=workspace, state=Engagement.State.DRAFT, **fields)
    return save_audited(engagement, actor=actor, action="engagement.create")


@transaction.atomic
def update_draft(*, engagement: Engagement, actor: User | None, **fields: Any) -> Engagement:
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    locked = _locked(engagement)
    member = _require_actor_manages(actor, locked)
    if member is not None and member.role != OWNER and "manager" in fields:
        if fields["manager"] is None:  # a manager's draft stays theirs
            fields["manager"] = member
        if not can_assign_manager(member, fields["manager"]):
            raise PermissionDenied("Only an owner can hand an engagement to another manager.")
    _require_state(locked, Engagement.State.DRAFT, doing="edited (only a draft can change its terms)")
    _check_same_workspace(locked.workspace, fields)
    if "expected_monthly_saving" in fields:  # entered in the business's currency (the form says which)
        fields["expected_saving_currency"] = locked.workspace.base_currency
    before = snapshot(locked, fields)
    for name, value in fields.items():
        setattr(locked, name, value)
    save_audited(locked, actor=actor, action="engagement.update", fields=[*fields, "updated_at"], before=before)
    _refresh(engagement, locked)
    return engagement


@transaction.atomic
def assign_manager(*, engagement: Engagement, actor: User | None, manager: Membership) -> Engagement:
    """Name the team member who runs a draft or active engagement (the fix of NO_MANAGER).

    Unlike `update_draft` this also works on an active engagement: a member removed from the
    team leaves theirs without a manager, and the work must not stop to fix that. Same rules
    as everywhere: the actor manages the engagement, and only an owner names someone else.
    """
    locked = _locked(engagement)
    member = _require_actor_manages(actor, locked)
    if member is not None and not can_assign_manager(member, manager):
        raise PermissionDenied("Only an owner can hand an engagement to another manager.")
    _require_state(locked, Engagement.State.DRAFT, Engagement.State.ACTIVE, doing="given a manager")
    _check_same_workspace(locked.workspace, {"manager": manager})
    if manager.role not in INTERNAL:
        raise ValidationError({"manager": "The manager must be an owner or a manager of your team."})
    return _transition(engagement, locked, actor, "engagement.assign_manager", {"manager": manager})


def _transition(
    engagement: Engagement, locked: Engagement, actor: User | None, action: str, fields: dict[str, Any]
) -> Engagement:
    before = snapshot(locked, fields)
    for name, value in fields.items():
        setattr(locked, name, value)
    save_audited(locked, actor=actor, action=action, fields=[*fields, "updated_at"], before=before)
    _refresh(engagement, locked)
    return engagement


@transaction.atomic
def activate(*, engagement: Engagement, actor: User | None) -> Engagement:
    """draft → active, when every registered activation requirement is met (all reasons listed)."""
    locked = _locked(engagement)
    _require_actor_manages(actor, locked)
    _require_state(locked, Engagement.State.DRAFT, doing="activated")
    reasons = unmet_requirements(locked)
    if reasons:
        raise ValidationError([ValidationError(r, code="requirement") for r in reasons])
    return _transition(
        engagement,
        locked,
        actor,
        "engagement.activate",
        {"state": Engagement.State.ACTIVE, "activated_at": timezone.now()},
    )


@transaction.atomic
def complete(*, engagement: Engagement, actor: User | None, rating: int | None = None, note: str = "") -> Engagement:
    """active → completed. A trial needs its rating (1–5): it decides whether a full engagement may follow."""
    locked = _locked(engagement)
    _require_actor_manages(actor, locked)
    _require_state(locked, Engagement.State.ACTIVE, doing="completed")
    fields: dict[str, Any] = {"state": Engagement.State.COMPLETED, "ended_at": timezone.now(), "completion_note": note}
    if locked.is_trial:
        if rating is None or not 1 <= int(rating) <= 5:
            raise ValidationError({"trial_rating": "Rate the trial from 1 to 5 to complete it."})
        fields["trial_rating"] = int(rating)
    elif rating is not None:
        raise ValidationError({"trial_rating": "Only a trial gets a rating; leave it empty."})
    return _transition(engagement, locked, actor, "engagement.complete", fields)


@transaction.atomic
def terminate(*, engagement: Engagement, actor: User | None, reason: str) -> Engagement:
    """active → terminated, with the reason written down."""
    locked = _locked(engagement)
    _require_actor_manages(actor, locked)
    _require_state(locked, Engagement.State.ACTIVE, doing="terminated")
    if not reason.strip():
        raise ValidationError({"termination_reason": "Say why the engagement ends early."})
    return _transition(
        engagement,
        locked,
        actor,
        "engagement.terminate",
        {"state": Engagement.State.TERMINATED, "ended_at": timezone.now(), "termination_reason": reason.strip()},
    )


@transaction.atomic
def cancel(*, engagement: Engagement, actor: User | None) -> Engagement:
    """draft → cancelled (a plan that will not happen)."""
    locked = _locked(engagement)
    _require_actor_manages(actor, locked)
    _require_state(locked, Engagement.State.DRAFT, doing="cancelled")
    return _transition(engagement, locked, actor, "engagement.cancel", {"state": Engagement.State.CANCELLED})


# ── who may do what on one engagement ─────────────────────────────────────────


def can_manage(membership: Membership, engagement: Engagement) -> bool:
    """The engagement's own manager, or an owner of its workspace."""
    if membership.workspace_id != engagement.workspace_id:
        return False
    return membership.is_owner or (membership.role in INTERNAL and engagement.manager_id == membership.pk)


def can_assign_manager(membership: Membership, manager: Membership) -> bool:
    """An owner hands an engagement to anyone on the team; a manager plans only for themself."""
    return membership.is_owner or manager.pk == membership.pk


def assignable_managers(membership: Membership) -> QuerySet[Membership]:
    """The team members `membership` may name as an engagement's manager (see `can_assign_manager`)."""
    team = Membership.objects.filter(workspace_id=membership.workspace_id, role__in=INTERNAL)
    return team if membership.is_owner else team.filter(pk=membership.pk)


NOT_MANAGER = "Only the engagement's manager or an owner of the workspace can do this."


def _require_manager(membership: Membership, engagement: Engagement) -> None:
    if not can_manage(membership, engagement):
        raise PermissionDenied(NOT_MANAGER)


def _member_of(actor: User | Membership | None, workspace_id: int) -> Membership | None:
    """The actor's membership in the workspace; None for the system (`actor=None`).

    A person without a membership there is refused outright.
    """
    if actor is None:
        return None
    if isinstance(actor, Membership):
        member: Membership | None = actor if actor.workspace_id == workspace_id else None
    else:
        user_id = getattr(actor, "pk", None)
        member = Membership.objects.filter(user_id=user_id, workspace_id=workspace_id).first() if user_id else None
    if member is None:
        raise PermissionDenied("You are not a member of this workspace.")
    return member


def _require_actor_manages(actor: User | Membership | None, engagement: Engagement) -> Membership | None:
    """Refuse unless the actor (a user or membership) manages the engagement; None = the system."""
    member = _member_of(actor, engagement.workspace_id)
    if member is not None:
        _require_manager(member, engagement)
    return member


def is_own(membership: Membership, engagement: Engagement) -> bool:
    return engagement.workspace_id == membership.workspace_id and engagement.freelancer.user_id == membership.user_id


def _require_freelancer(membership: Membership, engagement: Engagement) -> None:
    if not is_own(membership, engagement):
        raise PermissionDenied("Only the freelancer of this engagement can do this.")


def _require_active(engagement: Engagement, doing: str) -> None:
    if engagement.state != Engagement.State.ACTIVE:
        raise ValidationError(
            f"The engagement is {engagement.get_state_display().lower()}; {doing} only on an active engagement.",
            code="state",
        )


# ── milestones ───────────────────────────────────────────────────────────────


@transaction.atomic
def add_milestone(
    *, engagement: Engagement, actor: User | None, title: str, acceptance_criteria: str, due_date: datetime.date
) -> Milestone:
    engagement = _locked(engagement)
    _require_actor_manages(actor, engagement)
    if engagement.state not in (Engagement.State.DRAFT, Engagement.State.ACTIVE):
        raise ValidationError("Milestones are planned on a draft or active engagement.", code="state")
    if not acceptance_criteria.strip():
        raise ValidationError({"acceptance_criteria": "Write down what must be true to accept the work."})
    milestone = Milestone(
        workspace_id=engagement.workspace_id,
        engagement=engagement,
        title=title,
        acceptance_criteria=acceptance_criteria,
        due_date=due_date,
    )
    save_audited(milestone, actor=actor, action="milestone.create")
    if not engagement.is_hourly and milestone.engagement.milestones.filter(status=Milestone.Status.ACCEPTED).exists():
        # A fixed price is shared equally between its milestones: a new one changes the share
        # (and so the fee) of those already accepted.
        work_changed(engagement.workspace, [engagement.pk], actor)
    return milestone


def _locked_milestone(milestone: Milestone) -> Milestone:
    return Milestone.objects.select_for_update().select_related("engagement__freelancer").get(pk=milestone.pk)


@transaction.atomic
def submit_deliverable(*, milestone: Milestone, membership: Membership, text: str, link: str = "") -> Milestone:
    """The freelancer hands in the work: open or sent back → submitted."""
    locked = _locked_milestone(milestone)
    _require_freelancer(membership, locked.engagement)
    _require_active(locked.engagement, "deliverables are submitted")
    if locked.status not in (Milestone.Status.OPEN, Milestone.Status.RETURNED):
        raise ValidationError(f"This milestone is {locked.get_status_display().lower()} already.", code="state")
    if not text.strip():
        raise ValidationError({"deliverable_text": "Describe what you deliver."})
    fields = {
        "status": Milestone.Status.SUBMITTED,
        "deliverable_text": text.strip(),
        "deliverable_link": link.strip(),
        "submitted_at": timezone.now(),
    }
    before = snapshot(locked, fields)
    for k, v in fields.items():
        setattr(locked, k, v)
    return save_audited(
        locked, actor=membership.user, action="milestone.submit", fields=[*fields, "updated_at"], before=before
    )


@transaction.atomic
def review_deliverable(*, milestone: Milestone, membership: Membership, accept: bool, note: str = "") -> Milestone:
    """The manager accepts the deliverable, or sends it back saying what must change."""
    locked = _locked_milestone(milestone)
    _require_manager(membership, locked.engagement)
    if locked.status != Milestone.Status.SUBMITTED:
        raise ValidationError("Only a submitted deliverable can be accepted or sent back.", code="state")
    if not accept and not note.strip():
        raise ValidationError({"return_note": "Say what needs to change."})
    fields = {
        "status": Milestone.Status.ACCEPTED if accept else Milestone.Status.RETURNED,
        "return_note": "" if accept else note.strip(),
        "reviewed_at": timezone.now(),
        "reviewed_by": membership.user,
    }
    before = snapshot(locked, fields)
    for k, v in fields.items():
        setattr(locked, k, v)
    action = "milestone.accept" if accept else "milestone.return"
    save_audited(locked, actor=membership.user, action=action, fields=[*fields, "updated_at"], before=before)
    if accept:  # its fee is in the cost ledger before this transaction ends, or neither is
        work_changed(locked.engagement.workspace, [locked.engagement_id], membership.user)
    return locked


# ── checkpoint reviews ───────────────────────────────────────────────────────


@transaction.atomic
def record_checkpoint(
    *,
    engagement: Engagement,
    membership: Membership,
    date: datetime.date,
    quality: int,
    timeliness: int,
    communication: int,
    notes: str = "",
) -> CheckpointReview:
    _require_manager(membership, engagement)
    _require_active(engagement, "checkpoints are recorded")
    if date < engagement.start_date:
        raise ValidationError({"date": "A checkpoint cannot be before the engagement starts."})
    if date > server_today() + datetime.timedelta(days=1):
        raise ValidationError({"date": "A checkpoint cannot be in the future."})
    review = CheckpointReview(
        workspace_id=engagement.workspace_id,
        engagement=engagement,
        reviewer=membership.user,
        date=date,
        quality=quality,
        timeliness=timeliness,
        communication=communication,
        notes=notes,
    )
    return save_audited(review, actor=membership.user, action="checkpoint.create")


# ── time ─────────────────────────────────────────────────────────────────────


MAX_HOURS_A_DAY = Decimal(24)
TRIAL_CAP_FACTOR = 3  # an owner may raise a trial's hours to at most 3 × the workspace limit


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _trial_hours_used(engagement: Engagement, *, approved_only: bool = False) -> Decimal:
    """Hours of a trial that count against its cap: approved (and waiting, unless approved_only)."""
    entries = TimeEntry.objects.filter(engagement_id=engagement.pk)
    if approved_only:
        entries = entries.filter(status=TimeEntry.Status.APPROVED)
    else:
        entries = entries.exclude(status=TimeEntry.Status.RETURNED)
    return Decimal(entries.aggregate(total=Sum("hours"))["total"] or 0)


def trial_cap_refusal(engagement: Engagement, used: Decimal, adding: Decimal, *, doing: str) -> str | None:
    """Why `adding` hours cannot be `doing` on this trial (None: within the cap, or not a trial)."""
    limit = engagement.trial_hour_limit
    if limit is None or used + adding <= limit:
        return None
    left = max(Decimal(limit) - used, Decimal(0))
    return (
        f"A trial is kept small: {_hours(used)} of its {limit} hours are used, so these "
        f"{_hours(adding)} hours cannot be {doing} (at most {_hours(left)} more). End the trial and plan a "
        "full engagement, or ask an owner to raise this trial's hour cap."
    )


@transaction.atomic
def log_time(
    *, engagement: Engagement, membership: Membership, date: datetime.date, hours: Decimal, note: str = ""
) -> TimeEntry:
    """The freelancer logs hours on their active engagement; they wait for the manager's approval.

    A trial refuses hours past its cap (G6 start small): approved and waiting hours count."""
    _require_freelancer(membership, engagement)
    _require_active(engagement, "hours are logged")
    if date < engagement.start_date:
        raise ValidationError({"date": "These hours are before the engagement started."})
    if date > server_today() + datetime.timedelta(days=1):
        raise ValidationError({"date": "Hours cannot be logged for a future day."})
    # Lock order everywhere: engagement, then freelancer, then entries. The engagement lock keeps
    # two entries logged (or approved) at once from passing the trial cap together.
    locked = _locked(engagement)
    _require_active(locked, "hours are logged")
    if locked.is_trial:
        refusal = trial_cap_refusal(locked, _trial_hours_used(locked), hours, doing="logged")
        if refusal:
            raise ValidationError({"hours": ValidationError(refusal, code="trial_cap")})
    # Nobody works more than 24 hours a day, whatever the engagements: lock the freelancer so
    # two entries logged at once cannot pass this check together. Sent-back hours don't count.
    Freelancer.objects.select_for_update().filter(pk=engagement.freelancer_id).first()
    logged = TimeEntry.objects.filter(engagement__freelancer_id=engagement.freelancer_id, date=date).exclude(
        status=TimeEntry.Status.RETURNED
    ).aggregate(total=Sum("hours"))["total"] or Decimal(0)
    if logged + hours > MAX_HOURS_A_DAY:
        left = max(MAX_HOURS_A_DAY - logged, Decimal(0))
        raise ValidationError(
            {
                "hours": f"{logged.normalize():f} hours are logged for {date:%d %B %Y} already; "
                f"a day has {MAX_HOURS_A_DAY} hours, so at most {left.normalize():f} more can be logged."
            }
        )
    entry = TimeEntry(
        workspace_id=engagement.workspace_id,
        engagement=engagement,
        date=date,
        hours=hours,
        note=note,
        logged_by=membership.user,
    )
    return save_audited(entry, actor=membership.user, action="time.log")


@transaction.atomic
def review_time(*, entry: TimeEntry, membership: Membership, approve: bool, note: str = "") -> TimeEntry:
    """The manager (or an owner) approves the hours — their fee is posted at once — or sends them back."""
    engagement = Engagement.objects.select_for_update().select_related("workspace").get(pk=entry.engagement_id)
    locked = TimeEntry.objects.select_for_update().get(pk=entry.pk)
    locked.engagement = engagement
    _require_manager(membership, engagement)
    if locked.status != TimeEntry.Status.SUBMITTED:
        raise ValidationError(f"These hours are {locked.get_status_display().lower()} already.", code="state")
    if not approve and not note.strip():
        raise ValidationError({"return_note": "Say what is wrong with these hours."})
    if approve and engagement.is_trial:
        used = _trial_hours_used(engagement, approved_only=True)
        refusal = trial_cap_refusal(engagement, used, locked.hours, doing="approved")
        if refusal:
            raise ValidationError(refusal, code="trial_cap")
    fields = {
        "status": TimeEntry.Status.APPROVED if approve else TimeEntry.Status.RETURNED,
        "reviewed_by": membership.user,
        "reviewed_at": timezone.now(),
        "return_note": "" if approve else note.strip(),
    }
    before = snapshot(locked, fields)
    for k, v in fields.items():
        setattr(locked, k, v)
    save_audited(
        locked,
        actor=membership.user,
        action="time.approve" if approve else "time.return",
        fields=[*fields, "updated_at"],
        before=before,
    )
    if approve:  # the fee is in the cost ledger (and its summary) before this transaction ends
        work_changed(engagement.workspace, [engagement.pk], membership.user)
    for k in ("status", "reviewed_by_id", "reviewed_at", "return_note", "updated_at"):
        setattr(entry, k, getattr(locked, k))
    return entry


MAX_BULK_APPROVAL = 500


@transaction.atomic
def approve_time_entries(*, actor: Membership, entries: Iterable[TimeEntry | int]) -> list[TimeEntry]:
    """Approve many waiting time entries at once: all of them, or none (a clear reason why not).

    Every entry must be in the actor's workspace (else `PermissionDenied`: callers scope first
    and answer 404), waiting for approval, on an engagement the actor manages, and a trial's
    approved hours stay within its cap. The engagements are locked (in id order) before the
    entries, as `review_time` does, so two approvals at once cannot pass a cap together. The
    fees of every engagement touched are posted in this transaction; one audit row per entry.
    Queries do not grow with the number of entries."""
    ids = sorted({e if isinstance(e, int) else e.pk for e in entries})
    if not ids:
        raise ValidationError("Choose the hours to approve.", code="empty")
    if len(ids) > MAX_BULK_APPROVAL:
        raise ValidationError(f"Approve at most {MAX_BULK_APPROVAL} entries at once.", code="too_many")
    found = TimeEntry.objects.filter(pk__in=ids, workspace_id=actor.workspace_id)
    engagement_ids = sorted(set(found.values_list("engagement_id", flat=True)))
    engagements = {
        e.pk: e
        for e in Engagement.objects.select_for_update()
        .filter(pk__in=engagement_ids, workspace_id=actor.workspace_id)
        .select_related("workspace", "freelancer", "task")
        .order_by("pk")
    }
    locked = list(found.select_for_update().order_by("pk"))
    if len(locked) != len(ids):
        raise PermissionDenied("Some of these hours are not in your workspace.")
    not_managed = sorted({str(e) for e in engagements.values() if not can_manage(actor, e)})
    if not_managed:
        raise PermissionDenied(f"{NOT_MANAGER} Not yours: {'; '.join(not_managed)}.")
    problems = []
    for entry in locked:
        entry.engagement = engagements[entry.engagement_id]
        if entry.status != TimeEntry.Status.SUBMITTED:
            problems.append(
                f"{entry.engagement.freelancer}, {entry.hours} h on {entry.date:%d %b %Y}: "
                f"{entry.get_status_display().lower()} already."
            )
    trials = [e for e in engagements.values() if e.is_trial]
    if trials:
        approved = dict(
            TimeEntry.objects.filter(engagement_id__in=[e.pk for e in trials], status=TimeEntry.Status.APPROVED)
            .values("engagement_id")
            .annotate(total=Sum("hours"))
            .values_list("engagement_id", "total")
            .order_by()
        )
        for engagement in trials:
            adding = sum((x.hours for x in locked if x.engagement_id == engagement.pk), Decimal(0))
            used = Decimal(approved.get(engagement.pk) or 0)
            refusal = trial_cap_refusal(engagement, used, adding, doing="approved")
            if refusal:
                problems.append(f"{engagement}: {refusal}")
    if problems:
        raise ValidationError([ValidationError(p, code="refused") for p in problems])
    now = timezone.now()
    user = getattr(actor, "user", None)
    for entry in locked:
        entry.status = TimeEntry.Status.APPROVED
        entry.reviewed_by = user
        entry.reviewed_at = now
        entry.return_note = ""
        entry.updated_at = now
    TimeEntry.objects.bulk_update(locked, ["status", "reviewed_by", "reviewed_at", "return_note", "updated_at"])
    workspace = next(iter(engagements.values())).workspace
    changes = {"status": [str(TimeEntry.Status.SUBMITTED), str(TimeEntry.Status.APPROVED)], "bulk": True}
    record_many(actor=user, workspace=workspace, action="time.approve", rows=[(e, dict(changes)) for e in locked])
    work_changed(workspace, engagement_ids, user)
    return locked


@transaction.atomic
def set_trial_hours_cap(*, engagement: Engagement, actor: Membership, hours: int | None, reason: str) -> Engagement:
    """An owner raises (or resets, `hours=None`) the hours a trial may use, saying why. Audited.

    Bounded: at least the hours already logged or approved, at most TRIAL_CAP_FACTOR × the
    workspace's trial limit (a trial that needs more is a full engagement)."""
    locked = _locked(engagement)
    member = _member_of(actor, locked.workspace_id)
    if member is not None and not member.is_owner:
        raise PermissionDenied("Only an owner can change a trial's hour cap.")
    if not locked.is_trial:
        raise ValidationError({"trial_hours_cap": "Only a trial has an hour cap; this is a full engagement."})
    _require_state(locked, Engagement.State.DRAFT, Engagement.State.ACTIVE, doing="given another hour cap")
    if not reason.strip():
        raise ValidationError({"reason": "Say why this trial needs another hour cap."})
    workspace_limit = locked.workspace.trial_max_hours
    if hours is not None:
        most = workspace_limit * TRIAL_CAP_FACTOR
        if not 1 <= hours <= most:
            raise ValidationError(
                {"trial_hours_cap": f"Give between 1 and {most} hours ({TRIAL_CAP_FACTOR} × the trial limit)."}
            )
    used = _trial_hours_used(locked)
    if Decimal(hours or workspace_limit) < used:
        raise ValidationError(
            {"trial_hours_cap": f"{_hours(used)} hours are logged on this trial already; the cap cannot be lower."}
        )
    before = {"trial_hours_cap": locked.trial_hours_cap}
    locked.trial_hours_cap = hours
    locked.save(update_fields=["trial_hours_cap", "updated_at"])
    record(
        actor=None if member is None else member.user,  # member is None only for the system (actor=None)
        workspace=locked.workspace,
        action="engagement.trial_cap",
        target=locked,
        changes={"trial_hours_cap": [before["trial_hours_cap"], hours], "reason": reason.strip()[:500]},
    )
    _refresh(engagement, locked)
    return engagement


# ── offboarding ──────────────────────────────────────────────────────────────


@transaction.atomic
def start_offboarding(
    *, freelancer: Freelancer, actor: User | None, reason: str = "", leaving_on: datetime.date | None = None
) -> Offboarding:
    """Mark a freelancer as leaving: one handover per active engagement of theirs."""
    locked = Freelancer.objects.select_for_update().get(pk=freelancer.pk)
    member = _member_of(actor, locked.workspace_id)
    if member is not None and member.role not in INTERNAL:
        raise PermissionDenied("Only an owner or a manager can offboard a freelancer.")
    if Offboarding.objects.filter(freelancer=locked).exists():
        raise ValidationError(f"{locked} is already being offboarded.", code="duplicate")
    offboarding = save_audited(
        Offboarding(
            workspace_id=locked.workspace_id, freelancer=locked, reason=reason, leaving_on=leaving_on, started_by=actor
        ),
        actor=actor,
        action="offboarding.start",
    )
    engagements = list(Engagement.objects.filter(freelancer=locked, state=Engagement.State.ACTIVE).order_by("pk"))
    for engagement in engagements:
        save_audited(
            Handover(workspace_id=locked.workspace_id, offboarding=offboarding, engagement=engagement),
            actor=actor,
            action="handover.create",
        )
    if not engagements:  # nothing to hand over
        offboarding.status = Offboarding.Status.DONE
        offboarding.save(update_fields=["status", "updated_at"])
    return offboarding


@transaction.atomic
def update_handover(
    *, handover: Handover, actor: User | None, status: str, replacement: Freelancer | None = None, notes: str = ""
) -> Handover:
    locked = Handover.objects.select_for_update().select_related("engagement", "offboarding").get(pk=handover.pk)
    _require_actor_manages(actor, locked.engagement)
    if status not in Handover.Status.values:
        raise ValidationError({"status": "Unknown handover status."})
    if replacement is not None and (
        replacement.workspace_id != locked.workspace_id or replacement.pk == locked.engagement.freelancer_id
    ):
        raise ValidationError({"replacement": "Choose another freelancer of this workspace."})
    if status != Handover.Status.OPEN and replacement is None:
        raise ValidationError({"replacement": "Choose the replacement first."})
    fields = {"status": status, "replacement": replacement, "notes": notes}
    before = snapshot(locked, fields)
    for k, v in fields.items():
        setattr(locked, k, v)
    save_audited(locked, actor=actor, action="handover.update", fields=[*fields, "updated_at"], before=before)
    offboarding = locked.offboarding
    all_done = not offboarding.handovers.exclude(status=Handover.Status.DONE).exists()
    new_status = Offboarding.Status.DONE if all_done else Offboarding.Status.IN_PROGRESS
    if offboarding.status != new_status:
        old_status = offboarding.status
        offboarding.status = new_status
        offboarding.save(update_fields=["status", "updated_at"])
        record(
            actor=actor,
            workspace=offboarding.workspace,
            action="offboarding.status",
            target=offboarding,
            changes={"status": [str(old_status), str(new_status)]},
        )
    return locked

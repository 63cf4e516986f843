"""Time on an engagement: the freelancer logs hours, the manager reviews them (one or many), trial hour caps."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from sourcewise.audit.services import record, record_many, save_audited, snapshot
from sourcewise.core.dates import server_today
from sourcewise.engagements.fees import work_changed
from sourcewise.engagements.guards import (
    NOT_MANAGER,
    can_manage,
    locked_engagement,
    member_of,
    refresh_from,
    require_active,
    require_freelancer,
    require_manager,
    require_state,
)
from sourcewise.engagements.models import Engagement, TimeEntry
from sourcewise.talent.models import Freelancer
from sourcewise.workspaces.models import Membership

if TYPE_CHECKING:
    pass


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
    require_freelancer(membership, engagement)
    require_active(engagement, "hours are logged")
    if date < engagement.start_date:
        raise ValidationError({"date": "These hours are before the engagement started."})
    if date > server_today() + datetime.timedelta(days=1):
        raise ValidationError({"date": "Hours cannot be logged for a future day."})
    # Lock order everywhere: engagement, then freelancer, then entries. The engagement lock keeps
    # two entries logged (or approved) at once from passing the trial cap together.
    locked = locked_engagement(engagement)
    require_active(locked, "hours are logged")
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
    # The engagement's row only, not its workspace's (see guards.locked_engagement).
    engagement = (
        Engagement.objects.select_for_update(of=("self",)).select_related("workspace").get(pk=entry.engagement_id)
    )
    locked = TimeEntry.objects.select_for_update().get(pk=entry.pk)
    locked.engagement = engagement
    require_manager(membership, engagement)
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
        for e in Engagement.objects.select_for_update(of=("self",))
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
    locked = locked_engagement(engagement)
    member = member_of(actor, locked.workspace_id)
    if member is not None and not member.is_owner:
        raise PermissionDenied("Only an owner can change a trial's hour cap.")
    if not locked.is_trial:
        raise ValidationError({"trial_hours_cap": "Only a trial has an hour cap; this is a full engagement."})
    require_state(locked, Engagement.State.DRAFT, Engagement.State.ACTIVE, doing="given another hour cap")
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
    refresh_from(engagement, locked)
    return engagement

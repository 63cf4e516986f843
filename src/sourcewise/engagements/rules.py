"""Findings of engagements: G2 managers, G6 trial first and kept small, G8 backups, checkpoints (OPS)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from sourcewise.core.access import INTERNAL
from sourcewise.engagements.models import Engagement
from sourcewise.engagements.selectors import (
    active_counts_by_manager,
    checkpoint_due_on,
    engagements_without_backup,
    freelancers_with_good_trial,
    last_review_dates,
)
from sourcewise.findings.codes import Severity
from sourcewise.findings.registry import CheckContext, Finding, check, coming_up
from sourcewise.workspaces.models import Membership

OPEN_STATES = (Engagement.State.DRAFT, Engagement.State.ACTIVE)
SUBJECT = "engagement"


def _open_engagements(ctx: CheckContext) -> list[Engagement]:
    """Draft and active engagements (only the scope's in a scoped run)."""
    return ctx.memo(
        "engagements.open",
        lambda: list(
            ctx.limit(Engagement.objects.filter(workspace=ctx.workspace, state__in=OPEN_STATES), "engagement")
            .select_related("freelancer", "task", "workspace", "manager__user")
            .order_by("pk")
        ),
    )


def _on(e: Engagement, code: str, severity: Severity, message: str, fix: str, **extra: Any) -> Finding:
    """A finding about one engagement (the subject every check here but the manager load uses)."""
    return Finding(code=code, severity=severity, subject_type=SUBJECT, subject_id=e.pk, subject_label=str(e),
                   message=message, fix=fix, **extra)  # fmt: skip


@check("NO_MANAGER")
def engagements_without_manager(ctx: CheckContext) -> Iterator[Finding]:
    """Subject: each draft or active engagement (work running or about to start) without a
    manager, or managed by a member who is not an owner or manager. Completed, terminated
    and cancelled engagements are never judged."""
    for e in _open_engagements(ctx):
        if e.manager is None:
            message = f"{e.freelancer} on {e.task} has no manager; outsourced work drifts without one."
        elif e.manager.role not in INTERNAL:
            message = f"{e.freelancer} on {e.task} is managed by {e.manager.user}, who is not an owner or manager."
        else:
            continue
        yield _on(
            e,
            "NO_MANAGER",
            Severity.CRITICAL,
            message=message,
            fix="Open the engagement and choose the owner or manager of your team who will run it.",
        )


@check("MANAGER_OVERLOADED", wide=True)
def overloaded_managers(ctx: CheckContext) -> Iterator[Finding]:
    """Subject: each member managing more active engagements than the workspace's limit
    (draft ones do not count yet). Workspace-wide: it counts across every engagement."""
    limit = ctx.workspace.manager_max_active_engagements
    counts = active_counts_by_manager(ctx.workspace)
    over = {pk: n for pk, n in counts.items() if n > limit}
    if not over:
        return
    for membership in Membership.objects.filter(pk__in=over).select_related("user").order_by("pk"):
        yield Finding(
            code="MANAGER_OVERLOADED",
            severity=Severity.WARNING,
            subject_type="membership",
            subject_id=membership.pk,
            subject_label=str(membership.user),
            message=f"{membership.user} manages {over[membership.pk]} active engagements (the limit is {limit}).",
            fix="Give some of these engagements to another manager, or finish the ones that are done.",
        )


@check("NO_TRIAL")
def full_engagements_without_trial(ctx: CheckContext) -> Iterator[Finding]:
    """Subject: each draft or active full engagement whose freelancer has no completed trial
    in this workspace rated at least the minimum. Trials themselves are never judged."""
    engagements = _open_engagements(ctx)
    among = None if ctx.scope is None else {e.freelancer_id for e in engagements}
    good = freelancers_with_good_trial(ctx.workspace, among)
    minimum = ctx.workspace.trial_min_rating
    for e in engagements:
        if e.kind == Engagement.Kind.FULL and e.freelancer_id not in good:
            yield _on(
                e,
                "NO_TRIAL",
                Severity.WARNING,
                message=f"{e.freelancer} has a full engagement without a completed trial rated {minimum} or more.",
                fix="Start with a small trial (at most "
                f"{ctx.workspace.trial_max_hours} hours, {ctx.workspace.trial_max_days} days) and rate it.",
            )


@check("TRIAL_OVERRUN")
def trials_past_their_end(ctx: CheckContext) -> Iterator[Finding]:
    """G6 start small holds after the start: an active trial whose end date is before the
    workspace's today (ending today is on time; completed or ended trials are not judged).

    Coming up: a trial ending within the next 13 days (its overrun would start within 14) is
    yielded with `starts_on` the day after its end — same fingerprint, so the stored row turns
    live on that day if the trial is still running."""
    for e in _open_engagements(ctx):
        if e.state != Engagement.State.ACTIVE or not e.is_trial or e.end_date is None:
            continue
        overrun_from = e.end_date + datetime.timedelta(days=1)
        if overrun_from > ctx.today:
            if coming_up(ctx.today, overrun_from):
                yield _on(
                    e,
                    "TRIAL_OVERRUN",
                    Severity.WARNING,
                    message=f"The trial of {e.freelancer} on {e.task} ends on {e.end_date:%d %b %Y}; "
                    f"still running the day after, it overruns.",
                    fix=f"Before {e.end_date:%d %b}: end it, or convert it to a full engagement.",
                    starts_on=overrun_from,
                )
            continue
        days = (ctx.today - e.end_date).days
        yield _on(
            e,
            "TRIAL_OVERRUN",
            Severity.WARNING,
            message=f"The trial of {e.freelancer} on {e.task} ended on {e.end_date:%d %b %Y} "
            f"({days} day{'s' if days != 1 else ''} ago) and is still running.",
            fix="End it or convert it to a full engagement.",
        )


@check("CHECKPOINT_OVERDUE")
def overdue_checkpoints(ctx: CheckContext) -> Iterator[Finding]:
    """Subject: each active engagement (drafts have not started; ended ones need no review).
    Overdue when today is after last review (or start) + cadence: 14 days on is on time, 15 is late."""
    active = [e for e in _open_engagements(ctx) if e.state == Engagement.State.ACTIVE]
    last = last_review_dates(active)
    for e in active:
        due = checkpoint_due_on(e, last.get(e.pk))
        if ctx.today > due:
            yield _on(
                e,
                "CHECKPOINT_OVERDUE",
                Severity.WARNING,
                message=f"The checkpoint review of {e.freelancer} on {e.task} was due on {due:%d %b %Y}.",
                fix="Record a checkpoint review: rate quality, timeliness and communication and write a note.",
            )


@check("NO_BACKUP", wide=True)
def engagements_without_backup_check(ctx: CheckContext) -> Iterator[Finding]:
    """G8: an active engagement whose task needs a skill that no approved or active freelancer
    other than the engaged one has at ≥ `bench_min_level` (the skill's bench holds only them).
    Drafts and tasks that need no skill are not judged. Workspace-wide: the bench depends on
    every freelancer's skills and status."""
    active = [e for e in _open_engagements(ctx) if e.state == Engagement.State.ACTIVE]
    alone = engagements_without_backup(active)
    minimum = ctx.workspace.bench_min_level
    for e in active:
        skills = alone.get(e.pk)
        if not skills:
            continue
        names = ", ".join(s.name for s in skills)
        yield _on(
            e,
            "NO_BACKUP",
            Severity.WARNING,
            message=f"If {e.freelancer} stops, nobody else approved has {names} at level {minimum} or more "
            f"for {e.task}.",
            fix="Vet a second freelancer with these skills (Talent → Bench shows the thin skills), "
            "so the work does not stop when one person leaves.",
        )

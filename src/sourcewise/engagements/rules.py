"""Findings of engagements: G2 managers, G4 agreed rates, G6 trial first and kept small, G8 backups,
checkpoints (OPS)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q

from sourcewise.core.access import INTERNAL
from sourcewise.engagements.agreed_rates import engagement_findings, open_engagements
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
from sourcewise.guidance.models import SOP, SOPAcknowledgement, TrainingRecord
from sourcewise.money.rules import rate_book
from sourcewise.talent.models import VETTED_STATUSES, Freelancer
from sourcewise.tasks.models import Task, TaskSkill
from sourcewise.workspaces.models import Membership

OPEN_STATES = (Engagement.State.DRAFT, Engagement.State.ACTIVE)
SUBJECT = "engagement"


def _open_engagements(ctx: CheckContext) -> list[Engagement]:
    """Draft and active engagements (only the scope's in a scoped run)."""

    def load() -> list[Engagement]:
        engagements = list(
            ctx.limit(Engagement.objects.filter(workspace=ctx.workspace, state__in=OPEN_STATES), "engagement")
            .select_related("freelancer", "task", "manager__user")
            .order_by("pk")
        )
        # Their workspace is the run's: the same row, not read and parsed again with each of them.
        for e in engagements:
            e.workspace = ctx.workspace
        return engagements

    return ctx.memo("engagements.open", load)


def _on(e: Engagement, code: str, severity: Severity, message: str, fix: str, **extra: Any) -> Finding:
    """A finding about one engagement (the subject every check here but the manager load uses)."""
    return Finding(code=code, severity=severity, subject_type=SUBJECT, subject_id=e.pk, subject_label=str(e),
                   message=message, fix=fix, **extra)  # fmt: skip


# The checks moved here from talent, money and guidance come first, in the order they ran
# before (the stored findings of one refresh are numbered in check order: a tie in the
# dashboard's order is broken by that number).


# -- G3 talent: who is engaged, and whether anyone can be ------------------------------------
# The freelancer-only checks (overlap, language, vetting record, references) are talent's
# (talent/rules.py); these read engagements and tasks.


@check("UNVETTED_FREELANCER")
def unvetted_freelancers_on_engagements(ctx: CheckContext) -> Iterator[Finding]:
    """Subject: each draft or active engagement whose freelancer is not approved.

    Critical on an active engagement (someone unvetted is working); a warning on a draft (the
    work is about to start: vet them before it does — nobody works unvetted yet). A full
    engagement needs an approved or active freelancer; a trial (part of vetting) may be done
    by a prospect or someone in vetting, but by nobody rejected or gone."""
    engagements = (
        ctx.limit(
            Engagement.objects.filter(
                workspace=ctx.workspace, state__in=(Engagement.State.DRAFT, Engagement.State.ACTIVE)
            ),
            "engagement",
        )
        .exclude(freelancer__status__in=VETTED_STATUSES)
        .select_related("freelancer", "task")
        .order_by("pk")
    )
    for e in engagements:
        freelancer = e.freelancer
        gone = freelancer.status in (Freelancer.Status.REJECTED, Freelancer.Status.LEFT)
        if e.is_trial and not gone:
            continue
        status = freelancer.get_status_display().lower()
        active = e.state == Engagement.State.ACTIVE
        yield Finding(
            "UNVETTED_FREELANCER",
            Severity.CRITICAL if active else Severity.WARNING,
            "engagement",
            e.pk,
            f"{freelancer.name} works on {e.task} ({e.get_kind_display().lower()}, {e.get_state_display().lower()}) "
            f"but is {status}, not approved."
            if active
            else f"{freelancer.name} is about to work on {e.task} ({e.get_kind_display().lower()}, draft) "
            f"but is {status}, not approved.",
            "Finish their vetting and approve them, or hand the work to an approved freelancer."
            if not gone
            else "Hand the work to an approved freelancer (start offboarding to see ranked replacements).",
            str(e),
        )


@check("SKILL_GAP", wide=True)
def tasks_without_a_skilled_freelancer(ctx: CheckContext) -> Iterator[Finding]:
    """Subject: each task with skill needs that is outsourced work — marked outsourced (not
    archived), or with a draft or active engagement — for which no approved or active
    freelancer has every needed skill at the needed level: whoever you engage for it would
    have a skill gap. A task kept in-house with no engagement is never judged: nobody needs
    to be found for it.

    Workspace-wide: any freelancer's skills or status can close or open the gap."""
    engaged = Engagement.objects.filter(
        workspace=ctx.workspace, state__in=(Engagement.State.DRAFT, Engagement.State.ACTIVE)
    ).values("task_id")
    outsourced_work = Q(sourcing=Task.Sourcing.OUTSOURCE) | Q(pk__in=engaged)
    tasks = list(
        Task.objects.in_workspace(ctx.workspace)
        .filter(outsourced_work, archived_at__isnull=True)
        .prefetch_related(Prefetch("skill_needs", TaskSkill.objects.select_related("skill")))
        .order_by("pk")
    )
    vetted = _vetted_skill_levels(ctx)
    gaps: list[tuple[Task, list[TaskSkill], tuple[int, str] | None]] = []
    for task in tasks:
        needs = list(task.skill_needs.all())
        if needs and not vetted.anyone_meets(needs):
            gaps.append((task, needs, vetted.closest(needs)))
    names = dict(Freelancer.objects.filter(pk__in=[best[0] for _, _, best in gaps if best]).values_list("pk", "name"))
    for task, needs, best in gaps:
        closest = f" The closest is {names[best[0]]} ({best[1]})." if best else ""
        needed = ", ".join(f"{n.skill.name} ≥ {n.level}" for n in needs)
        yield Finding(
            "SKILL_GAP",
            Severity.WARNING,
            "task",
            task.pk,
            f"No approved freelancer has what {task.name} needs ({needed}).{closest}",
            "Vet a freelancer with these skills, or train one of your approved freelancers.",
            task.name,
        )


@dataclass
class _VettedSkills:
    """The skill levels of the approved and active freelancers, per skill, for "does anyone meet
    every need" by set intersection instead of a pass over every freelancer per task."""

    # {skill id: {freelancer id: level}}; a freelancer without the skill is at level 0.
    levels: dict[int, dict[int, int]]
    # {freelancer id: place in the list's order (name, id)}: the first of equals is the closest.
    place: dict[int, int]
    at_least: dict[tuple[int, int], set[int]] = field(default_factory=dict)

    def meeting(self, need: TaskSkill) -> set[int]:
        key = (need.skill_id, need.level)
        if key not in self.at_least:
            self.at_least[key] = {f for f, level in self.levels.get(need.skill_id, {}).items() if level >= need.level}
        return self.at_least[key]

    def anyone_meets(self, needs: list[TaskSkill]) -> bool:
        # Every level needed is ≥ 1 (a constraint): someone without a needed skill meets nothing.
        groups = sorted((self.meeting(n) for n in needs), key=len)
        return bool(groups[0].intersection(*groups[1:]))

    def closest(self, needs: list[TaskSkill]) -> tuple[int, str] | None:
        """(freelancer id, "Skill have/needed, …") of the one nearest to every need (the sum of
        their levels capped at the need), the first in the list's order among equals; None when
        nobody has any needed skill."""
        closeness: dict[int, int] = {}
        for n in needs:
            for f, level in self.levels.get(n.skill_id, {}).items():
                closeness[f] = closeness.get(f, 0) + min(level, n.level)
        if not closeness:
            return None
        best = min(closeness, key=lambda f: (-closeness[f], self.place[f]))
        have = ", ".join(f"{n.skill.name} {self.levels.get(n.skill_id, {}).get(best, 0)}/{n.level}" for n in needs)
        return best, have


def _vetted_skill_levels(ctx: CheckContext) -> _VettedSkills:
    def load() -> _VettedSkills:
        rows = (
            Freelancer.objects.in_workspace(ctx.workspace)
            .filter(status__in=VETTED_STATUSES)
            .values_list("pk", "skill_levels__skill_id", "skill_levels__level")
            .order_by("name", "pk")
        )
        vetted = _VettedSkills({}, {})
        for freelancer_id, skill_id, level in rows:
            vetted.place.setdefault(freelancer_id, len(vetted.place))
            if skill_id is not None:
                vetted.levels.setdefault(skill_id, {})[freelancer_id] = level
        return vetted

    return ctx.memo("talent.vetted_skill_levels", load)


# -- G4: agreed rates inside the fair band --------------------------------------------------
# Every draft or active engagement's agreed rate against the fair band. The decisions (which
# skills, which date, a missing exchange rate) are in `engagements/agreed_rates.py` and
# docs/money.md. The RateBook and the engagements load once per evaluation (`ctx.memo`):
# three queries whatever the number of engagements.


def _rated_engagements(ctx: CheckContext) -> list[Engagement]:
    """Draft and active engagements: only the scope's in a scoped run."""
    ids = None if ctx.scope is None else ctx.scope.ids("engagement")
    return ctx.memo("money.open_engagements", lambda: open_engagements(ctx.workspace, ids))


@check("RATE_BELOW_MARKET", "RATE_UNDER_FAIR_FLOOR", "RATE_ABOVE_HOME", "NO_RATE_BENCHMARK")
def agreed_rates_outside_the_fair_band(ctx: CheckContext) -> Iterator[Finding]:
    """Subject: each draft or active engagement (a draft on its start date, an active one
    today), one finding per skill its task needs. Ended engagements are never judged."""
    engagements = _rated_engagements(ctx)
    if not engagements:
        return
    book = rate_book(ctx)
    for engagement in engagements:
        yield from engagement_findings(book, engagement, ctx.today)


# -- G6 / G2 guidance: SOPs acknowledged on active engagements, managers trained ------------


@check("SOP_NOT_ACKNOWLEDGED")
def active_engagements_with_unacknowledged_sops(ctx: CheckContext) -> Iterator[Finding]:
    """G6 (critical): an active engagement whose freelancer has not acknowledged the current
    version of an SOP that applies to its task (on the task, or on a skill it needs).

    Drafts are not judged: acknowledging is a requirement of activation, checked then.
    Five queries whatever the number of engagements and SOPs."""
    engagements = list(
        ctx.limit(Engagement.objects.filter(workspace=ctx.workspace, state=Engagement.State.ACTIVE), "engagement")
        .select_related("freelancer", "task")
        .order_by("pk")
    )
    if not engagements:
        return
    task_ids = {e.task_id for e in engagements}
    sops_of_task: dict[int, set[int]] = {}
    on_task = SOP.tasks.through.objects.filter(task_id__in=task_ids).values_list("task_id", "sop_id")
    on_skill = SOP.objects.filter(skills__task_needs__task_id__in=task_ids).values_list(
        "skills__task_needs__task_id", "pk"
    )
    for task_id, sop_id in [*on_task, *on_skill]:
        sops_of_task.setdefault(task_id, set()).add(sop_id)
    sops = {
        sop.pk: sop
        for sop in SOP.objects.filter(
            workspace=ctx.workspace, pk__in=set().union(*sops_of_task.values()), current_version__isnull=False
        ).select_related("current_version")
    }
    acknowledged = set(
        SOPAcknowledgement.objects.filter(
            version_id__in=[s.current_version_id for s in sops.values()],
            freelancer_id__in={e.freelancer_id for e in engagements},
        ).values_list("version_id", "freelancer_id")
    )
    for e in engagements:
        missing = sorted(
            (
                sops[pk]
                for pk in sops_of_task.get(e.task_id, ())
                if pk in sops and (sops[pk].current_version_id, e.freelancer_id) not in acknowledged
            ),
            key=lambda sop: (sop.title, sop.pk),
        )
        if not missing:
            continue
        shown = ", ".join(
            f"“{sop.title}” (version {sop.current_version.number})" for sop in missing if sop.current_version
        )
        yield Finding(
            "SOP_NOT_ACKNOWLEDGED",
            Severity.CRITICAL,
            "engagement",
            e.pk,
            f"{e.freelancer} works on {e.task} without having acknowledged {shown}.",
            "Ask them to read and acknowledge it in their portal (they get an email); the SOP page shows "
            "who has not acknowledged yet.",
            str(e),
        )


@check("MANAGER_UNTRAINED")
def untrained_managers_check(ctx: CheckContext) -> Iterator[Finding]:
    """Subject: each owner or manager who manages at least one draft or active engagement and
    has no training record (SPEC G2). An owner acting as manager is checked like a manager;
    a member who manages nothing is never judged (whoever is not an owner or manager is
    `NO_MANAGER`'s business)."""
    # EXISTS per member (the manager index), not "IN every open engagement's manager".
    managing = Engagement.objects.filter(
        manager_id=OuterRef("pk"), state__in=(Engagement.State.DRAFT, Engagement.State.ACTIVE)
    )
    members = (
        ctx.limit(
            Membership.objects.filter(workspace=ctx.workspace, role__in=INTERNAL).filter(Exists(managing)),
            "membership",
        )
        .exclude(Exists(TrainingRecord.objects.filter(member_id=OuterRef("pk"))))
        .select_related("user")
        .order_by("pk")
    )
    for member in members:
        name = member.user.display_name
        yield Finding(
            "MANAGER_UNTRAINED",
            Severity.WARNING,
            "membership",
            member.pk,
            f"{name} manages outsourced work but has no outsourcing-management training on record.",
            "Record their training (Guidance → Training) — or plan it: briefing freelancers, "
            "checkpoints, feedback and acceptance of deliverables.",
            name,
        )


# -- engagements' own checks ------------------------------------------------------------------


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
    # Ids only: the engagements as models (with their freelancer and task, for the message) are
    # loaded for the few without a backup, not for every active one of a large workspace.
    active = ctx.limit(
        Engagement.objects.filter(workspace=ctx.workspace, state=Engagement.State.ACTIVE), "engagement"
    ).values_list("pk", "task_id", "freelancer_id")
    alone = engagements_without_backup(ctx.workspace, active.order_by("pk"))
    minimum = ctx.workspace.bench_min_level
    for e in _engagements_by_pk(sorted(alone)):
        skills = alone[e.pk]
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


def _engagements_by_pk(pks: list[int]) -> Iterator[Engagement]:
    """The engagements `pks` (ascending) with their freelancer and task, by pk: a few hundred ids a
    query (SQLite's limit on parameters)."""
    for at in range(0, len(pks), 500):
        batch = Engagement.objects.filter(pk__in=pks[at : at + 500]).select_related("freelancer", "task")
        yield from batch.order_by("pk")

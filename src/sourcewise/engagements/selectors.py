"""Reads of engagements: lists with their related rows, the scorecard, hours and fees."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, Max, Prefetch, QuerySet, Sum

from sourcewise.engagements.models import CheckpointReview, Engagement, Handover, Milestone, TimeEntry
from sourcewise.talent.models import Freelancer, FreelancerSkill
from sourcewise.workspaces.models import Workspace

TWO_PLACES = Decimal("0.01")


def with_related(engagements: QuerySet[Engagement]) -> QuerySet[Engagement]:
    """Everything a list row or an API item shows, in the same query."""
    return engagements.select_related("freelancer", "task", "manager__user", "workspace")


def has_good_trial(freelancer_id: int, workspace: Workspace) -> bool:
    """A completed trial of this freelancer in this workspace rated ≥ the workspace minimum."""
    return Engagement.objects.filter(
        workspace=workspace,
        freelancer_id=freelancer_id,
        kind=Engagement.Kind.TRIAL,
        state=Engagement.State.COMPLETED,
        trial_rating__gte=workspace.trial_min_rating,
    ).exists()


def freelancers_with_good_trial(workspace: Workspace) -> set[int]:
    return set(
        Engagement.objects.filter(
            workspace=workspace,
            kind=Engagement.Kind.TRIAL,
            state=Engagement.State.COMPLETED,
            trial_rating__gte=workspace.trial_min_rating,
        ).values_list("freelancer_id", flat=True)
    )


def trial_days(engagement: Engagement) -> int | None:
    """Length in days counting both ends (1–14 March = 14), None without an end date."""
    if engagement.end_date is None:
        return None
    return (engagement.end_date - engagement.start_date).days + 1


def checkpoint_cadence_days(engagement: Engagement) -> int:
    """How many days may pass between checkpoint reviews of this engagement.

    For now the workspace setting; the task's own cadence (advisor) replaces it later.
    """
    return int(engagement.workspace.checkpoint_max_days)


def checkpoint_due_on(engagement: Engagement, last_review: datetime.date | None) -> datetime.date:
    """The last day a review is on time: last review (or start) + cadence. Overdue after it."""
    since = max(d for d in (last_review, engagement.start_date) if d is not None)
    try:
        return since + datetime.timedelta(days=checkpoint_cadence_days(engagement))
    except OverflowError:  # a start date at the end of the calendar
        return datetime.date.max


def last_review_dates(engagements: Iterable[Engagement]) -> dict[int, datetime.date]:
    ids = [e.pk for e in engagements]
    rows = (
        CheckpointReview.objects.filter(engagement_id__in=ids)
        .values("engagement_id")
        .annotate(last=Max("date"))
        .values_list("engagement_id", "last")
    )
    return dict(rows)


@dataclass(frozen=True)
class Scorecard:
    """What a freelancer's checkpoint reviews add up to (averages on 1–5, two decimals)."""

    freelancer_id: int
    reviews: int
    quality: Decimal
    timeliness: Decimal
    communication: Decimal
    last_review: datetime.date | None

    @property
    def overall(self) -> Decimal:
        return ((self.quality + self.timeliness + self.communication) / 3).quantize(TWO_PLACES)


def _two_places(value: object) -> Decimal:
    return Decimal(str(value)).quantize(TWO_PLACES)


def scorecard_for(freelancers: Iterable[Freelancer | int]) -> dict[int, Scorecard]:
    """Scorecards of the given freelancers, in one query. Freelancers without reviews are absent."""
    ids = [f if isinstance(f, int) else f.pk for f in freelancers]
    rows = (
        CheckpointReview.objects.filter(engagement__freelancer_id__in=ids)
        .values("engagement__freelancer_id")
        .annotate(n=Count("id"), q=Avg("quality"), t=Avg("timeliness"), c=Avg("communication"), last=Max("date"))
        .order_by()
    )
    return {
        row["engagement__freelancer_id"]: Scorecard(
            freelancer_id=row["engagement__freelancer_id"],
            reviews=row["n"],
            quality=_two_places(row["q"]),
            timeliness=_two_places(row["t"]),
            communication=_two_places(row["c"]),
            last_review=row["last"],
        )
        for row in rows
    }


def approved_hours(
    engagement: Engagement, start: datetime.date | None = None, end: datetime.date | None = None
) -> Decimal:
    """Approved hours of the engagement between start and end (both included, either optional)."""
    entries = TimeEntry.objects.filter(engagement=engagement, status=TimeEntry.Status.APPROVED)
    if start is not None:
        entries = entries.filter(date__gte=start)
    if end is not None:
        entries = entries.filter(date__lte=end)
    total = entries.aggregate(total=Sum("hours"))["total"]
    return Decimal(total or 0).quantize(TWO_PLACES)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.amount:,.2f} {self.currency}"


def hourly_fees(engagement: Engagement, start: datetime.date | None = None, end: datetime.date | None = None) -> Money:
    """Fees of an hourly engagement: approved hours × rate, exact, in the engagement currency.

    Only approved hours count. A fixed-price engagement has no hourly fees (its price is
    `budget_cap`; the money app decides when it is earned), so it raises ValueError.
    """
    if not engagement.is_hourly:
        raise ValueError("A fixed-price engagement has no hourly fees; its price is the budget cap.")
    return Money(approved_hours(engagement, start, end) * engagement.rate, engagement.currency)


@dataclass(frozen=True)
class Candidate:
    freelancer: Freelancer
    total_level: int


def replacement_candidates(engagement: Engagement) -> list[Candidate]:
    """Who could take over this engagement, best first.

    For now: other freelancers of the workspace with every skill the task needs at the
    needed level, ranked by the sum of their levels in those skills (then by name).
    The match score of the talent app replaces this ranking later.
    """
    needs = {n.skill_id: n.level for n in engagement.task.skill_needs.all()}
    others = Freelancer.objects.filter(workspace_id=engagement.workspace_id, offboarding__isnull=True).exclude(
        pk=engagement.freelancer_id
    )
    others = others.prefetch_related(
        Prefetch("skill_levels", FreelancerSkill.objects.filter(skill_id__in=list(needs)), to_attr="needed_levels")
    )
    candidates = []
    for freelancer in others:
        levels = {fs.skill_id: fs.level for fs in freelancer.needed_levels}  # type: ignore[attr-defined]
        if all(levels.get(skill, 0) >= level for skill, level in needs.items()):
            candidates.append(Candidate(freelancer, sum(levels.values())))
    candidates.sort(key=lambda c: (-c.total_level, c.freelancer.name, c.freelancer.pk))
    return candidates


def milestones_of(engagement: Engagement) -> QuerySet[Milestone]:
    return Milestone.objects.filter(engagement=engagement).select_related("reviewed_by")


def handovers_with_related(handovers: QuerySet[Handover]) -> QuerySet[Handover]:
    return handovers.select_related(
        "engagement__task", "engagement__freelancer", "engagement__manager__user", "replacement", "offboarding"
    )


def active_counts_by_manager(workspace: Workspace) -> dict[int, int]:
    rows = (
        Engagement.objects.filter(workspace=workspace, state=Engagement.State.ACTIVE, manager__isnull=False)
        .values("manager_id")
        .annotate(n=Count("id"))
        .values_list("manager_id", "n")
    )
    return dict(rows)

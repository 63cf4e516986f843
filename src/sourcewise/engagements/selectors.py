"""Reads of engagements: lists with their related rows, the scorecard, hours and fees."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DateField,
    DecimalField,
    Exists,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)

from sourcewise.engagements.models import CheckpointReview, Engagement, Handover, Milestone, Offboarding, TimeEntry
from sourcewise.money.values import Money
from sourcewise.talent.models import Freelancer, Skill
from sourcewise.talent.selectors import bench_for
from sourcewise.tasks.models import Task, TaskSkill
from sourcewise.workspaces.models import Workspace

TWO_PLACES = Decimal("0.01")


def with_related(engagements: QuerySet[Engagement]) -> QuerySet[Engagement]:
    """Everything a list row or an API item shows, in the same query."""
    return engagements.select_related("freelancer", "task", "manager__user", "workspace")


# What a row of the engagements page shows, not every column of four joined models (the
# workspace's settings parsed again for each of the 50 rows).
LIST_ROW_COLUMNS = (
    "workspace_id", "freelancer_id", "task_id", "manager_id", "kind", "state", "billing", "rate", "currency",
    "budget_cap", "start_date", "end_date", "freelancer__name", "task__name", "manager__user__full_name",
    "manager__user__email",
)  # fmt: skip


def list_rows(engagements: QuerySet[Engagement]) -> QuerySet[Engagement]:
    """Engagements with only what the engagements page's rows show, in the same query."""
    return engagements.select_related("freelancer", "task", "manager__user").only(*LIST_ROW_COLUMNS)


def has_good_trial(freelancer_id: int, workspace: Workspace) -> bool:
    """A completed trial of this freelancer in this workspace rated ≥ the workspace minimum."""
    return Engagement.objects.filter(
        workspace=workspace,
        freelancer_id=freelancer_id,
        kind=Engagement.Kind.TRIAL,
        state=Engagement.State.COMPLETED,
        trial_rating__gte=workspace.trial_min_rating,
    ).exists()


def freelancers_with_good_trial(workspace: Workspace, among: Iterable[int] | None = None) -> set[int]:
    """Freelancers with a completed trial rated at least the minimum (only `among` when given)."""
    good: dict[str, Any] = {"kind": Engagement.Kind.TRIAL, "state": Engagement.State.COMPLETED}
    good["trial_rating__gte"] = workspace.trial_min_rating
    if among is None:
        trials = Engagement.objects.filter(workspace=workspace, **good)
    else:
        # Read by the freelancers' index, or SQLite walks every completed engagement of the
        # workspace (38 ms, not 0.1).
        trials = Engagement.objects.in_workspace_unindexed(workspace.pk).filter(
            freelancer_id__in=sorted(set(among)), **good
        )
    return set(trials.order_by().values_list("freelancer_id", flat=True))


def trial_days(engagement: Engagement) -> int | None:
    """Length in days counting both ends (1–14 March = 14), None without an end date."""
    if engagement.end_date is None:
        return None
    return (engagement.end_date - engagement.start_date).days + 1


def checkpoint_cadence_days(engagement: Engagement) -> int:
    """How many days may pass between checkpoint reviews of this engagement: the task's own
    cadence (`Task.checkpoint_every_days`, set in the advisor), or the workspace setting
    `checkpoint_max_days` when the task has none."""
    every = engagement.task.checkpoint_every_days
    return int(every if every is not None else engagement.workspace.checkpoint_max_days)


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
    return {row["engagement__freelancer_id"]: _scorecard(row["engagement__freelancer_id"], row) for row in rows}


def _scorecard(freelancer_id: int, row: Mapping[str, Any]) -> Scorecard:
    return Scorecard(
        freelancer_id=freelancer_id,
        reviews=row["n"],
        quality=_two_places(row["q"]),
        timeliness=_two_places(row["t"]),
        communication=_two_places(row["c"]),
        last_review=row["last"],
    )


def _one(rows: QuerySet[Any], group: str, value: Any, output: Any) -> Subquery:
    """A correlated aggregate of `rows` (already narrowed to the outer row): one index lookup."""
    return Subquery(rows.order_by().values(group).annotate(v=value).values("v")[:1], output_field=output)


def with_page_sums(engagements: QuerySet[Engagement]) -> QuerySet[Engagement]:
    """What the engagement page sums, in the engagement's own row (SPEC §6 P6: ≤ 15 queries):
    its hours (how many entries, approved and waiting hours), how many checkpoint reviews it
    has, and its freelancer's scorecard over all their reviews (what `scorecard_for` computes).
    Read them with `page_sums()`."""
    entries = TimeEntry.objects.filter(engagement=OuterRef("pk"))
    reviews = CheckpointReview.objects.filter(engagement__freelancer_id=OuterRef("freelancer_id"))
    hours = DecimalField(max_digits=12, decimal_places=2)
    person = "engagement__freelancer_id"
    return engagements.annotate(
        page_entries=_one(entries, "engagement", Count("pk"), IntegerField()),
        page_approved=_one(entries.filter(status=TimeEntry.Status.APPROVED), "engagement", Sum("hours"), hours),
        page_waiting=_one(entries.filter(status=TimeEntry.Status.SUBMITTED), "engagement", Sum("hours"), hours),
        page_reviews=_one(
            CheckpointReview.objects.filter(engagement=OuterRef("pk")), "engagement", Count("pk"), IntegerField()
        ),
        card_n=_one(reviews, person, Count("pk"), IntegerField()),
        card_q=_one(reviews, person, Avg("quality"), FloatField()),
        card_t=_one(reviews, person, Avg("timeliness"), FloatField()),
        card_c=_one(reviews, person, Avg("communication"), FloatField()),
        card_last=_one(reviews, person, Max("date"), DateField()),
    )


@dataclass(frozen=True)
class PageSums:
    entries: int
    approved: Decimal  # hours, two places
    reviews: int
    trial: TrialUsage | None
    scorecard: Scorecard | None


def page_sums(engagement: Engagement) -> PageSums:
    """The sums `with_page_sums` read (the same figures as `approved_hours`, `trial_usage` and
    `scorecard_for`)."""
    e: Any = engagement
    approved = Decimal(e.page_approved or 0)
    trial = None
    if engagement.is_trial:
        trial = TrialUsage(
            approved=approved, waiting=Decimal(e.page_waiting or 0), limit=engagement.trial_hour_limit or 0
        )
    card = None
    if e.card_n:
        card = _scorecard(
            engagement.freelancer_id,
            {"n": e.card_n, "q": e.card_q, "t": e.card_t, "c": e.card_c, "last": e.card_last},
        )
    return PageSums(
        entries=e.page_entries or 0,
        approved=approved.quantize(TWO_PLACES),
        reviews=e.page_reviews or 0,
        trial=trial,
        scorecard=card,
    )


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


TRIAL_WARN_SHARE = Decimal("0.8")  # "approaching the cap" from 80 % of a trial's hours


@dataclass(frozen=True)
class TrialUsage:
    """How much of a trial's hour cap is used: approved plus waiting hours (sent back do not count)."""

    approved: Decimal
    waiting: Decimal
    limit: int

    @property
    def used(self) -> Decimal:
        return self.approved + self.waiting

    @property
    def left(self) -> Decimal:
        return max(Decimal(self.limit) - self.used, Decimal(0))

    @property
    def near(self) -> bool:
        return self.used >= Decimal(self.limit) * TRIAL_WARN_SHARE

    @property
    def full(self) -> bool:
        return self.used >= self.limit

    def describe(self) -> str:
        return f"{self.used.normalize():f} of {self.limit} trial hours used"


def trial_usage_for(engagements: Iterable[Engagement]) -> dict[int, TrialUsage]:
    """The usage of each trial among these engagements, in one query."""
    trials = {e.pk: e for e in engagements if e.is_trial}
    if not trials:
        return {}
    rows = (
        TimeEntry.objects.filter(engagement_id__in=list(trials))
        .exclude(status=TimeEntry.Status.RETURNED)
        .values("engagement_id", "status")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    sums: dict[tuple[int, str], Decimal] = {(r["engagement_id"], r["status"]): Decimal(r["total"]) for r in rows}
    return {
        pk: TrialUsage(
            approved=sums.get((pk, TimeEntry.Status.APPROVED), Decimal(0)),
            waiting=sums.get((pk, TimeEntry.Status.SUBMITTED), Decimal(0)),
            limit=e.trial_hour_limit or 0,
        )
        for pk, e in trials.items()
    }


def trial_usage(engagement: Engagement) -> TrialUsage | None:
    return trial_usage_for([engagement]).get(engagement.pk)


def hourly_fees(engagement: Engagement, start: datetime.date | None = None, end: datetime.date | None = None) -> Money:
    """Fees of an hourly engagement: approved hours × rate, exact, in the engagement currency.

    Only approved hours count. A fixed-price engagement has no hourly fees (its price is
    `budget_cap`; the money app decides when it is earned), so it raises ValueError.
    """
    if not engagement.is_hourly:
        raise ValueError("A fixed-price engagement has no hourly fees; its price is the budget cap.")
    return Money(approved_hours(engagement, start, end) * engagement.rate, engagement.currency)


def engagements_without_backup(
    workspace: Workspace, engagements: Iterable[tuple[int, int, int]]
) -> dict[int, list[Skill]]:
    """{engagement id: the needed skills of its task with nobody on the bench but its own freelancer}
    for `engagements` given as (id, task id, freelancer id) rows.

    The bench of a skill (talent's `bench_for`) is the approved or active freelancers with it at
    ≥ `bench_min_level`. Engagements whose task needs no skill are not judged. Two queries.
    """
    engagements = list(engagements)
    if not engagements:
        return {}
    needs: dict[int, list[Skill]] = {}
    for need in TaskSkill.objects.filter(task_id__in={task_id for _, task_id, _ in engagements}).select_related(
        "skill"
    ):
        needs.setdefault(need.task_id, []).append(need.skill)
    for skills in needs.values():
        skills.sort(key=lambda k: (k.name, k.pk))
    bench = bench_for(workspace, {skill.pk for skills in needs.values() for skill in skills})
    nobody: set[int] = set()
    result = {}
    for pk, task_id, freelancer_id in engagements:
        # `bench <= {freelancer_id}`: empty, or only them — without copying a bench of thousands.
        alone = [skill for skill in needs.get(task_id, ()) if bench.get(skill.pk, nobody) <= {freelancer_id}]
        if alone:
            result[pk] = alone
    return result


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


LEAVING_CHOICES = 50


def leaving_choices(workspace: Workspace, who: str = "", *, chosen: int | None = None) -> list[tuple[int, str]]:
    """Who the "A freelancer is leaving" form offers: at most 50 freelancers not offboarded yet.

    Those whose name or email contains `who`, by name; without `who`, those of the most
    recently started active engagements (the people an offboarding is usually about).
    `chosen` (a freelancer picked before) stays offered. Two queries at most.
    """
    free = Freelancer.objects.filter(workspace=workspace, offboarding__isnull=True)
    if who:
        found = list(
            free.filter(Q(name__icontains=who) | Q(email__iexact=who))
            .order_by("name", "pk")
            .values_list("pk", "name")[:LEAVING_CHOICES]
        )
    else:
        # NOT EXISTS, not a left join to offboardings: the join made the database read every
        # freelancer first; this walks the (workspace, state, start_date) index, newest first.
        leaving = Offboarding.objects.filter(freelancer_id=OuterRef("freelancer_id"))
        recent = (
            Engagement.objects.filter(workspace=workspace, state=Engagement.State.ACTIVE)
            .exclude(Exists(leaving))
            .order_by("-start_date", "-pk")
            .values_list("freelancer_id", "freelancer__name")[: LEAVING_CHOICES * 2]
        )
        people: dict[int, str] = {}
        for pk, name in recent:  # newest engagement first; a person once
            people.setdefault(pk, name)
        found = list(people.items())[:LEAVING_CHOICES]
    if chosen is not None and chosen not in {pk for pk, _ in found}:
        found += list(free.filter(pk=chosen).values_list("pk", "name"))
    return found


SEARCH_PEOPLE = 1000  # freelancers (or tasks) a search may match and still be counted exactly
SEARCH_ROWS = 2000  # engagements likewise


def search(engagements: QuerySet[Engagement], workspace: Workspace, query: str) -> tuple[QuerySet[Engagement], bool]:
    """The engagements whose freelancer or task name contains `query`, and whether they can
    be counted cheaply.

    A name match cannot use an index (it is a substring), so the names are matched once in their
    own tables, then the engagements found by the freelancer and task indexes (four small queries
    instead of joining and testing 100,000 rows, twice: for the page and for the count). A search
    matching over 2,000 engagements is still read through those indexes but not counted; one so
    broad that it matches over 1,000 people or tasks is filtered by the join: its first page
    fills at once, but it is not counted either (the page says to narrow it).
    """
    people = list(
        Freelancer.objects.filter(workspace=workspace, name__icontains=query)
        .order_by()
        .values_list("pk", flat=True)[: SEARCH_PEOPLE + 1]
    )
    tasks = list(
        Task.objects.filter(workspace=workspace, name__icontains=query)
        .order_by()
        .values_list("pk", flat=True)[: SEARCH_PEOPLE + 1]
    )
    if len(people) <= SEARCH_PEOPLE and len(tasks) <= SEARCH_PEOPLE:
        # The ids are of this workspace's people and tasks; the page still applies the member's scope.
        by_ids = Q(freelancer_id__in=people) | Q(task_id__in=tasks)
        found = list(Engagement.objects.filter(by_ids).order_by().values_list("pk", flat=True)[: SEARCH_ROWS + 1])
        if len(found) <= SEARCH_ROWS:
            return engagements.filter(pk__in=found), True
        # Many engagements of a few people or tasks: their indexes still find them (joining every
        # engagement to test the names took 200 ms at 100,000), uncounted.
        return engagements.filter(by_ids), False
    return engagements.filter(Q(freelancer__name__icontains=query) | Q(task__name__icontains=query)), False

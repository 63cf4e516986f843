"""The cost report of the dashboard and the API: TCO per month, task and engagement, savings, ROI, concentration."""

from __future__ import annotations

import datetime
import gc
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

from django.db.models import Q

from sourcewise.costs import formulas
from sourcewise.costs.concentration import Concentration, concentration_of
from sourcewise.costs.converted_ledger import (
    ExchangeRatePeriods,
    Ledger,
    RatesOn,
    load_ledger,
    load_rates,
)
from sourcewise.costs.formulas import ZERO
from sourcewise.costs.models import Category, CostMonth, month_end, month_start
from sourcewise.costs.periods import month_fraction, months_between
from sourcewise.costs.savings import (
    STARTED,
    Savings,
    active_span,
    engagement_savings,
    merged_spans,
    outsourced_baseline,
)
from sourcewise.engagements.models import Engagement
from sourcewise.money.conversion import MissingExchangeRate
from sourcewise.tasks.models import Task
from sourcewise.workspaces.models import Workspace

# The dashboard lists the costliest engagements a page at a time; a workspace can have thousands.
TOP_ENGAGEMENTS = 25


@dataclass(frozen=True)
class EngagementRow:
    engagement: Engagement
    fees: Decimal
    overhead: Decimal
    savings: Savings

    @property
    def tco(self) -> Decimal:
        return self.savings.tco


@dataclass(frozen=True)
class TaskRow:
    task: Task | None  # None: costs of the whole workspace
    by_category: dict[str, Decimal]
    savings: Savings

    @property
    def fees(self) -> Decimal:
        return self.by_category.get(Category.FEES, ZERO)

    @property
    def overhead(self) -> Decimal:
        return self.savings.tco - self.fees


@dataclass(frozen=True)
class MonthRow:
    month: datetime.date
    by_category: dict[str, Decimal]
    baseline: Decimal | None
    expected: Decimal | None

    @property
    def tco(self) -> Decimal:
        return formulas.tco(self.by_category.values())

    @property
    def actual(self) -> Decimal | None:
        return None if self.baseline is None else formulas.actual_saving(self.baseline, self.tco)


@dataclass
class CostReport:
    workspace: Workspace
    start: datetime.date
    end: datetime.date
    ledger: Ledger
    months: list[MonthRow]
    tasks: list[TaskRow]
    engagements: list[EngagementRow]
    concentration: Concentration
    totals: Savings
    engagement_count: int = -1  # engagements with costs in the period; -1: len(engagements) (all listed)
    engagements_page: int = 1  # which page of TOP_ENGAGEMENTS rows `engagements` is (the stored report)
    # Every engagement with costs, the costliest first: (id, fees, overhead, savings), no model.
    ranked: list[tuple[int, Decimal, Decimal, Savings]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.engagement_count < 0:
            self.engagement_count = len(self.engagements)

    @property
    def base_currency(self) -> str:
        return self.workspace.base_currency

    @property
    def top_engagements(self) -> list[EngagementRow]:
        """The engagements that cost the most, as many as a page shows (all of them are in the API)."""
        return self.engagements[:TOP_ENGAGEMENTS]

    @property
    def engagement_pages(self) -> int:
        return max(1, -(-self.engagement_count // TOP_ENGAGEMENTS))

    @property
    def first_listed(self) -> int:
        return (self.engagements_page - 1) * TOP_ENGAGEMENTS + 1 if self.engagements else 0

    @property
    def last_listed(self) -> int:
        return (self.engagements_page - 1) * TOP_ENGAGEMENTS + len(self.top_engagements)

    @property
    def missing(self) -> list[MissingExchangeRate]:
        return list(self.ledger.missing.values())

    @property
    def by_category(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = dict.fromkeys(Category.values, ZERO)
        for row in self.months:
            for c, v in row.by_category.items():
                totals[c] += v
        return totals


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Python's cycle collector held off while a report is computed. The report makes some 300,000
    rows, spans and sums that are freed with it (none in a cycle); their number alone would set the
    collector off to walk every object of the process several times: a quarter of the time at
    100,000 engagements. The collector resumes after, unless someone else had paused it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@cyclic_gc_paused()
def cost_report(
    workspace: Workspace,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
    *,
    rates: tuple[ExchangeRatePeriods, dict[str, list[datetime.date]]] | None = None,
    tasks: dict[int, Task] | None = None,
    top: int | None = None,
) -> CostReport:
    """Everything the cost dashboard shows, over whole months [start, end], every freelancer listed
    and every engagement, or the `top` costliest (6 queries; the rates and tasks may be given when
    already read). The dashboard reads it through `stored_reports.cost_report`."""
    if rates is None:
        rates = load_rates(workspace)
    ledger = load_ledger(workspace, start, end, rates=rates)
    counted_until = min(end, today)
    if tasks is None:
        tasks = workspace_tasks(workspace)
    engagements = _engagements(workspace, tasks, start, end)
    # Engagements below are `_Work` rows (what the sums read), not models: thousands run in a period.
    as_engagement = cast(Callable[[_Work], Engagement], lambda w: w)

    # Every engagement with costs as (work, fees, overhead, savings); rows only for those listed.
    costed: list[tuple[_Work, Decimal, Decimal, Savings]] = []
    fees = ledger.by(lambda s: (s.engagement_id, s.category == Category.FEES))
    with_costs = {pk for pk, _ in fees if pk is not None}
    rates_on = RatesOn(rates[0], ledger)
    for pk in sorted(with_costs):
        e = engagements[pk]
        paid, other = fees.get((pk, True), ZERO), fees.get((pk, False), ZERO)
        savings = engagement_savings(
            as_engagement(e), ledger, rates[0], start, counted_until, tco=paid + other, rates_on=rates_on
        )
        costed.append((e, paid, other, savings))
    costed.sort(key=lambda c: (-c[3].tco, str(c[0])))
    ranked = [(e.pk, paid, other, savings) for e, paid, other, savings in costed]
    engagement_rows = _with_models(workspace, tasks, ranked, top)

    # Tasks: in-house baseline over the days any of its engagements ran (a union, not a sum).
    by_task: dict[int | None, dict[str, Decimal]] = defaultdict(dict)
    for (task_id, category), value in ledger.by(lambda s: (s.task_id, s.category)).items():
        by_task[task_id][category] = value
    spans: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    for e in engagements.values():
        first, last = active_span(as_engagement(e), start, counted_until)
        if last >= first:
            spans[e.task_id].append((first, last))
    # Each task's spans merged once (a task has hundreds): the months below clip these runs,
    # which gives the runs of the clipped spans (see `merged_spans`).
    runs = {task_id: merged_spans(task_spans) for task_id, task_spans in spans.items()}
    task_rows = []
    for task_id in sorted(by_task.keys() | spans.keys(), key=lambda t: (t is None, t or 0)):
        categories = by_task.get(task_id, {})
        tco = formulas.tco(categories.values())
        task = tasks.get(task_id) if task_id is not None else None
        months, baseline = outsourced_baseline(task, runs.get(task_id or 0, []), rates[0], counted_until, ledger)
        if task is not None and not tco and baseline is None:
            continue
        task_rows.append(TaskRow(task, categories, Savings(tco=tco, months=months, baseline=baseline, expected=None)))

    month_rows = []
    by_month = ledger.by_month()
    expecting = [e for e in engagements.values() if e.expected_monthly_saving is not None]
    for month in months_between(start, end):
        cats = {c: by_month.get((month, c), ZERO) for c in Category.values}
        month_last = min(month_end(month), counted_until)
        baseline_total: Decimal | None = None
        expected_total: Decimal | None = None
        for task_id, task_runs in runs.items():
            task = tasks.get(task_id)
            _, b = outsourced_baseline(task, task_runs, rates[0], month_last, ledger, month, month_last)
            if b is not None:
                baseline_total = (baseline_total or ZERO) + b
        # One rate per (currency, day) (`rates_on`): most engagements run to the month's last day.
        for e in expecting:
            first, last = active_span(as_engagement(e), month, month_last)
            if last < first:
                continue
            currency = e.expected_saving_currency or workspace.base_currency
            assert e.expected_monthly_saving is not None
            monthly = rates_on.convert(e.expected_monthly_saving, currency, last)
            if monthly is not None:
                expected_total = (expected_total or ZERO) + monthly * month_fraction(first, last)
        month_rows.append(MonthRow(month, cats, baseline_total, expected_total))

    freelancer_of = {pk: e.freelancer_id for pk, e in engagements.items()}
    names = {e.freelancer_id: e.freelancer_name for e in engagements.values() if e.pk in with_costs}
    concentration = concentration_of(ledger, freelancer_of, names, start, end)
    total_baseline = [r.savings.baseline for r in task_rows if r.savings.baseline is not None]
    expected = [m.expected for m in month_rows if m.expected is not None]
    totals = Savings(
        tco=ledger.total(),
        months=month_fraction(start, counted_until),
        baseline=formulas.tco(total_baseline) if total_baseline else None,
        expected=formulas.tco(expected) if expected else None,
    )
    return CostReport(
        workspace=workspace,
        start=start,
        end=end,
        ledger=ledger,
        months=month_rows,
        tasks=task_rows,
        engagements=engagement_rows,
        concentration=concentration,
        totals=totals,
        engagement_count=len(with_costs),
        ranked=ranked,
    )


# What the report reads of a task: its name (labels) and what makes its in-house baseline.
TASK_FIELDS = ("id", "workspace_id", "name", "hours", "frequency", "inhouse_hourly_cost", "inhouse_cost_currency")


def workspace_tasks(workspace: Workspace) -> dict[int, Task]:
    found = Task.objects.in_workspace(workspace).only(*TASK_FIELDS).order_by("name", "pk")
    return {t.pk: t for t in found}


MODELS_AT_ONCE = 10_000

# What the report reads of an engagement: its dates and state (the baseline's spans), its
# expected saving, and who and what it is for (labels). Not its notes, terms or documents.
ENGAGEMENT_FIELDS = (
    "id", "workspace_id", "freelancer_id", "task_id", "kind", "state", "start_date", "end_date", "ended_at",
    "expected_monthly_saving", "expected_saving_currency",
)  # fmt: skip


@dataclass(slots=True)
class _Work:
    """What the report reads of an engagement (duck-typed for `savings`): cheap to make by the thousand."""

    pk: int
    workspace: Workspace
    freelancer_id: int
    freelancer_name: str
    task_id: int
    task: Task | None
    kind: str
    state: str
    start_date: datetime.date
    end_date: datetime.date | None
    ended_at: datetime.datetime | None
    expected_monthly_saving: Decimal | None
    expected_saving_currency: str

    def __str__(self) -> str:  # as `Engagement.__str__`: the ranking's tie-break
        return f"{self.freelancer_name} — {self.task} ({Engagement.Kind(self.kind).label.lower()})"


def _engagements(
    workspace: Workspace, tasks: dict[int, Task], start: datetime.date, until: datetime.date
) -> dict[int, _Work]:
    """The engagements the report needs (1 query): those that ran in the period (their days make
    the in-house baseline and the expected saving) and those with costs in its months (a late
    invoice, a draft's tools), found through the summary rather than a list of ids. Only the
    fields the report reads and the freelancer's name, as tuples (no model per row)."""
    ran = Q(state__in=STARTED, start_date__lte=until) & (Q(end_date__isnull=True) | Q(end_date__gte=start))
    costed = CostMonth.objects.filter(
        workspace=workspace, month__gte=month_start(start), month__lte=until, engagement__isnull=False
    ).values("engagement_id")
    found = (
        Engagement.objects.in_workspace(workspace)
        .filter(ran | Q(pk__in=costed))
        .order_by("pk")
        .values_list(
            "id", "freelancer_id", "freelancer__name", "task_id", "kind", "state", "start_date", "end_date",
            "ended_at", "expected_monthly_saving", "expected_saving_currency",
        )
    )  # fmt: skip
    return {row[0]: _Work(row[0], workspace, row[1], row[2], row[3], tasks.get(row[3]), *row[4:]) for row in found}


def _with_models(
    workspace: Workspace,
    tasks: dict[int, Task],
    ranked: list[tuple[int, Decimal, Decimal, Savings]],
    top: int | None,
) -> list[EngagementRow]:
    """The rows listed (the `top` or all), each with its engagement as a model (1 query a
    `MODELS_AT_ONCE` rows): the pages link it, show its state and label it."""
    listed = ranked if top is None else ranked[:top]
    found: dict[int, Engagement] = {}
    ids = [pk for pk, *_ in listed]
    for at in range(0, len(ids), MODELS_AT_ONCE):  # SQLite takes at most 32,766 parameters
        # By id alone: ids of this workspace's rows (with the workspace, SQLite scans the workspace).
        for e in (
            Engagement.objects.filter(pk__in=ids[at : at + MODELS_AT_ONCE])
            .select_related("freelancer")
            .only(*ENGAGEMENT_FIELDS, "freelancer__id", "freelancer__name")
        ):
            e.workspace = workspace
            if e.task_id in tasks:
                e.task = tasks[e.task_id]
            found[e.pk] = e
    return [EngagementRow(found[pk], paid, other, savings) for pk, paid, other, savings in listed]

"""TCO, in-house baseline, expected and actual saving, ROI: of one engagement, or of a task over its engagements."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sourcewise.costs import formulas
from sourcewise.costs.converted_ledger import Ledger, RatesOn, convert_on
from sourcewise.costs.formulas import ZERO
from sourcewise.costs.periods import month_fraction
from sourcewise.engagements.models import Engagement
from sourcewise.money.conversion import Rates
from sourcewise.tasks.models import Task

# Engagements whose work happened: their dates count towards the in-house baseline.
STARTED = (Engagement.State.ACTIVE, Engagement.State.COMPLETED, Engagement.State.TERMINATED)


def expected_saving_currency(engagement: Engagement) -> str:
    """The currency the expected saving was entered in: the business's (workspace) currency."""
    return engagement.expected_saving_currency or engagement.workspace.base_currency


def active_span(
    engagement: Engagement, start: datetime.date, end: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """The days of [start, end] the engagement ran (end < start when none)."""
    if engagement.state not in STARTED:
        return start, start - datetime.timedelta(days=1)
    last = engagement.end_date
    if engagement.ended_at is not None:
        ended = engagement.ended_at.date()
        last = ended if last is None else min(last, ended)
    first = max(start, engagement.start_date)
    return first, min(end, last) if last is not None else end


def task_baseline(task: Task) -> tuple[Decimal, str] | None:
    """One month of the task in-house: monthly hours × loaded hourly cost (None without both)."""
    if task.inhouse_hourly_cost is None or not task.inhouse_cost_currency or task.monthly_hours <= 0:
        return None
    return task.monthly_hours * task.inhouse_hourly_cost, task.inhouse_cost_currency


@dataclass(frozen=True)
class Savings:
    """One subject's money over a period, in the workspace currency."""

    tco: Decimal
    months: Decimal  # months of outsourced work in the period (baseline and expected scale with it)
    baseline: Decimal | None  # None: no in-house cost known
    expected: Decimal | None  # None: no expected saving recorded

    @property
    def actual(self) -> Decimal | None:
        return None if self.baseline is None else formulas.actual_saving(self.baseline, self.tco)

    @property
    def roi(self) -> Decimal | None:
        return None if self.baseline is None else formulas.roi(self.baseline, self.tco)

    @property
    def roi_pct(self) -> Decimal | None:
        r = self.roi
        return None if r is None else r * 100


def engagement_savings(
    engagement: Engagement,
    ledger: Ledger,
    rates: Rates,
    start: datetime.date,
    end: datetime.date,
    tco: Decimal | None = None,
    *,
    rates_on: RatesOn | None = None,
) -> Savings:
    """TCO, baseline, expected and actual saving of one engagement over [start, end].

    `tco` may be given when the caller summed every engagement at once (`Ledger.by`), and
    `rates_on` when it converts for thousands of engagements (the rates of `rates` and `ledger`)."""
    convert = (rates_on or RatesOn(rates, ledger)).convert
    first, last = active_span(engagement, start, end)
    months = month_fraction(first, last)
    if tco is None:
        tco = ledger.total(s for s in ledger.within(start, end) if s.engagement_id == engagement.pk)
    on = min(end, last) if last >= first else end
    base = task_baseline(engagement.task)
    baseline = None
    if base is not None:
        monthly = convert(base[0], base[1], on)
        baseline = None if monthly is None else formulas.baseline(Decimal(1), monthly, months)
    expected = None
    if engagement.expected_monthly_saving is not None:
        monthly = convert(engagement.expected_monthly_saving, expected_saving_currency(engagement), on)
        expected = None if monthly is None else formulas.expected_saving(monthly, months)
    return Savings(tco=tco, months=months, baseline=baseline, expected=expected)


def merged_spans(spans: Iterable[tuple[datetime.date, datetime.date]]) -> list[tuple[datetime.date, datetime.date]]:
    """The days of the spans as runs, oldest first: spans that overlap or touch (the next day) join;
    empty spans (last < first) drop. Merging again, or clipping the runs to one window, gives the
    runs of the clipped spans: a run cut by a window stays one piece, and runs stay apart."""
    merged: list[list[datetime.date]] = []
    for first, last in sorted(set(spans)):  # many engagements share a span: sorted once
        if last < first:
            continue
        if merged and first <= merged[-1][1] + datetime.timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return [(first, last) for first, last in merged]


def outsourced_baseline(
    task: Task | None,
    spans: list[tuple[datetime.date, datetime.date]],
    rates: Rates,
    on: datetime.date,
    ledger: Ledger,
    clip_start: datetime.date | None = None,
    clip_end: datetime.date | None = None,
) -> tuple[Decimal, Decimal | None]:
    """Months the task was outsourced (union of its engagements' spans) and its baseline for them."""
    if task is None:
        return ZERO, None
    merged = merged_spans(
        (max(first, clip_start) if clip_start else first, min(last, clip_end) if clip_end else last)
        for first, last in spans
    )
    months = sum((month_fraction(first, last) for first, last in merged), ZERO)
    base = task_baseline(task)
    if base is None or not merged:
        return months, None
    monthly = convert_on(rates, base[0], base[1], on, ledger)
    return months, None if monthly is None else monthly * months

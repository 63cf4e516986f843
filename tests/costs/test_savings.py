"""The in-house baseline of a task: over the union of its engagements' days, merged once, clipped per month."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from sourcewise.costs.converted_ledger import Ledger
from sourcewise.costs.periods import month_fraction
from sourcewise.costs.savings import merged_spans, outsourced_baseline
from sourcewise.money.conversion import Rates
from sourcewise.tasks.models import Task

ONE_DAY = datetime.timedelta(days=1)
DAYS = st.dates(min_value=datetime.date(2026, 1, 1), max_value=datetime.date(2026, 6, 30))
SPANS = st.lists(st.tuples(DAYS, DAYS), max_size=12)  # some empty (last < first), some touching


def runs_of_days(spans):
    """The brute-force answer: every day of every span, grouped into runs of consecutive days."""
    days = sorted({first + ONE_DAY * i for first, last in spans for i in range((last - first).days + 1)})
    runs: list[list[datetime.date]] = []
    for day in days:
        if runs and day == runs[-1][1] + ONE_DAY:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(first, last) for first, last in runs]


def clip(spans, start, end):
    return [(max(first, start), min(last, end)) for first, last in spans]


def recurring_task() -> Task:
    return Task(name="Bookkeeping", frequency=Task.Frequency.RECURRING, hours=D("10"),
                inhouse_hourly_cost=D("30.00"), inhouse_cost_currency="GBP")  # fmt: skip


@given(SPANS)
def test_merged_spans_are_the_runs_of_their_days(spans):
    assert merged_spans(spans) == runs_of_days(spans)


@given(SPANS, DAYS, DAYS)
def test_clipping_the_merged_runs_to_a_window_gives_the_runs_of_the_clipped_spans(spans, start, end):
    assert merged_spans(clip(merged_spans(spans), start, end)) == merged_spans(clip(spans, start, end))
    assert [s for s in clip(merged_spans(spans), start, end) if s[1] >= s[0]] == runs_of_days(clip(spans, start, end))


@given(SPANS, DAYS, DAYS)
def test_a_months_baseline_from_the_merged_runs_is_the_one_from_every_span(spans, start, end):
    task, rates = recurring_task(), Rates("GBP", [])
    ledger = Ledger(base_currency="GBP", start=start, end=end)
    from_spans = outsourced_baseline(task, spans, rates, end, ledger, start, end)
    from_runs = outsourced_baseline(task, merged_spans(spans), rates, end, ledger, start, end)
    assert str(from_runs) == str(from_spans)  # the same digits, to the last


def test_touching_spans_join_and_a_gap_of_a_day_keeps_them_apart():
    d = datetime.date
    assert merged_spans([(d(2026, 1, 10), d(2026, 1, 20)), (d(2026, 1, 1), d(2026, 1, 9))]) == [
        (d(2026, 1, 1), d(2026, 1, 20))
    ]
    assert merged_spans([(d(2026, 1, 1), d(2026, 1, 9)), (d(2026, 1, 11), d(2026, 1, 20))]) == [
        (d(2026, 1, 1), d(2026, 1, 9)),
        (d(2026, 1, 11), d(2026, 1, 20)),
    ]
    assert merged_spans([(d(2026, 1, 5), d(2026, 1, 4))]) == []
    months, baseline = outsourced_baseline(
        recurring_task(), [(d(2026, 1, 1), d(2026, 1, 31)), (d(2026, 1, 15), d(2026, 2, 14))], Rates("GBP", []),
        d(2026, 2, 28), Ledger(base_currency="GBP", start=d(2026, 1, 1), end=d(2026, 2, 28)),
    )  # fmt: skip
    assert months == month_fraction(d(2026, 1, 1), d(2026, 2, 14)) == 1 + D(14) / 28
    assert baseline == D("300.00") * months

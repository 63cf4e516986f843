"""Month fractions: each calendar month counts its share of days, summed month by month."""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal as D

from hypothesis import example, given
from hypothesis import strategies as st

from sourcewise.costs.formulas import ZERO
from sourcewise.costs.models import month_end
from sourcewise.costs.periods import month_fraction, months_between

DAYS = st.dates(min_value=datetime.date(2019, 1, 1), max_value=datetime.date(2031, 12, 31))


def month_fraction_by_months(start: datetime.date, end: datetime.date) -> D:
    """The definition, as the reports first computed it: over the list of months between."""
    if end < start:
        return ZERO
    total = ZERO
    for month in months_between(start, end):
        first, last = max(start, month), min(end, month_end(month))
        total += D((last - first).days + 1) / D(calendar.monthrange(month.year, month.month)[1])
    return total


@given(DAYS, DAYS)
@example(datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))  # whole months: exactly "3"
@example(datetime.date(2026, 1, 31), datetime.date(2026, 1, 31))
def test_month_fraction_is_the_sum_of_each_months_share_to_the_last_digit(start, end):
    found = month_fraction(start, end)
    assert str(found) == str(month_fraction_by_months(start, end))  # the same digits, not only equal


def test_month_fraction_of_whole_and_cut_months():
    assert month_fraction(datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)) == 3
    assert month_fraction(datetime.date(2026, 2, 15), datetime.date(2026, 3, 15)) == D(14) / 28 + D(15) / 31
    assert month_fraction(datetime.date(2024, 2, 1), datetime.date(2024, 2, 29)) == 1  # a leap year's February
    assert month_fraction(datetime.date(2026, 12, 31), datetime.date(2027, 1, 1)) == D(1) / 31 + D(1) / 31
    assert month_fraction(datetime.date(2026, 3, 2), datetime.date(2026, 3, 1)) == 0

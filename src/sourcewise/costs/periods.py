"""Calendar arithmetic of the cost reports: months between two dates, fractions of months, report periods."""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal

from sourcewise.costs.formulas import ZERO
from sourcewise.costs.models import month_end, month_start


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """First days of every month from start's to end's, both included."""
    months, current = [], month_start(start)
    while current <= end:
        months.append(current)
        current = add_months(current, 1)
    return months


ONE_DAY = datetime.timedelta(days=1)


# Reports ask for the same few hundred spans for thousands of engagements (a Decimal is immutable).
@functools.lru_cache(maxsize=4096)
def month_fraction(start: datetime.date, end: datetime.date) -> Decimal:
    """How many months [start, end] covers: each calendar month counts its share of days
    (a whole month is exactly 1; 1 Jan – 31 Mar is exactly 3). Empty when end < start."""
    if end < start:
        return ZERO
    total, first = ZERO, start
    while first <= end:  # a calendar month a turn
        month_last = month_end(first)
        last = min(end, month_last)
        total += Decimal((last - first).days + 1) / Decimal(month_last.day)
        first = last + ONE_DAY
    return total


def report_period(today: datetime.date, months: int) -> tuple[datetime.date, datetime.date]:
    """The last `months` calendar months, this one included."""
    return add_months(month_start(today), -(months - 1)), month_end(today)

"""Time-zone overlap of SPEC G3, on real dates with zoneinfo.

Overlap = the average number of hours per workspace business day, over the 28 days
starting today (the workspace's date), in which the freelancer's working hours
intersect the business hours. Both schedules are laid on the real calendar in their
own zone, so daylight-saving changes on either side, half-hour and 45-minute offsets
and shifts that cross midnight all count. A day off on the freelancer's side adds zero
hours to that business day; the workspace's own days off are not business days.

A shift belongs to the local date it starts on (a 22:00–06:00 shift "on Friday" ends on
Saturday morning). A start or end that falls in a daylight-saving gap begins or ends at
the moment the clocks jump; one that falls in a repeated hour is taken at its first
occurrence.

The result depends only on (zone, start, end, days) of both sides and the start date,
so matching computes it once per distinct schedule (`overlap_for`) and not per person.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

UTC = datetime.UTC
WINDOW_DAYS = 28


@dataclass(frozen=True)
class Schedule:
    """Working hours in one zone: local start and end (end ≤ start crosses midnight), weekdays (Monday = 0)."""

    zone: str
    start: datetime.time
    end: datetime.time
    days: frozenset[int]

    @classmethod
    def of(cls, zone: str, start: datetime.time, end: datetime.time, days: Iterable[int]) -> Schedule:
        return cls(zone, start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0), frozenset(days))

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    @property
    def hours_per_day(self) -> Decimal:
        minutes = _minutes(self.end) - _minutes(self.start)
        if minutes <= 0:
            minutes += 24 * 60
        return Decimal(minutes) / Decimal(60)


@dataclass(frozen=True)
class Overlap:
    seconds: int
    business_days: int

    @property
    def hours(self) -> Decimal:
        """Average overlap hours per business day (exact, rounded only for display)."""
        if not self.business_days:
            return Decimal(0)
        return Decimal(self.seconds) / Decimal(3600 * self.business_days)

    def at_least(self, hours: Decimal) -> bool:
        """Exact comparison with a threshold: 2.0 h of overlap meets a 2.0 h minimum."""
        return Decimal(self.seconds) >= Decimal(hours) * 3600 * self.business_days

    @property
    def display(self) -> str:
        return f"{self.hours.quantize(Decimal('0.1'))}"


def _minutes(t: datetime.time) -> int:
    return t.hour * 60 + t.minute


def to_utc(day: datetime.date, at: datetime.time, zone: zoneinfo.ZoneInfo) -> datetime.datetime:
    """The instant the wall clock in `zone` first shows `at` on `day`.

    Normal times map directly; a repeated time is its first occurrence (fold=0); a time
    skipped by a daylight-saving jump becomes the instant of the jump.
    """
    naive = datetime.datetime.combine(day, at)
    first = naive.replace(tzinfo=zone, fold=0)
    utc = first.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) == naive:
        return utc
    # In a gap: fold=1 gives an instant before the jump, fold=0 one after. Find the jump.
    low = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = utc
    if low > high:
        low, high = high, low
    while high - low > datetime.timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).replace(tzinfo=None) >= naive:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def shifts(
    schedule: Schedule, first: datetime.date, last: datetime.date
) -> Iterator[tuple[datetime.datetime, datetime.datetime]]:
    """Working periods (UTC start, UTC end) of every local date from `first` to `last` included."""
    zone = zoneinfo.ZoneInfo(schedule.zone)
    day = first
    one = datetime.timedelta(days=1)
    while day <= last:
        if day.weekday() in schedule.days:
            end_day = day + one if schedule.crosses_midnight else day
            start = to_utc(day, schedule.start, zone)
            end = to_utc(end_day, schedule.end, zone)
            if end > start:
                yield start, end
        day += one


def overlap_between(business: Schedule, freelancer: Schedule, start: datetime.date, days: int = WINDOW_DAYS) -> Overlap:
    """Overlap of `freelancer` with the `business` hours over `days` business-calendar days from `start`."""
    last = start + datetime.timedelta(days=days - 1)
    business_periods = list(shifts(business, start, last))
    # The freelancer's local dates around the window: offsets differ by up to 26 hours.
    periods = list(shifts(freelancer, start - datetime.timedelta(days=2), last + datetime.timedelta(days=2)))
    total = 0.0
    index = 0
    for b_start, b_end in business_periods:
        while index < len(periods) and periods[index][1] <= b_start:
            index += 1
        j = index
        while j < len(periods) and periods[j][0] < b_end:
            f_start, f_end = periods[j]
            total += max(0.0, (min(b_end, f_end) - max(b_start, f_start)).total_seconds())
            j += 1
    return Overlap(seconds=round(total), business_days=len(business_periods))


@lru_cache(maxsize=4096)
def overlap_for(business: Schedule, freelancer: Schedule, start: datetime.date) -> Overlap:
    """Cached per distinct pair of schedules and start date: one computation per time-zone profile."""
    return overlap_between(business, freelancer, start)


def business_schedule(workspace: object) -> Schedule:
    return Schedule.of(
        workspace.timezone,  # type: ignore[attr-defined]
        workspace.business_start,  # type: ignore[attr-defined]
        workspace.business_end,  # type: ignore[attr-defined]
        workspace.business_days,  # type: ignore[attr-defined]
    )


def freelancer_schedule(freelancer: object) -> Schedule:
    return Schedule.of(
        freelancer.timezone,  # type: ignore[attr-defined]
        freelancer.work_start,  # type: ignore[attr-defined]
        freelancer.work_end,  # type: ignore[attr-defined]
        freelancer.work_days or [],  # type: ignore[attr-defined]
    )


@dataclass(frozen=True)
class Timeline:
    """Both working days on one representative business day, in the owner's local hours (0–24)."""

    day: datetime.date
    business: list[tuple[float, float]]
    freelancer: list[tuple[float, float]]
    overlap: list[tuple[float, float]]


def timeline(business: Schedule, freelancer: Schedule, start: datetime.date) -> Timeline:
    """The first business day from `start` on which the freelancer works (or the first business day)."""
    zone = zoneinfo.ZoneInfo(business.zone)
    chosen = None
    for offset in range(14):
        day = start + datetime.timedelta(days=offset)
        if day.weekday() not in business.days:
            continue
        if chosen is None:
            chosen = day
        if overlap_between(business, freelancer, day, 1).seconds:
            chosen = day
            break
    day = chosen or start
    midnight = to_utc(day, datetime.time(0, 0), zone)
    next_midnight = to_utc(day + datetime.timedelta(days=1), datetime.time(0, 0), zone)

    def clip(periods: Iterable[tuple[datetime.datetime, datetime.datetime]]) -> list[tuple[float, float]]:
        out = []
        for s, e in periods:
            s, e = max(s, midnight), min(e, next_midnight)
            if e > s:
                out.append(((s - midnight).total_seconds() / 3600, (e - midnight).total_seconds() / 3600))
        return out

    b = clip(shifts(business, day - datetime.timedelta(days=1), day))
    f = clip(shifts(freelancer, day - datetime.timedelta(days=2), day + datetime.timedelta(days=1)))
    both = [(max(bs, fs), min(be, fe)) for bs, be in b for fs, fe in f if min(be, fe) > max(bs, fs)]
    return Timeline(day=day, business=b, freelancer=f, overlap=both)

"""Time-zone overlap of SPEC G3, on real dates with zoneinfo.

Overlap = the average number of hours per workspace business day, over the 28 days
starting today (the workspace's date; or a date within two years, `?on=`), in which the freelancer's working hours
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

Looking ahead: `next_overlap_change` finds the next daylight-saving change of either side that
alters the typical business day; `overlap_drop` the day a clock change pulls the 28-day
overlap below a minimum (LOW_TZ_OVERLAP's coming-up finding).
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sourcewise.talent.models import Freelancer
    from sourcewise.workspaces.models import Workspace

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


def to_utc(day: datetime.date, at: datetime.time, zone: datetime.tzinfo) -> datetime.datetime:
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
    schedule: Schedule, first: datetime.date, last: datetime.date, zone: datetime.tzinfo | None = None
) -> Iterator[tuple[datetime.datetime, datetime.datetime]]:
    """Working periods (UTC start, UTC end) of every local date from `first` to `last` included.

    `zone` overrides the schedule's zone (a fixed offset, to price one side of a clock change)."""
    for _day, start, end in _dated_shifts(schedule, first, last, zone):
        yield start, end


def _dated_shifts(
    schedule: Schedule, first: datetime.date, last: datetime.date, zone: datetime.tzinfo | None = None
) -> Iterator[tuple[datetime.date, datetime.datetime, datetime.datetime]]:
    zone = zone or zoneinfo.ZoneInfo(schedule.zone)
    day = first
    one = datetime.timedelta(days=1)
    while day <= last:
        if day.weekday() in schedule.days:
            end_day = day + one if schedule.crosses_midnight else day
            start = to_utc(day, schedule.start, zone)
            end = to_utc(end_day, schedule.end, zone)
            if end > start:
                yield day, start, end
        day += one


def overlap_between(business: Schedule, freelancer: Schedule, start: datetime.date, days: int = WINDOW_DAYS) -> Overlap:
    """Overlap of `freelancer` with the `business` hours over `days` business-calendar days from `start`.

    When neither clock changes anywhere the window's shifts can reach, every week of it is the
    same: a whole number of weeks is then that many times one week at the two fixed offsets
    (exactly the calendar's sum, computed a quarter as often)."""
    if days % 7 == 0:
        first = _steady_offset(business.zone, start, days)
        second = _steady_offset(freelancer.zone, start, days)
        if first is not None and second is not None:
            week = _week_at_offsets(business, freelancer, (first, second))
            return Overlap(seconds=week.seconds * (days // 7), business_days=week.business_days * (days // 7))
    return _overlap(business, freelancer, start, days)


@lru_cache(maxsize=1024)
def _steady_offset(zone_name: str, start: datetime.date, days: int) -> datetime.timedelta | None:
    """The zone's one offset from UTC over the window from `start` (three days either side, what
    a shift can reach), or None when it changes. Read every 6 hours: no zone changes its offset
    twice within 6 hours (see `_clock_changes_in`)."""
    zone = zoneinfo.ZoneInfo(zone_name)
    at = datetime.datetime.combine(start - datetime.timedelta(days=3), datetime.time(0), UTC)
    end = at + datetime.timedelta(days=days + 6)
    step = datetime.timedelta(hours=6)
    offset = _offset(zone, at)
    while at < end:
        at += step
        if _offset(zone, at) != offset:
            return None
    return offset


def _overlap(
    business: Schedule,
    freelancer: Schedule,
    start: datetime.date,
    days: int,
    zones: tuple[datetime.tzinfo, datetime.tzinfo] | None = None,
) -> Overlap:
    daily = _daily_overlaps(business, freelancer, start, days, zones)
    return Overlap(seconds=round(sum(seconds for _day, seconds in daily)), business_days=len(daily))


def _daily_overlaps(
    business: Schedule,
    freelancer: Schedule,
    start: datetime.date,
    days: int,
    zones: tuple[datetime.tzinfo, datetime.tzinfo] | None = None,
) -> list[tuple[datetime.date, float]]:
    """(your date, seconds of overlap) of each business day over `days` days from `start`."""
    last = start + datetime.timedelta(days=days - 1)
    business_zone, freelancer_zone = zones or (None, None)
    business_periods = list(_dated_shifts(business, start, last, business_zone))
    # The freelancer's local dates around the window: offsets differ by up to 26 hours.
    two = datetime.timedelta(days=2)
    periods = list(shifts(freelancer, start - two, last + two, freelancer_zone))
    daily = []
    index = 0
    for day, b_start, b_end in business_periods:
        while index < len(periods) and periods[index][1] <= b_start:
            index += 1
        j = index
        seconds = 0.0
        while j < len(periods) and periods[j][0] < b_end:
            f_start, f_end = periods[j]
            seconds += max(0.0, (min(b_end, f_end) - max(b_start, f_start)).total_seconds())
            j += 1
        daily.append((day, seconds))
    return daily


@lru_cache(maxsize=4096)
def overlap_for(business: Schedule, freelancer: Schedule, start: datetime.date) -> Overlap:
    """Cached per distinct pair of schedules and start date: one computation per time-zone profile."""
    return overlap_between(business, freelancer, start)


def business_schedule(workspace: Workspace) -> Schedule:
    return Schedule.of(
        workspace.timezone,
        workspace.business_start,
        workspace.business_end,
        workspace.business_days,
    )


def freelancer_schedule(freelancer: Freelancer) -> Schedule:
    return Schedule.of(
        freelancer.timezone,
        freelancer.work_start,
        freelancer.work_end,
        freelancer.work_days or [],
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


# ---- looking ahead: a chosen start date, and the clock changes to come ------------------------

# How far from today the overlap may be asked for (`?on=`): far enough to plan a year,
# near enough that time-zone rules (changed by governments every year) still mean something.
FURTHEST = datetime.timedelta(days=2 * 365)


def window_start_error(on: datetime.date, today: datetime.date) -> str | None:
    """Why `on` can't start an overlap window (None when it can): at most two years either side of today."""
    if abs(on - today) > FURTHEST:
        return f"Choose a date within two years of today ({today - FURTHEST:%d %b %Y} to {today + FURTHEST:%d %b %Y})."
    return None


def _offset(zone: zoneinfo.ZoneInfo, instant: datetime.datetime) -> datetime.timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


@lru_cache(maxsize=1024)
def _clock_changes_in(zone_name: str, year: int) -> tuple[datetime.datetime, ...]:
    """The instants (UTC) in a UTC calendar year at which the zone's offset from UTC changes.

    zoneinfo keeps its transitions private, so walk the year in 6-hour steps (no zone changes
    twice within 6 hours) and pin each change to the second by halving."""
    zone = zoneinfo.ZoneInfo(zone_name)
    step = datetime.timedelta(hours=6)
    cursor = datetime.datetime(year, 1, 1, tzinfo=UTC)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=UTC)
    changes = []
    offset = _offset(zone, cursor)
    while cursor < end:
        following = min(cursor + step, end)
        if _offset(zone, following) != offset:
            low, high = cursor, following
            while high - low > datetime.timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _offset(zone, middle) == offset:
                    low = middle
                else:
                    high = middle
            changes.append(high.replace(microsecond=0))
            offset = _offset(zone, following)
        cursor = following
    return tuple(changes)


def clock_changes(zone: str, since: datetime.datetime, until: datetime.datetime) -> list[datetime.datetime]:
    """The instants (UTC) in [since, until) at which `zone`'s offset from UTC changes."""
    return [
        at for year in range(since.year, until.year + 1) for at in _clock_changes_in(zone, year) if since <= at < until
    ]


# Any Monday: with fixed offsets only the weekdays of a week matter, not its date.
_REFERENCE_MONDAY = datetime.date(2001, 1, 1)


@lru_cache(maxsize=4096)
def _week_at_offsets(
    business: Schedule, freelancer: Schedule, offsets: tuple[datetime.timedelta, datetime.timedelta]
) -> Overlap:
    """The overlap of a whole week with both clocks held at the given offsets from UTC."""
    zones = (datetime.timezone(offsets[0]), datetime.timezone(offsets[1]))
    return _overlap(business, freelancer, _REFERENCE_MONDAY, 7, zones)


def _offsets(
    business: Schedule, freelancer: Schedule, instant: datetime.datetime
) -> tuple[datetime.timedelta, datetime.timedelta]:
    return (
        _offset(zoneinfo.ZoneInfo(business.zone), instant),
        _offset(zoneinfo.ZoneInfo(freelancer.zone), instant),
    )


@dataclass(frozen=True)
class OverlapChange:
    """A clock change that alters the overlap: from `starts_on`, `after` instead of `before`."""

    at: datetime.datetime  # the instant the clocks change (UTC)
    starts_on: datetime.date  # the first business day (your date) after the change
    zones: tuple[str, ...]  # the zone(s) whose clocks change at that instant
    before: Overlap  # a typical week before the change
    after: Overlap

    @property
    def changes_on(self) -> datetime.date:
        """The date the clocks change, on the changing side's calendar."""
        return self.at.astimezone(zoneinfo.ZoneInfo(self.zones[0])).date()

    def side(self, business: Schedule) -> str:
        """Whose clocks change, in words: "your", "their" or "both"."""
        ours = business.zone in self.zones
        return "both" if ours and len(self.zones) > 1 else "your" if ours else "their"


def next_overlap_change(
    business: Schedule, freelancer: Schedule, on: datetime.date, days: int = 366
) -> OverlapChange | None:
    """The first daylight-saving change of either side within `days` from `on` (your midnight)
    that alters the average overlap per business day; None when no change alters it (same
    zone, zones without daylight saving, or both changing together).

    Before and after are priced on a whole week with both offsets held fixed, so the answer is
    the typical business day on each side of the change, whatever the next change does."""
    business_zone = zoneinfo.ZoneInfo(business.zone)
    since = to_utc(on, datetime.time(0, 0), business_zone)
    until = since + datetime.timedelta(days=days)
    changes: dict[datetime.datetime, list[str]] = {}
    for zone in dict.fromkeys((business.zone, freelancer.zone)):
        for at in clock_changes(zone, since, until):
            changes.setdefault(at, []).append(zone)
    for at in sorted(changes):
        just_before = at - datetime.timedelta(seconds=1)
        before = _week_at_offsets(business, freelancer, _offsets(business, freelancer, just_before))
        after = _week_at_offsets(business, freelancer, _offsets(business, freelancer, at))
        if before.seconds != after.seconds:
            return OverlapChange(at, _first_business_day_after(business, at), tuple(changes[at]), before, after)
    return None


def _first_business_day_after(business: Schedule, at: datetime.datetime) -> datetime.date:
    zone = zoneinfo.ZoneInfo(business.zone)
    day = at.astimezone(zone).date()
    for _ in range(8):
        if day.weekday() in business.days and to_utc(day, business.start, zone) >= at:
            return day
        day += datetime.timedelta(days=1)
    return at.astimezone(zone).date()  # no business days at all


@dataclass(frozen=True)
class OverlapDrop:
    """The 28-day overlap falls below the minimum from `starts_on` (a clock change in reach)."""

    starts_on: datetime.date
    overlap: Overlap  # the 28-day overlap from starts_on
    change_at: datetime.datetime
    change_zones: tuple[str, ...]

    @property
    def change_on(self) -> datetime.date:
        """The date the clocks change, on the changing side's calendar."""
        return self.change_at.astimezone(zoneinfo.ZoneInfo(self.change_zones[0])).date()


@lru_cache(maxsize=4096)
def overlap_drop(
    business: Schedule, freelancer: Schedule, minimum: Decimal, today: datetime.date, within: int = 14
) -> OverlapDrop | None:
    """The first day after `today`, at most `within` days on, whose 28-day overlap falls below
    `minimum` while today's still meets it — the day LOW_TZ_OVERLAP will start.

    A 28-day window is four whole weeks, so only a clock change can move its average: without
    one of either zone in reach (today to the last window's end, plus the two days a shift can
    reach) nothing changes and nothing is computed. Cached like `overlap_for`: once per
    distinct pair of schedules a day."""
    if not overlap_for(business, freelancer, today).at_least(minimum):
        return None
    reach = datetime.timedelta(days=within + WINDOW_DAYS + 6)
    since = to_utc(today - datetime.timedelta(days=3), datetime.time(0, 0), UTC)
    changes: dict[datetime.datetime, list[str]] = {}
    for zone in dict.fromkeys((business.zone, freelancer.zone)):
        for at in clock_changes(zone, since, since + reach):
            changes.setdefault(at, []).append(zone)
    if not changes:
        return None
    # One pass over every business day the windows touch, then slide the 28-day window.
    daily = _daily_overlaps(business, freelancer, today, within + WINDOW_DAYS)
    for offset in range(1, within + 1):
        day = today + datetime.timedelta(days=offset)
        end = day + datetime.timedelta(days=WINDOW_DAYS)
        window = [seconds for d, seconds in daily if day <= d < end]
        overlap = Overlap(seconds=round(sum(window)), business_days=len(window))
        if not overlap.at_least(minimum):
            # The cause: the latest change before this window ends (its new hours are what entered).
            window_end = to_utc(day + datetime.timedelta(days=WINDOW_DAYS), datetime.time(0, 0), UTC)
            cause = max((at for at in changes if at < window_end), default=min(changes))
            return OverlapDrop(day, overlap, cause, tuple(changes[cause]))
    return None

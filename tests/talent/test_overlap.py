"""Time-zone overlap (SPEC G3): exact cases, daylight saving on both sides, and a property
test against an independent minute-by-minute count."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from sourcewise.talent.overlap import Schedule, overlap_between, timeline, to_utc

T = datetime.time
WEEKDAYS = range(5)


def sched(zone: str, start: str, end: str, days=WEEKDAYS) -> Schedule:
    return Schedule.of(zone, T.fromisoformat(start), T.fromisoformat(end), days)


def sampled_overlap_minutes(
    business: Schedule, freelancer: Schedule, start: datetime.date, days: int = 28
) -> tuple[int, int]:
    """Independent count: walk every UTC minute of each business day and ask both wall clocks."""
    bz, fz = zoneinfo.ZoneInfo(business.zone), zoneinfo.ZoneInfo(freelancer.zone)

    def working(s: Schedule, local: datetime.datetime) -> bool:
        t = local.time()
        if s.start < s.end:
            return local.weekday() in s.days and s.start <= t < s.end
        return (t >= s.start and local.weekday() in s.days) or (t < s.end and (local.weekday() - 1) % 7 in s.days)

    minutes = 0
    business_days = 0
    for offset in range(days):
        day = start + datetime.timedelta(days=offset)
        if day.weekday() not in business.days:
            continue
        business_days += 1
        # every minute from the business day's local midnight for 48 hours, UTC-stepped
        cursor = datetime.datetime.combine(day, T(0, 0), tzinfo=bz).astimezone(datetime.UTC)
        stop = cursor + datetime.timedelta(hours=48)
        while cursor < stop:
            b_local = cursor.astimezone(bz)
            crosses = business.end <= business.start
            same_day = b_local.date() == day and b_local.time() >= business.start
            if not crosses:
                same_day = same_day and b_local.time() < business.end
            next_day = crosses and b_local.date() == day + datetime.timedelta(days=1) and b_local.time() < business.end
            in_business = same_day or next_day
            if in_business and working(freelancer, cursor.astimezone(fz)):
                minutes += 1
            cursor += datetime.timedelta(minutes=1)
    return minutes, business_days


def test_same_zone_same_hours_is_the_whole_day():
    london = sched("Europe/London", "09:00", "17:00")
    result = overlap_between(london, london, datetime.date(2026, 6, 1))
    assert result.hours == Decimal(8) and result.business_days == 20


def test_kolkata_half_hour_zone_against_london_in_winter_and_summer():
    london = sched("Europe/London", "09:00", "17:30")
    kolkata = sched("Asia/Kolkata", "10:00", "19:00")
    # Winter: London = UTC, Kolkata = UTC+5:30 → Kolkata 19:00 = 13:30 London → 4.5 h.
    assert overlap_between(london, kolkata, datetime.date(2026, 1, 5)).hours == Decimal("4.5")
    # Summer: London = UTC+1 → Kolkata 19:00 = 14:30 London → 5.5 h.
    assert overlap_between(london, kolkata, datetime.date(2026, 6, 1)).hours == Decimal("5.5")


def test_kathmandu_45_minute_zone():
    utc = sched("UTC", "09:00", "17:00")
    kathmandu = sched("Asia/Kathmandu", "09:00", "17:00")  # UTC+5:45 → 03:15–11:15 UTC
    assert overlap_between(utc, kathmandu, datetime.date(2026, 3, 2)).hours == Decimal("2.25")


def test_shift_crossing_midnight():
    london = sched("Europe/London", "09:00", "17:00")
    night = sched("Asia/Manila", "14:00", "02:00")  # Manila UTC+8: 06:00–18:00 UTC in winter
    assert overlap_between(london, night, datetime.date(2026, 1, 5)).hours == Decimal(8)


def test_days_off_count_as_zero():
    london = sched("Europe/London", "09:00", "17:00")
    part_time = sched("Europe/London", "09:00", "17:00", days=[0, 1])  # Mon, Tue only
    result = overlap_between(london, part_time, datetime.date(2026, 6, 1))
    assert result.business_days == 20 and result.hours == Decimal("3.2")  # 8 h × 8 days / 20


def test_no_overlap_at_all():
    london = sched("Europe/London", "09:00", "17:00")
    sydney = sched("Australia/Sydney", "09:00", "17:00")
    assert overlap_between(london, sydney, datetime.date(2026, 6, 1)).hours == 0


def test_exact_threshold_two_hours_meets_the_minimum_and_one_minute_less_does_not():
    london = sched("Europe/London", "09:00", "17:00")
    exactly_two = overlap_between(london, sched("Europe/London", "15:00", "23:00"), datetime.date(2026, 6, 1))
    just_under = overlap_between(london, sched("Europe/London", "15:01", "23:00"), datetime.date(2026, 6, 1))
    assert exactly_two.hours == Decimal(2) and exactly_two.at_least(Decimal("2.0"))
    assert not just_under.at_least(Decimal("2.0"))


def test_dst_on_the_business_side_london_vs_new_york_in_march():
    # 2026: New York springs forward on 8 March, London on 29 March. For three weeks the gap is 4 h, not 5.
    london = sched("Europe/London", "09:00", "17:00")
    new_york = sched("America/New_York", "09:00", "17:00")
    before = overlap_between(london, new_york, datetime.date(2026, 3, 2), days=5)  # week of 2 March: 5 h apart
    gap_week = overlap_between(london, new_york, datetime.date(2026, 3, 9), days=5)  # 4 h apart
    after = overlap_between(london, new_york, datetime.date(2026, 3, 30), days=5)  # both on summer time
    assert (before.hours, gap_week.hours, after.hours) == (Decimal(3), Decimal(4), Decimal(3))
    mixed = overlap_between(london, new_york, datetime.date(2026, 3, 2))  # 5 days × 3 + 15 × 4 + 0 … over 20
    assert mixed.hours == Decimal(5 * 3 + 15 * 4) / 20


def test_dst_on_the_freelancer_side_adelaide_in_april_and_october():
    london = sched("Europe/London", "07:00", "17:00")
    adelaide = sched("Australia/Adelaide", "09:00", "17:00")
    # Adelaide leaves daylight saving on 5 April 2026 (+10:30 → +9:30); London is on BST (+1).
    # Before: Adelaide 17:00 = 06:30 UTC = 07:30 London → 0.5 h; after: 07:30 UTC = 08:30 London → 1.5 h.
    assert overlap_between(london, adelaide, datetime.date(2026, 3, 30), days=5).hours == Decimal("0.5")
    assert overlap_between(london, adelaide, datetime.date(2026, 4, 6), days=5).hours == Decimal("1.5")
    # Adelaide starts daylight saving on 4 October 2026 → back to 0.5 h (London still on BST until 25 Oct).
    assert overlap_between(london, adelaide, datetime.date(2026, 10, 5), days=5).hours == Decimal("0.5")
    # London leaves BST on 25 October → Adelaide 17:00 = 06:30 UTC = 06:30 London → none.
    assert overlap_between(london, adelaide, datetime.date(2026, 10, 26), days=5).hours == 0


def test_a_start_in_the_spring_forward_gap_begins_when_the_clocks_jump():
    london = zoneinfo.ZoneInfo("Europe/London")
    jump = to_utc(datetime.date(2026, 3, 29), T(1, 30), london)
    assert jump == datetime.datetime(2026, 3, 29, 1, 0, tzinfo=datetime.UTC)
    repeated = to_utc(datetime.date(2026, 10, 25), T(1, 30), london)
    assert repeated == datetime.datetime(2026, 10, 25, 0, 30, tzinfo=datetime.UTC)  # first occurrence (BST)


def test_timeline_is_in_the_owners_hours():
    london = sched("Europe/London", "09:00", "17:30")
    kolkata = sched("Asia/Kolkata", "10:00", "19:00")
    line = timeline(london, kolkata, datetime.date(2026, 1, 5))
    assert line.business == [(9.0, 17.5)]
    assert line.freelancer == [(4.5, 13.5)]
    assert line.overlap == [(9.0, 13.5)]


ZONES = [
    "UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Sao_Paulo", "America/St_Johns",
    "Asia/Kolkata", "Asia/Kathmandu", "Asia/Manila", "Australia/Adelaide", "Australia/Eucla",
    "Pacific/Chatham", "Pacific/Auckland", "Africa/Nairobi", "America/Los_Angeles",
]  # fmt: skip
# Quarter hours from 04:00 on: daylight-saving jumps of these zones happen earlier in the night,
# where the sampler's wall-clock reading is ambiguous (the gap and fold cases are tested above).
QUARTERS = st.integers(min_value=16, max_value=95).map(lambda q: T(q // 4, (q % 4) * 15))
DAYS = st.frozensets(st.integers(min_value=0, max_value=6), min_size=1)


@st.composite
def schedules(draw) -> Schedule:
    start, end = draw(QUARTERS), draw(QUARTERS.filter(lambda t: True))
    if start == end:
        end = T((end.hour + 1) % 24 if end.hour < 23 else 4, end.minute)
    return Schedule(draw(st.sampled_from(ZONES)), start, end, draw(DAYS))


@settings(max_examples=40, deadline=None)
@given(
    business=schedules(),
    freelancer=schedules(),
    start=st.dates(min_value=datetime.date(2026, 1, 1), max_value=datetime.date(2027, 12, 31)),
)
def test_overlap_equals_an_independent_minute_count(business, freelancer, start):
    days = 7
    result = overlap_between(business, freelancer, start, days=days)
    minutes, business_days = sampled_overlap_minutes(business, freelancer, start, days=days)
    assert result.business_days == business_days
    assert result.seconds == minutes * 60


def test_steady_weeks_shortcut_equals_the_calendar_count():
    """overlap_between takes 4 × one week at fixed offsets when no clock changes in reach: the same
    seconds and business days as laying every day on the calendar, across DST changes or not."""
    from sourcewise.talent.overlap import _overlap, overlap_between

    london = Schedule.of("Europe/London", datetime.time(9), datetime.time(17), [0, 1, 2, 3, 4])
    for zone, hours in (("America/Toronto", (9, 17)), ("Asia/Manila", (22, 6)), ("Australia/Adelaide", (8, 16)),
                        ("Asia/Kathmandu", (10, 18)), ("Africa/Casablanca", (9, 17))):  # fmt: skip
        other = Schedule.of(zone, datetime.time(hours[0]), datetime.time(hours[1]), [0, 1, 2, 3, 5])
        for start in (datetime.date(2026, 2, 2), datetime.date(2026, 3, 9), datetime.date(2026, 3, 27),
                      datetime.date(2026, 7, 1), datetime.date(2026, 10, 20), datetime.date(2026, 12, 5)):  # fmt: skip
            assert overlap_between(london, other, start) == _overlap(london, other, start, 28), (zone, start)

"""`Workspace.today()` is the date in the workspace's own time zone, not the server's."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.test import override_settings

from sourcewise.core.dates import server_today
from sourcewise.workspaces.models import Workspace

UTC = datetime.UTC


def _at(moment: datetime.datetime, zone: str) -> datetime.date:
    with time_machine.travel(moment, tick=False):
        return Workspace(timezone=zone).today()


@pytest.mark.parametrize(
    ("zone", "last_minute", "day"),
    [
        # East of the date line, UTC+14: a new day starts at 10:00 UTC.
        ("Pacific/Kiritimati", datetime.datetime(2026, 3, 10, 9, 59, tzinfo=UTC), datetime.date(2026, 3, 10)),
        # West of it, UTC-11: the day turns at 11:00 UTC, 25 hours after Kiritimati's same date.
        ("Pacific/Pago_Pago", datetime.datetime(2026, 3, 10, 10, 59, tzinfo=UTC), datetime.date(2026, 3, 9)),
        # Auckland in summer (UTC+13) and Honolulu (UTC-10), the two sides people actually live on.
        ("Pacific/Auckland", datetime.datetime(2026, 1, 15, 10, 59, tzinfo=UTC), datetime.date(2026, 1, 15)),
        ("Pacific/Honolulu", datetime.datetime(2026, 1, 15, 9, 59, tzinfo=UTC), datetime.date(2026, 1, 14)),
    ],
)
def test_the_day_turns_at_the_workspaces_midnight_on_both_sides_of_the_date_line(zone, last_minute, day):
    assert _at(last_minute, zone) == day
    assert _at(last_minute + datetime.timedelta(minutes=1), zone) == day + datetime.timedelta(days=1)


def test_at_one_instant_the_two_sides_of_the_date_line_are_a_day_apart_and_utc_between():
    moment = datetime.datetime(2026, 3, 10, 10, 30, tzinfo=UTC)
    assert (_at(moment, "Pacific/Pago_Pago"), _at(moment, "UTC"), _at(moment, "Pacific/Kiritimati")) == (
        datetime.date(2026, 3, 9),
        datetime.date(2026, 3, 10),
        datetime.date(2026, 3, 11),
    )


@pytest.mark.parametrize(
    ("zone", "last_minute", "day"),
    [
        # Berlin springs forward on 29 March 2026 (CET+1 -> CEST+2): that day ends at 22:00 UTC, not 23:00.
        ("Europe/Berlin", datetime.datetime(2026, 3, 29, 21, 59, tzinfo=UTC), datetime.date(2026, 3, 29)),
        # New York falls back on 1 November 2026 (EDT-4 -> EST-5): that day ends at 05:00 UTC, not 04:00.
        ("America/New_York", datetime.datetime(2026, 11, 2, 4, 59, tzinfo=UTC), datetime.date(2026, 11, 1)),
        # Santiago's clocks go back at local midnight (-3 -> -4): 4 April 2026 has 25 hours.
        ("America/Santiago", datetime.datetime(2026, 4, 5, 3, 59, tzinfo=UTC), datetime.date(2026, 4, 4)),
    ],
)
def test_a_daylight_saving_change_day_ends_at_the_new_offsets_midnight(zone, last_minute, day):
    assert _at(last_minute, zone) == day
    assert _at(last_minute + datetime.timedelta(minutes=1), zone) == day + datetime.timedelta(days=1)
    # The offset the day started with would put its end an hour off.
    start_offset = datetime.datetime.combine(day, datetime.time.min, tzinfo=zoneinfo.ZoneInfo(zone)).utcoffset()
    end_offset = (last_minute + datetime.timedelta(minutes=1)).astimezone(zoneinfo.ZoneInfo(zone)).utcoffset()
    assert start_offset != end_offset


def test_zone_is_the_stored_iana_zone():
    assert Workspace(timezone="Asia/Kathmandu").zone == zoneinfo.ZoneInfo("Asia/Kathmandu")


@pytest.mark.parametrize("name", ["", "Mars/Olympus_Mons", "../etc/passwd"])
def test_an_unknown_stored_zone_counts_as_utc(name):
    # What the three former workspace_today() helpers did; the field's validator keeps such names out.
    assert Workspace(timezone=name).zone == zoneinfo.ZoneInfo("UTC")
    assert _at(datetime.datetime(2026, 3, 10, 23, 59, tzinfo=UTC), name) == datetime.date(2026, 3, 10)


@override_settings(TIME_ZONE="UTC")
def test_the_servers_today_is_not_the_workspaces():
    with time_machine.travel(datetime.datetime(2026, 3, 10, 10, 30, tzinfo=UTC), tick=False):
        assert server_today() == datetime.date(2026, 3, 10)
        assert Workspace(timezone="Pacific/Kiritimati").today() == datetime.date(2026, 3, 11)

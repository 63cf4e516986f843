"""Looking ahead on the overlap (issue 12 item 6): the window from a chosen date (`?on=`) and
the next daylight-saving change that alters it, on either side.

Business in Berlin 09:00–17:00, freelancer in New York 09:00–17:00, 2027:
  winter (CET / EST)              Berlin 08–16 UTC, NY 14–22 UTC → 2 h
  14 Mar, US on summer time       NY 13–21 UTC                  → 3 h
  28 Mar, EU on summer time       Berlin 07–15 UTC              → 2 h
  31 Oct, EU back to winter time  Berlin 08–16 UTC              → 3 h
   7 Nov, US back to winter time  NY 14–22 UTC                  → 2 h
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine

from sourcewise.talent.overlap import (
    UTC,
    Schedule,
    clock_changes,
    next_overlap_change,
    overlap_between,
    overlap_drop,
    overlap_for,
)
from tests.conftest import api_headers, client_for
from tests.talent.helpers import freelancer
from tests.workspaces.factories import MembershipFactory, WorkspaceFactory

D = datetime.date
T = datetime.time
WEEKDAYS = range(5)


def sched(zone: str, start: str = "09:00", end: str = "17:00", days=WEEKDAYS) -> Schedule:
    return Schedule.of(zone, T.fromisoformat(start), T.fromisoformat(end), days)


BERLIN, NEW_YORK = sched("Europe/Berlin"), sched("America/New_York")


def change(business, other, on):
    c = next_overlap_change(business, other, on)
    return None if c is None else (c.starts_on, c.before.hours, c.after.hours, c.side(business), c.changes_on)


def test_clock_changes_are_found_to_the_second():
    year = (datetime.datetime(2027, 1, 1, tzinfo=UTC), datetime.datetime(2028, 1, 1, tzinfo=UTC))

    def at(month, day, hour):
        return datetime.datetime(2027, month, day, hour, 0, tzinfo=UTC)

    assert clock_changes("America/New_York", *year) == [at(3, 14, 7), at(11, 7, 6)]
    assert clock_changes("Europe/Berlin", *year) == [at(3, 28, 1), at(10, 31, 1)]
    # Southern hemisphere: summer time ends in April, starts in October.
    assert clock_changes("Australia/Sydney", *year) == [at(4, 3, 16), at(10, 2, 16)]
    assert clock_changes("Asia/Kolkata", *year) == [] and clock_changes("Asia/Tokyo", *year) == []


@pytest.mark.parametrize(
    "on, expected",
    [
        # US spring forward: their clocks, 2 h → 3 h from Monday 15 March.
        (D(2027, 3, 1), (D(2027, 3, 15), 2, 3, "their", D(2027, 3, 14))),
        # Exact day: on the Sunday of the change (at 03:00 New York, after Berlin's midnight) it is still ahead…
        (D(2027, 3, 14), (D(2027, 3, 15), 2, 3, "their", D(2027, 3, 14))),
        # …the day after, the next one is Berlin's own change: 3 h → 2 h from Monday 29 March.
        (D(2027, 3, 15), (D(2027, 3, 29), 3, 2, "your", D(2027, 3, 28))),
        # Autumn: Berlin first (31 Oct), then New York a week later (7 Nov).
        (D(2027, 10, 1), (D(2027, 11, 1), 2, 3, "your", D(2027, 10, 31))),
        (D(2027, 11, 1), (D(2027, 11, 8), 3, 2, "their", D(2027, 11, 7))),
    ],
)
def test_new_york_against_berlin_around_the_2027_changes(on, expected):
    assert change(BERLIN, NEW_YORK, on) == expected
    # The hours agree with the 28-day overlap on each side of the change (plain weeks, no change inside).
    after = expected[0]
    assert overlap_between(BERLIN, NEW_YORK, after, 5).hours == expected[2]


def test_southern_hemisphere_sydney_against_london():
    london, sydney = sched("Europe/London"), sched("Australia/Sydney", "17:00", "23:00")
    # London 09–17: GMT 09–17 UTC, BST 08–16 UTC. Sydney 17–23: AEDT 06–12 UTC, AEST 07–13 UTC.
    assert change(london, sydney, D(2027, 1, 4)) == (D(2027, 3, 29), 3, 4, "your", D(2027, 3, 28))
    # Sydney leaves summer time on Sunday 4 April (still Saturday in London): from Monday 5 April.
    assert change(london, sydney, D(2027, 3, 29)) == (D(2027, 4, 5), 4, 5, "their", D(2027, 4, 4))
    assert change(london, sydney, D(2027, 4, 5)) == (D(2027, 10, 4), 5, 4, "their", D(2027, 10, 3))


@pytest.mark.parametrize("today", [D(2027, 3, 1) + k * datetime.timedelta(days=1) for k in range(0, 60, 3)])
def test_the_sliding_window_agrees_with_the_28_day_overlap_of_each_day(today):
    # A minimum no day meets once the first change is in the window: the drop is the first day below it.
    night = sched("America/Los_Angeles", "06:30", "15:45", days=range(6))
    minimum = overlap_for(BERLIN, night, today).hours
    drop = overlap_drop(BERLIN, night, minimum, today, within=14)
    for k in range(1, 15):
        day = today + datetime.timedelta(days=k)
        if drop is not None and day == drop.starts_on:
            assert drop.overlap == overlap_between(BERLIN, night, day)
            break
        assert overlap_between(BERLIN, night, day).at_least(minimum)
    else:
        assert drop is None


def test_nothing_when_no_change_alters_the_overlap():
    # No daylight saving on either side.
    assert next_overlap_change(sched("Asia/Kolkata"), sched("Asia/Tokyo"), D(2027, 1, 1)) is None
    # The same zone: both clocks move together.
    assert next_overlap_change(BERLIN, sched("Europe/Berlin", "12:00", "20:00"), D(2027, 3, 1)) is None
    # Berlin and London change at the same instant (01:00 UTC): the gap between them stays.
    assert next_overlap_change(BERLIN, sched("Europe/London"), D(2027, 3, 1)) is None
    # A change that moves hours with no overlap on either side alters nothing.
    assert next_overlap_change(sched("Asia/Tokyo"), sched("America/New_York"), D(2027, 1, 1)) is None


def test_a_change_further_than_a_year_ahead_is_not_looked_for():
    # From 8 Nov 2027 the next change that alters Berlin/New York is 12 March 2028: inside a year.
    assert change(BERLIN, NEW_YORK, D(2027, 11, 8))[0] == D(2028, 3, 13)
    assert next_overlap_change(BERLIN, NEW_YORK, D(2027, 11, 8), days=120) is None


def test_the_28_day_overlap_drop_names_the_change_that_causes_it():
    ny_early = sched("America/New_York", "08:00", "16:00")  # 3 h in winter, 4 h between the changes
    minimum = Decimal("3.5")
    # From 16 March the window holds more days after Berlin's change (3 h) than before: 3.45 h.
    drop = overlap_drop(BERLIN, ny_early, minimum, D(2027, 3, 2))
    assert (drop.starts_on, drop.overlap.hours, drop.change_zones, drop.change_on) == (
        D(2027, 3, 16), Decimal("3.45"), ("Europe/Berlin",), D(2027, 3, 28))  # fmt: skip
    assert drop.overlap == overlap_between(BERLIN, ny_early, D(2027, 3, 16))  # what the rule sees that day
    assert overlap_drop(BERLIN, ny_early, minimum, D(2027, 3, 1)) is None  # 15 days ahead: out of reach
    assert overlap_drop(BERLIN, ny_early, minimum, D(2027, 3, 1), within=15).starts_on == D(2027, 3, 16)
    assert overlap_drop(BERLIN, ny_early, minimum, D(2027, 3, 16)) is None  # already below: the live finding
    assert overlap_drop(sched("Asia/Kolkata"), sched("Asia/Tokyo"), Decimal(8), D(2027, 3, 1)) is None


# ---- the API ---------------------------------------------------------------------------------


@pytest.fixture
def berlin(db):
    workspace = WorkspaceFactory(timezone="Europe/Berlin")
    owner = MembershipFactory(workspace=workspace, role="owner")
    return workspace, owner


@time_machine.travel(datetime.datetime(2027, 3, 1, 12, 0, tzinfo=UTC), tick=False)
def test_api_overlap_from_a_chosen_date_with_the_next_change(client, berlin):
    workspace, owner = berlin
    f = freelancer(workspace, zone="America/New_York")
    headers = api_headers(owner)
    today = client.get(f"/api/v1/freelancers/{f.pk}/overlap", headers=headers).json()
    assert (today["window_start"], today["hours"]) == ("2027-03-01", "2.50")  # 10 days at 2 h, 10 at 3 h
    body = client.get(f"/api/v1/freelancers/{f.pk}/overlap?on=2027-03-10", headers=headers).json()
    # 10 Mar – 6 Apr: 3 days at 2 h, 10 at 3 h, 7 at 2 h over 20 business days.
    assert (body["window_start"], body["hours"], body["business_days"]) == ("2027-03-10", "2.50", 20)
    assert body["next_change"] == {
        "starts_on": "2027-03-15", "changes_at": "2027-03-14T07:00:00Z", "side": "their",
        "zones": ["America/New_York"], "hours_before": "2.00", "hours_after": "3.00",
    }  # fmt: skip
    later = client.get(f"/api/v1/freelancers/{f.pk}/overlap?on=2027-04-05", headers=headers).json()
    assert (later["hours"], later["next_change"]["starts_on"]) == ("2.00", "2027-11-01")
    detail = client.get(f"/api/v1/freelancers/{f.pk}", headers=headers).json()
    assert detail["next_overlap_change"]["starts_on"] == "2027-03-15"


@time_machine.travel(datetime.datetime(2027, 3, 1, 12, 0, tzinfo=UTC), tick=False)
@pytest.mark.parametrize(
    "on, ok",
    [("2025-03-01", True), ("2025-02-28", False), ("2029-02-28", True), ("2029-03-01", False),
     ("2027-02-30", False), ("tomorrow", False), ("9999-12-31", False)],
)  # fmt: skip
def test_api_refuses_a_bad_or_far_date_with_a_clear_422(client, berlin, on, ok):
    workspace, owner = berlin
    f = freelancer(workspace, zone="Asia/Kolkata")
    response = client.get(f"/api/v1/freelancers/{f.pk}/overlap", {"on": on}, headers=api_headers(owner))
    if ok:
        assert response.status_code == 200 and response.json()["window_start"] == on
        return
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == ["on"]
    if on.startswith(("2025", "2029", "9999")):
        assert "within two years of today" in response.json()["message"]


# ---- the freelancer's page -------------------------------------------------------------------


@time_machine.travel(datetime.datetime(2027, 3, 1, 12, 0, tzinfo=UTC), tick=False)
def test_page_shows_the_next_change_and_takes_a_date(berlin):
    workspace, owner = berlin
    f = freelancer(workspace, zone="America/New_York")
    client = client_for(owner)
    body = client.get(f"/talent/freelancers/{f.pk}/").content.decode()
    assert "over the next 28 days" in body
    assert 'data-testid="overlap-change">From 15 Mar: <strong>3.0 h</strong> instead of 2.0 h a business day' in body
    assert "in theirs (America/New_York) on Sun 14 Mar 2027" in body
    body = client.get(f"/talent/freelancers/{f.pk}/?on=2027-03-20").content.decode()
    assert 'the 28 days from <span data-testid="overlap-start">20 Mar 2027</span>' in body
    assert "From 29 Mar: <strong>2.0 h</strong> instead of 3.0 h" in body and "in your time zone" in body


@time_machine.travel(datetime.datetime(2027, 3, 1, 12, 0, tzinfo=UTC), tick=False)
@pytest.mark.parametrize("on, error", [("2027-13-01", "Enter a date as YYYY-MM-DD."),
                                       ("2031-01-01", "Choose a date within two years of today")])  # fmt: skip
def test_page_shows_a_form_error_for_a_bad_date_never_a_500(berlin, on, error):
    workspace, owner = berlin
    f = freelancer(workspace, zone="America/New_York")
    response = client_for(owner).get(f"/talent/freelancers/{f.pk}/", {"on": on})
    body = response.content.decode()
    assert response.status_code == 200 and error in body
    assert "over the next 28 days" in body  # falls back to today


@time_machine.travel(datetime.datetime(2027, 3, 1, 12, 0, tzinfo=UTC), tick=False)
def test_page_shows_no_change_without_daylight_saving(db):
    workspace = WorkspaceFactory(timezone="Asia/Kolkata")
    owner = MembershipFactory(workspace=workspace, role="owner")
    f = freelancer(workspace, zone="Asia/Tokyo")
    body = client_for(owner).get(f"/talent/freelancers/{f.pk}/?on=2027-03-10").content.decode()
    assert "the 28 days from" in body and 'data-testid="overlap-change"' not in body

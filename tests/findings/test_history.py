"""The score over time: daily snapshots, the 90-day selector, the trend block and a finding's age."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.template import Context, Template

from sourcewise.findings.codes import Severity
from sourcewise.findings.history import HistoryDay, health_history, week_changes
from sourcewise.findings.models import FindingRecord, HealthSnapshot
from sourcewise.findings.refresh import refresh_full
from sourcewise.findings.registry import Finding
from sourcewise.findings.store import stored_health
from sourcewise.findings.templatetags.findings_history import open_for, trend_chart
from tests.workspaces.factories import WorkspaceFactory

TODAY = datetime.date(2026, 11, 20)


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


def days_ago(n: int, today: datetime.date = TODAY) -> datetime.date:
    return today - datetime.timedelta(days=n)


def snapshot(workspace, day, score=80, critical=0, warning=4, info=0, accepted=0, **kw):
    return HealthSnapshot.objects.create(
        workspace=workspace,
        day=day,
        score=score,
        critical=critical,
        warning=warning,
        info=info,
        accepted=accepted,
        by_guardrail=kw.get("by_guardrail", {}),
    )


@pytest.fixture
def scripted(temporary_check):
    """A check whose findings the test sets: {subject_id: severity}."""
    current: dict[int, Severity] = {}

    def produce(ctx):
        for subject_id, severity in sorted(current.items()):
            yield Finding("NO_SOP", severity, "task", subject_id, f"Task {subject_id} has no SOP.", "Write it.")

    temporary_check(["NO_SOP"], produce)
    return current


# -- a snapshot for each day the workspace is used; the selector ------------------------------------------------


def test_each_day_of_use_leaves_one_snapshot_and_unused_days_stay_gaps(workspace):
    for day in (days_ago(2), days_ago(2), TODAY):  # used twice on the first day, not at all the day after
        with time_machine.travel(noon(day), tick=False):
            stored_health(workspace)
    assert list(HealthSnapshot.objects.filter(workspace=workspace).values_list("day", flat=True)) == [
        days_ago(2),
        TODAY,
    ]
    history = health_history(workspace, 3, today=TODAY)
    assert [h.day for h in history] == [days_ago(2), days_ago(1), TODAY]
    assert [h.gap for h in history] == [False, True, False]
    assert history[1].score is None and history[1].snapshot is None  # nothing invented


def test_a_later_refresh_of_the_day_overwrites_that_day(workspace, scripted):
    with time_machine.travel(noon(TODAY), tick=False):
        refresh_full(workspace, today=TODAY)
        scripted[1] = Severity.CRITICAL
        refresh_full(workspace, today=TODAY)
    (only,) = HealthSnapshot.objects.filter(workspace=workspace)
    assert only.critical == 1 and only.by_guardrail == {"G6": 1}


def test_history_reads_its_own_workspace_and_window_in_one_query(workspace, django_assert_num_queries):
    other = WorkspaceFactory()
    for n in (0, 1, 5, 89, 90):
        snapshot(workspace, days_ago(n), score=100 - n)
    snapshot(other, days_ago(3), score=1)
    snapshot(workspace, TODAY + datetime.timedelta(days=1), score=2)  # after today: not shown
    with django_assert_num_queries(1):
        history = health_history(workspace, 90, today=TODAY)
    assert len(history) == 90
    assert history[0].day == days_ago(89) and history[-1].day == TODAY
    assert {h.day: h.score for h in history if not h.gap} == {
        days_ago(89): 11,
        days_ago(5): 95,
        days_ago(1): 99,
        TODAY: 100,
    }


def test_week_changes_count_what_appeared_and_what_was_resolved(workspace, scripted):
    scripted.update({1: Severity.WARNING, 2: Severity.WARNING})
    with time_machine.travel(noon(days_ago(9)), tick=False):
        refresh_full(workspace, today=days_ago(9))  # 1 and 2 appear: before the week
    del scripted[1]
    scripted[3] = Severity.CRITICAL
    scripted[4] = Severity.INFO
    with time_machine.travel(noon(days_ago(6)), tick=False):
        refresh_full(workspace, today=days_ago(6))  # 1 resolved, 3 and 4 appear: inside the week
    del scripted[4]
    with time_machine.travel(noon(TODAY), tick=False):
        refresh_full(workspace, today=TODAY)  # 4 resolved the same week it appeared
        changes = week_changes(workspace, today=TODAY)
    assert (changes.new, changes.new_critical, changes.resolved) == (2, 1, 2)
    assert changes.since.date() == days_ago(6)


def test_week_changes_leave_out_what_happened_before_the_seven_days(workspace, scripted):
    scripted[1] = Severity.CRITICAL
    with time_machine.travel(noon(days_ago(7)), tick=False):
        refresh_full(workspace, today=days_ago(7))
    scripted.clear()
    with time_machine.travel(noon(days_ago(7)) + datetime.timedelta(hours=1), tick=False):
        refresh_full(workspace, today=days_ago(7))
    changes = week_changes(workspace, today=TODAY)
    assert (changes.new, changes.resolved) == (0, 0)


# -- a finding's age ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "seen, expected",
    [
        (noon(TODAY), "new today"),
        (noon(TODAY + datetime.timedelta(days=1)), "new today"),  # a clock ahead never says "-1 days"
        (noon(days_ago(1)), "open for 1 day"),
        (noon(days_ago(2)), "open for 2 days"),
        (noon(days_ago(12)), "open for 12 days"),
    ],
)
def test_open_for_says_how_long_a_finding_has_been_open(seen, expected):
    assert open_for(FindingRecord(first_seen=seen), TODAY) == expected


def test_open_for_is_empty_without_a_date():
    assert open_for(FindingRecord(), TODAY) == ""
    rendered = Template("{% load findings_history %}[{{ r|open_for:today }}]").render(
        Context({"r": FindingRecord(first_seen=noon(days_ago(3))), "today": TODAY})
    )
    assert rendered == "[open for 3 days]"


# -- the chart -----------------------------------------------------------------------------------------------------


def history_of(scores: list[int | str | None]) -> list[HistoryDay]:
    """ "-" is a day without a snapshot; None a snapshot without a score."""
    start = days_ago(len(scores) - 1)
    out = []
    for i, s in enumerate(scores):
        day = start + datetime.timedelta(days=i)
        snap = None if s == "-" else HealthSnapshot(day=day, score=s, critical=1, warning=2, info=0)
        out.append(HistoryDay(day, snap))
    return out


def test_a_gap_breaks_the_line_and_a_lone_day_is_a_dot():
    svg = str(trend_chart(history_of([60, 65, 70, "-", 75, 80, "-", 90])))
    assert svg.count("<polyline") == 2
    assert svg.count("<circle") == 1
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "Score 60 on" in svg and "up 30 points" in svg
    assert "2 days without a snapshot are left blank" in svg


def test_chart_without_any_snapshot_says_so():
    svg = str(trend_chart(history_of(["-", "-", "-"])))
    assert "No history yet" in svg and "<polyline" not in svg


def test_chart_of_an_unscored_workspace_draws_counts_but_no_line():
    svg = str(trend_chart(history_of([None, None])))
    assert "<polyline" not in svg and "<circle" not in svg
    assert "No score yet" in svg and "not scored, 1 critical, 2 warnings" in svg


def test_trend_block_renders_in_few_queries(workspace, scripted, django_assert_max_num_queries):
    for n in range(30):
        if n % 7 != 3:
            snapshot(workspace, days_ago(n), score=50 + n)
    template = Template("{% load findings_history %}{% health_trend workspace today %}")
    with django_assert_max_num_queries(3):
        html = template.render(Context({"workspace": workspace, "today": TODAY}))
    assert 'data-testid="trend-chart"' in html and 'data-testid="health-trend"' in html
    assert "<table" in html
    assert f"{days_ago(3):%a %-d %b %Y}" not in html  # only days with a snapshot are in the table
    assert f"{days_ago(4):%a %-d %b %Y}" in html
    assert html.count("<tr>") == 1 + 26  # the header and 26 recorded days
    assert "64 days without a snapshot" in html  # 90 days shown, 26 recorded


def test_dashboard_shows_the_trend_and_the_week(owner_client, workspace, scripted):
    scripted[1] = Severity.CRITICAL
    stored_health(workspace)  # what the dashboard's read does first (stored findings, today's snapshot)
    body = owner_client.get("/dashboard/").content.decode()
    assert 'data-testid="health-trend"' in body
    assert 'data-testid="new-this-week">1<' in body and 'data-testid="resolved-this-week">0<' in body


def test_the_dashboards_week_counts_stop_at_a_limit_and_say_so(stored, workspace):
    """A bulk import opens thousands of findings in a day: the page reads a bounded number of
    rows and shows "at least"; the weekly email (no limit) counts them all."""
    from tests.findings.stored import finding

    stored.set(*[finding("NO_SOP", "warning", subject_id=i) for i in range(1, 8)], finding("NO_MANAGER", "critical"))
    capped = week_changes(workspace, limit=5)
    assert capped.capped and capped.new == 5
    exact = week_changes(workspace)
    assert not exact.capped and exact.new == 8 and exact.new_critical == 1
    roomy = week_changes(workspace, limit=100)
    assert not roomy.capped and (roomy.new, roomy.new_critical, roomy.resolved) == (8, 1, 0)


def test_chart_of_a_new_workspace_with_nothing_to_draw_says_so():
    """Days recorded, but no score and no critical or warning finding on any (a new workspace):
    a sentence, not empty axes with a bar scale of "1"."""
    history = history_of([None, None, None])
    for day in history:
        day.snapshot.critical = day.snapshot.warning = 0
        day.snapshot.info = 3
    svg = str(trend_chart(history))
    assert "Nothing to draw yet" in svg
    assert "<rect" not in svg and "<line" not in svg and "<polyline" not in svg
    history[1].snapshot.warning = 1  # one warning is something to draw
    assert "Nothing to draw yet" not in str(trend_chart(history))

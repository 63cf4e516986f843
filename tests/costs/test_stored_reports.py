"""The dashboard's stored report: the same figures as computing it, never stale after a write."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from sourcewise.costs import reports, stored_reports
from sourcewise.costs.models import CostReportStamp, StoredCostReport
from sourcewise.engagements.models import Engagement
from sourcewise.money.models import ExchangeRate
from sourcewise.talent.models import Freelancer
from sourcewise.tasks.models import Task
from tests.costs.helpers import active_engagement, cost, usd_rate
from tests.tasks.factories import TaskFactory

MARCH = (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
TODAY = datetime.date(2026, 4, 10)


def _report(workspace):
    return stored_reports.cost_report(workspace, *MARCH, today=TODAY)


def _figures(report) -> dict:
    c = report.concentration
    return {
        "tco": report.totals.tco,
        "totals": report.totals,
        "months": [(m.month, m.by_category, m.baseline, m.expected) for m in report.months],
        "tasks": [(t.task.pk if t.task else None, t.by_category, t.savings) for t in report.tasks],
        "engagements": [(r.engagement.pk, r.fees, r.overhead, r.savings) for r in report.engagements],
        "count": report.engagement_count,
        "concentration": (c.total, c.hhi, c.freelancers, [(s.freelancer_id, s.spend, s.share) for s in c.shares]),
        "rates": sorted((r.currency, r.rate, r.valid_from) for r in report.ledger.describe_rates()),
    }


@pytest.fixture
def costed(workspace):
    """Two engagements in USD and GBP with fees and overhead, a task with an in-house cost."""
    usd_rate(workspace, "0.80", datetime.date(2026, 1, 1))
    a = active_engagement(workspace, expected_monthly_saving=D("100"))
    Task.objects.filter(pk=a.task_id).update(hours=D("10"), inhouse_hourly_cost=D("30"), inhouse_cost_currency="GBP")
    b = active_engagement(workspace)
    cost(workspace, amount="150", category="platform_fees", engagement=a, date=datetime.date(2026, 3, 5))
    cost(workspace, amount="99.99", category="tools", currency="USD", engagement=b, date=datetime.date(2026, 3, 6))
    cost(workspace, amount="12.34", category="other", date=datetime.date(2026, 3, 31))
    return a, b


def test_the_stored_report_has_the_computed_figures_and_is_read_in_five_queries(workspace, costed):
    computed = reports.cost_report(workspace, *MARCH, today=TODAY)
    first = _report(workspace)
    assert StoredCostReport.objects.filter(workspace=workspace).count() == 1
    with CaptureQueriesContext(connection) as queries:
        again = _report(workspace)
    # Rates, tasks, the stored report with its stamp, the listed engagements, the freelancers' names.
    assert len(queries) <= 5, [q["sql"][:80] for q in queries.captured_queries]
    assert not any("costs_costmonth" in q["sql"] for q in queries.captured_queries)
    assert _figures(first) == _figures(again) == _figures(computed)
    assert again.totals.tco == D("150") + D("99.99") * D("0.80") + D("12.34")
    assert str(again.engagements[0].engagement) == str(costed[0])


def test_a_ledger_write_makes_the_next_read_compute_again(workspace, costed):
    before = _report(workspace).totals.tco
    version = CostReportStamp.objects.get(workspace=workspace).version
    cost(workspace, amount="10.01", category="training", date=datetime.date(2026, 3, 20))
    assert CostReportStamp.objects.get(workspace=workspace).version == version + 1
    assert _report(workspace).totals.tco == before + D("10.01")


def test_a_rolled_back_write_leaves_the_stored_report_valid(workspace, costed):
    before = _report(workspace).totals.tco
    version = CostReportStamp.objects.get(workspace=workspace).version
    with transaction.atomic():
        cost(workspace, amount="10.01", category="training", date=datetime.date(2026, 3, 20))
        transaction.set_rollback(True)  # refused after the write
    assert CostReportStamp.objects.get(workspace=workspace).version == version
    with CaptureQueriesContext(connection) as queries:
        assert _report(workspace).totals.tco == before
    assert not any("costs_costmonth" in q["sql"] for q in queries.captured_queries)


def test_an_engagement_saved_changes_the_baseline_and_the_expected_saving(workspace, costed):
    a, _ = costed
    old = _report(workspace)
    a.expected_monthly_saving = D("40")
    a.save()
    new = _report(workspace)
    assert (old.months[0].expected, new.months[0].expected) == (D("100"), D("40"))
    a.end_date = datetime.date(2026, 3, 15)
    a.save()
    assert _report(workspace).months[0].baseline == D("300") * D(15) / D(31)


def test_rates_and_tasks_changed_without_a_signal_are_seen(workspace, costed):
    a, _ = costed
    old = _report(workspace)
    ExchangeRate.objects.filter(workspace=workspace, currency="USD").update(rate=D("0.50"))  # a bulk import
    assert _report(workspace).totals.tco == old.totals.tco - D("99.99") * D("0.30")
    Task.objects.filter(pk=a.task_id).update(inhouse_hourly_cost=D("60"))
    assert _report(workspace).months[0].baseline == D("600")
    TaskFactory(workspace=workspace)  # a new task without costs changes no figure, but is read
    assert _figures(_report(workspace))["tco"] == old.totals.tco - D("99.99") * D("0.30")


def test_labels_are_read_fresh_from_the_stored_ids(workspace, costed):
    a, _ = costed
    _report(workspace)
    Freelancer.objects.filter(pk=a.freelancer_id).update(name="Renamed Person")
    Engagement.objects.filter(pk=a.pk).update(kind=Engagement.Kind.TRIAL)  # no signal: a label only
    report = _report(workspace)
    row = next(r for r in report.engagements if r.engagement.pk == a.pk)
    assert row.engagement.freelancer.name == "Renamed Person" and "(trial)" in str(row.engagement)
    assert "Renamed Person" in [s.name for s in report.concentration.shares]


def test_only_the_top_engagements_and_freelancers_are_kept_with_counts_of_all(workspace, monkeypatch):
    monkeypatch.setattr(reports, "TOP_ENGAGEMENTS", 2)
    monkeypatch.setattr(stored_reports, "TOP_FREELANCERS", 2)
    engagements = [active_engagement(workspace) for _ in range(4)]
    for i, e in enumerate(engagements):
        cost(workspace, amount=str(10 * (i + 1)), category="platform_fees", engagement=e, date=MARCH[0])
    computed = reports.cost_report(workspace, *MARCH, today=TODAY)
    for report in (_report(workspace), _report(workspace)):  # computed and stored, then read
        assert [r.engagement.pk for r in report.engagements] == [engagements[3].pk, engagements[2].pk]
        assert [p for p, *_ in computed.ranked] == [e.pk for e in reversed(engagements)]
        assert report.engagement_count == 4 and report.concentration.freelancers == 4
        assert len(report.concentration.shares) == 2
        assert (report.concentration.total, report.concentration.hhi) == (
            computed.concentration.total,
            computed.concentration.hhi,
        )


def test_a_missing_rate_is_never_stored(workspace):
    cost(workspace, amount="10", currency="NGN", date=MARCH[0])
    assert _report(workspace).missing
    assert not StoredCostReport.objects.filter(workspace=workspace).exists()


def test_the_dashboard_lists_tasks_a_page_at_a_time_costliest_first(owner_client, owner):
    ws = owner.workspace
    today = ws.today()
    tasks = [TaskFactory(workspace=ws) for _ in range(30)]
    for i, task in enumerate(tasks):
        cost(ws, amount=str(i + 1), task=task, date=today)
    first = owner_client.get("/costs/").content.decode()
    table = first.split('data-testid="tco-tasks"')[1].split("</table>")[0]
    assert table.count("<tr>") == 1 + 25  # the head and 25 tasks
    assert table.index(str(tasks[29])) < table.index(str(tasks[28]))  # the costliest first
    assert str(tasks[0]) not in table and 'data-testid="tasks-pages"' in first
    second = owner_client.get("/costs/?months=6&tasks_page=2").content.decode()
    table = second.split('data-testid="tco-tasks"')[1].split("</table>")[0]
    assert table.count("<tr>") == 1 + 5 and str(tasks[0]) in table


def test_later_pages_of_engagements_come_from_the_stored_ranking(workspace, monkeypatch):
    monkeypatch.setattr(reports, "TOP_ENGAGEMENTS", 2)
    engagements = [active_engagement(workspace) for _ in range(5)]
    for i, e in enumerate(engagements):
        cost(workspace, amount=str(10 * (i + 1)), category="tools", engagement=e, date=MARCH[0])
    # A later page asked first: computed, stored, then read as stored.
    third = stored_reports.cost_report(workspace, *MARCH, today=TODAY, engagements_page=3)
    assert ([r.engagement.pk for r in third.engagements], third.engagements_page) == ([engagements[0].pk], 3)
    with CaptureQueriesContext(connection) as queries:
        second = stored_reports.cost_report(workspace, *MARCH, today=TODAY, engagements_page=2)
    assert not any("costs_costmonth" in q["sql"] for q in queries.captured_queries)
    assert [r.engagement.pk for r in second.engagements] == [engagements[2].pk, engagements[1].pk]
    assert (second.first_listed, second.last_listed, second.engagement_pages) == (3, 4, 3)
    assert [r.overhead for r in second.engagements] == [D("30.00"), D("20.00")]


def test_the_roi_chart_shows_the_best_and_worst_tasks_when_there_are_many(monkeypatch):
    from types import SimpleNamespace

    from sourcewise.costs import charts
    from sourcewise.costs.reports import TaskRow
    from sourcewise.costs.savings import Savings

    monkeypatch.setattr(charts, "ROI_EACH_END", 2)
    rows = [
        TaskRow(
            Task(id=i, name=f"Task {i}"), {}, Savings(tco=D(100), months=D(1), baseline=D(50 + 20 * i), expected=None)
        )
        for i in range(6)
    ]  # ROI from -50 % (Task 0) to +50 % (Task 5)
    svg = str(charts.roi_per_task(SimpleNamespace(tasks=rows, base_currency="GBP")))
    assert svg.count("<rect") == 4 and "6 tasks, the 2 best and worst shown" in svg
    assert ">Task 5<" in svg and ">Task 0<" in svg and ">Task 3<" not in svg
    assert "Costing more than in-house: Task 2, Task 1 and 1 more." in svg


def test_the_next_days_report_replaces_the_days_one(workspace, costed):
    a, _ = costed
    a.end_date = None
    a.save()
    today = datetime.date(2026, 3, 20)  # inside the period: the baseline counts the days so far
    first = stored_reports.cost_report(workspace, *MARCH, today=today)
    second = stored_reports.cost_report(workspace, *MARCH, today=today + datetime.timedelta(days=1))
    assert second.months[0].baseline == first.months[0].baseline * 21 / 20
    assert list(StoredCostReport.objects.filter(workspace=workspace).values_list("key", flat=True)) == ["1 months|GBP"]


def test_every_engagement_is_listed_with_its_model_a_batch_at_a_time(workspace, monkeypatch):
    monkeypatch.setattr(reports, "MODELS_AT_ONCE", 2)
    made = [active_engagement(workspace) for _ in range(5)]
    for i, e in enumerate(made):
        cost(workspace, amount=str(i + 1), category="tools", engagement=e, date=MARCH[0])
    report = reports.cost_report(workspace, *MARCH, today=TODAY)  # the API's: every engagement
    assert [r.engagement.pk for r in report.engagements] == [e.pk for e in reversed(made)]
    assert all(isinstance(r.engagement, Engagement) and r.engagement.freelancer.name for r in report.engagements)

"""Reports read the summary, convert each amount at the rate valid on its date, and say when a rate is missing."""

from __future__ import annotations

import datetime
import gc
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.costs import converted_ledger, reports
from sourcewise.engagements.models import Engagement
from sourcewise.tasks.models import Task
from tests.costs.helpers import active_engagement, cost, usd_rate
from tests.money.factories import ExchangeRateFactory

MARCH = (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))


def test_each_month_is_converted_with_its_rate(workspace):
    usd_rate(workspace, "0.80", datetime.date(2026, 1, 1))
    usd_rate(workspace, "0.75", datetime.date(2026, 3, 1))
    cost(workspace, amount="100", currency="USD", date=datetime.date(2026, 2, 27))
    cost(workspace, amount="100", currency="USD", date=datetime.date(2026, 3, 2))
    cost(workspace, amount="7.35", currency="GBP", date=datetime.date(2026, 3, 2))
    ledger = converted_ledger.load_ledger(workspace, datetime.date(2026, 2, 1), MARCH[1])
    assert ledger.complete
    by_month: dict = {}
    for (month, _category), value in ledger.by_month().items():
        by_month[month] = by_month.get(month, D(0)) + value
    assert by_month == {datetime.date(2026, 2, 1): D("80.00"), datetime.date(2026, 3, 1): D("82.35")}
    assert {(r.currency, r.rate) for r in ledger.describe_rates()} == {("USD", D("0.80")), ("USD", D("0.75"))}
    assert ledger.original_totals() == {"USD": D("200.00"), "GBP": D("7.35")}


def test_a_rate_starting_mid_month_converts_each_day_with_its_own_rate(workspace):
    usd_rate(workspace, "0.80", datetime.date(2026, 1, 1))
    usd_rate(workspace, "0.50", datetime.date(2026, 3, 15))
    cost(workspace, amount="100", currency="USD", date=datetime.date(2026, 3, 14))
    cost(workspace, amount="100", currency="USD", date=datetime.date(2026, 3, 15))
    ledger = converted_ledger.load_ledger(workspace, *MARCH)
    assert ledger.total() == D("130.00")  # 100 × 0.80 + 100 × 0.50


def test_a_missing_rate_is_reported_never_guessed(workspace):
    # KES and NGN: currencies the ECB does not publish, so only the owner's rates count.
    ExchangeRateFactory(workspace=workspace, currency="KES", rate=D("0.80"), valid_from=datetime.date(2026, 3, 20))
    cost(workspace, amount="100", currency="KES", date=datetime.date(2026, 3, 10))
    cost(workspace, amount="100", currency="KES", date=datetime.date(2026, 3, 25))
    cost(workspace, amount="5", currency="NGN", date=datetime.date(2026, 3, 25))
    ledger = converted_ledger.load_ledger(workspace, *MARCH)
    assert not ledger.complete
    assert ledger.missing["KES"].on_date == datetime.date(2026, 3, 10)
    assert "No exchange rate from NGN to GBP on 2026-03-25" in ledger.missing["NGN"].messages[0]
    assert ledger.total() == D("80.00")  # only what could be converted, and the report refuses to show it


def test_a_window_cut_inside_months_reads_those_days_from_the_entries(workspace):
    cost(workspace, amount="1", date=datetime.date(2026, 1, 31))
    cost(workspace, amount="2", date=datetime.date(2026, 2, 1))
    cost(workspace, amount="4", date=datetime.date(2026, 3, 1))
    cost(workspace, amount="8", date=datetime.date(2026, 4, 15))
    cost(workspace, amount="16", date=datetime.date(2026, 4, 16))
    ledger = converted_ledger.load_ledger(workspace, datetime.date(2026, 1, 31), datetime.date(2026, 4, 15))
    assert ledger.total() == D("15.00") and ledger.queries == 4
    assert ledger.by(lambda s: s.category) == {"tools": D("15.00")}


def test_the_cost_report_in_few_queries_with_tco_baseline_and_roi(workspace):
    task = active_engagement(workspace).task
    Task.objects.filter(pk=task.pk).update(hours=D("10"), inhouse_hourly_cost=D("30"), inhouse_cost_currency="GBP")
    e = task.engagements.get()
    e.start_date = datetime.date(2026, 1, 1)
    e.expected_monthly_saving = D("100")
    e.save()
    cost(workspace, amount="150", engagement=e, date=datetime.date(2026, 3, 5))
    cost(workspace, amount="50", category="licences", engagement=e, date=datetime.date(2026, 3, 6))
    for i in range(30):
        cost(workspace, amount="1", category="other", date=datetime.date(2026, 3, 1) + datetime.timedelta(days=i))
    with CaptureQueriesContext(connection) as queries:
        report = reports.cost_report(workspace, *MARCH, today=datetime.date(2026, 4, 10))
    # Rates, the summary twice, tasks, engagements (values, with their freelancers' names), and the
    # listed ones as models (no cut days in a whole month).
    assert len(queries) <= 6, [q["sql"][:80] for q in queries.captured_queries]
    march = report.months[0]
    assert (march.tco, march.baseline, march.expected) == (D("230.00"), D("300"), D("100"))
    row = report.engagements[0]
    assert (row.fees, row.overhead, row.savings.baseline, row.savings.roi) == (D(0), D("200.00"), D("300"), D("0.5"))
    assert report.totals.tco == D("230.00")


def test_concentration_counts_fees_and_platform_fees_per_freelancer(workspace):
    a = active_engagement(workspace)
    b = active_engagement(workspace)
    from sourcewise.costs.models import CostEntry

    for e, amount in ((a, "300"), (b, "100")):
        CostEntry.objects.create(workspace=workspace, engagement=e, task=e.task, category="fees",
                                 date=datetime.date(2026, 3, 3), amount=D(amount), currency="GBP",
                                 source=f"fees:test:{e.pk}")  # fmt: skip
    from sourcewise.costs import ledger as summary

    summary.rebuild(workspace)
    cost(workspace, amount="1000", category="management", engagement=a)  # internal: not spend on a freelancer
    ExchangeRateFactory(workspace=workspace)  # an unused rate changes nothing
    c = reports.cost_report(workspace, *MARCH, today=datetime.date(2026, 3, 31)).concentration
    assert [(s.freelancer_id, s.share) for s in c.shares] == [
        (a.freelancer_id, D("0.75")),
        (b.freelancer_id, D("0.25")),
    ]
    assert c.hhi == D(6250)


def test_the_expected_saving_is_in_the_workspace_currency_not_the_engagements(workspace):
    """A USD engagement's expected saving entered as 100 (the workspace's GBP) stays 100 GBP."""
    usd_rate(workspace, "0.80")
    e = active_engagement(workspace, currency="USD", start_date=datetime.date(2026, 1, 1))
    e.expected_monthly_saving = D("100")
    e.save()
    e.refresh_from_db()
    assert e.expected_saving_currency == "GBP"
    report = reports.cost_report(workspace, *MARCH, today=datetime.date(2026, 4, 10))
    assert report.months[0].expected == D("100")
    # A saving recorded in USD (before the workspace currency was the rule) is still converted.
    type(e).objects.filter(pk=e.pk).update(expected_saving_currency="USD")
    report = reports.cost_report(workspace, *MARCH, today=datetime.date(2026, 4, 10))
    assert report.months[0].expected == D("80.00")


def test_a_ledger_of_some_engagements_holds_exactly_their_costs(workspace):
    """What a scoped findings refresh reads: the same slices as the whole ledger, for those only —
    the cut days of both ends and a month split by a mid-month rate included."""
    usd_rate(workspace, "0.80", datetime.date(2026, 1, 1))
    usd_rate(workspace, "0.50", datetime.date(2026, 3, 15))
    mine, other = active_engagement(workspace), active_engagement(workspace)
    for engagement in (mine, other, None):
        for day, currency in ((datetime.date(2026, 1, 31), "GBP"), (datetime.date(2026, 3, 10), "USD"),
                              (datetime.date(2026, 3, 20), "USD"), (datetime.date(2026, 4, 15), "GBP")):  # fmt: skip
            cost(workspace, amount="10", currency=currency, date=day, engagement=engagement)
    start, end = datetime.date(2026, 1, 31), datetime.date(2026, 4, 15)
    whole = converted_ledger.load_ledger(workspace, start, end)
    only = converted_ledger.load_ledger(workspace, start, end, engagements=[mine.pk])

    def of_mine(ledger) -> dict:
        return {k: v for k, v in ledger.by(lambda s: (s.engagement_id, s.category)).items() if k[0] == mine.pk}

    assert {s.engagement_id for s in only.slices} == {mine.pk}
    # 10 GBP on the first day + 10 USD × 0.80 + 10 USD × 0.50 + 10 GBP on the last day
    assert of_mine(only) == of_mine(whole) == {(mine.pk, "tools"): D("33.00")}
    assert only.total() == whole.by(lambda s: s.engagement_id)[mine.pk]


def test_a_ledger_of_some_engagements_never_reads_another_workspaces(workspace):
    from tests.workspaces.factories import WorkspaceFactory

    elsewhere = WorkspaceFactory()
    theirs = active_engagement(elsewhere)
    cost(elsewhere, amount="10", date=datetime.date(2026, 3, 10), engagement=theirs)
    cost(elsewhere, amount="10", date=datetime.date(2026, 4, 2), engagement=theirs)
    ledger = converted_ledger.load_ledger(
        workspace, datetime.date(2026, 3, 5), datetime.date(2026, 4, 30), engagements=[theirs.pk]
    )
    assert ledger.slices == [] and ledger.total() == D(0)


def test_rates_looked_up_once_a_day_convert_and_note_as_convert_on(workspace):
    """`RatesOn` (the report's thousands of savings) gives what `convert_on` gives, and leaves the
    ledger with the same rates used and the same missing currency, asked once or many times."""
    usd_rate(workspace, "0.80", datetime.date(2026, 1, 1))
    usd_rate(workspace, "0.75", datetime.date(2026, 3, 15))
    rates, _ = converted_ledger.load_rates(workspace)
    asked = [(D("10.50"), "USD", datetime.date(2026, 3, 14)), (D("3"), "USD", datetime.date(2026, 3, 20)),
             (D("7"), "GBP", datetime.date(2026, 3, 20)), (D("2"), "KES", datetime.date(2026, 3, 2)),
             (D("1.25"), "USD", datetime.date(2026, 3, 14)), (D("2"), "KES", datetime.date(2026, 3, 1))]  # fmt: skip
    one_by_one = converted_ledger.Ledger(base_currency="GBP", start=MARCH[0], end=MARCH[1])
    once_a_day = converted_ledger.Ledger(base_currency="GBP", start=MARCH[0], end=MARCH[1])
    rates_on = converted_ledger.RatesOn(rates, once_a_day)
    for amount, currency, on in asked * 2:
        expected = converted_ledger.convert_on(rates, amount, currency, on, one_by_one)
        assert rates_on.convert(amount, currency, on) == expected
    assert [D("8.4"), D("2.25"), D("7"), None] == [rates_on.convert(a, c, on) for a, c, on in asked[:4]]
    assert list(once_a_day.rates_used.items()) == list(one_by_one.rates_used.items())
    assert once_a_day.missing.keys() == one_by_one.missing.keys() == {"KES"}
    assert once_a_day.missing["KES"].on_date == one_by_one.missing["KES"].on_date == datetime.date(2026, 3, 2)


def test_the_listed_engagements_are_the_first_of_the_ranking(workspace):
    engagements = [active_engagement(workspace) for _ in range(3)]
    for e, amount in zip(engagements, ("5", "50", "20"), strict=True):
        cost(workspace, amount=amount, engagement=e, date=datetime.date(2026, 3, 5))
    report = reports.cost_report(workspace, *MARCH, today=datetime.date(2026, 4, 10), top=2)
    listed = [(r.engagement.pk, r.fees, r.overhead, r.savings) for r in report.engagements]
    assert listed == report.ranked[:2] and report.engagement_count == 3
    assert [pk for pk, *_ in report.ranked] == [engagements[1].pk, engagements[2].pk, engagements[0].pk]
    assert all(type(r.engagement) is Engagement for r in report.engagements)


def test_the_cycle_collector_resumes_after_a_report_unless_it_was_paused(workspace):
    reports.cost_report(workspace, *MARCH, today=datetime.date(2026, 4, 10))
    assert gc.isenabled()
    gc.disable()
    try:
        reports.cost_report(workspace, *MARCH, today=datetime.date(2026, 4, 10))
        assert not gc.isenabled()  # paused by someone else: left as found
    finally:
        gc.enable()

    def fails_while_paused() -> None:
        with reports.cyclic_gc_paused():
            assert not gc.isenabled()
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        fails_while_paused()
    assert gc.isenabled()  # resumed after an error too

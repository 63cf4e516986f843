"""The cost pages and the generator at scale: a capped ledger count, the engagement filter as a
number, indexes for every filter, and `sourcewise generate --cost-entries` (SPEC P2)."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.core.dates import server_today
from sourcewise.costs import listing
from sourcewise.costs.models import CostEntry, CostMonth, Invoice
from sourcewise.demo import generate_costs
from sourcewise.money.models import ExchangeRate
from tests.costs.helpers import active_engagement, assert_summary_matches_entries, cost
from tests.workspaces.factories import WorkspaceFactory


def test_ledger_count_stops_at_the_cap(owner_client, owner, monkeypatch):
    ws = owner.workspace
    monkeypatch.setattr(listing, "CAP", 60)
    for i in range(75):
        cost(ws, amount=str(i + 1), date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 28))
    with CaptureQueriesContext(connection) as queries:
        body = owner_client.get("/costs/entries/").content.decode()
    assert "Page 1 of 2+" in body and "filter to reach older costs" in body
    counts = [q["sql"] for q in queries.captured_queries if "costs_costentry" in q["sql"] and "COUNT(" in q["sql"]]
    assert len(counts) == 1 and "LIMIT 61" in counts[0]
    assert len(queries) <= 8
    # The last page within the cap still answers; beyond it, the last page is shown.
    assert "Page 2 of 2+" in owner_client.get("/costs/entries/?page=9").content.decode()


def test_ledger_pages_read_ids_first_and_keep_the_order(owner_client, owner):
    """A page's OFFSET walks ids only (no join per skipped row); its rows come back in the
    ledger's order (newest day first, then the newest entry), ties on one day included."""
    import re

    ws = owner.workspace
    made = [
        cost(ws, amount=f"{i + 1}.01", date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 7))
        for i in range(60)
    ]
    expected = [f"{e.amount} GBP" for e in sorted(made, key=lambda e: (e.date, e.pk), reverse=True)]
    shown = []
    for number in range(1, -(-len(made) // listing.PAGE_SIZE) + 1):
        with CaptureQueriesContext(connection) as queries:
            body = owner_client.get(f"/costs/entries/?page={number}").content.decode()
        shown += re.findall(r'class="num">([0-9.]+ GBP)</td>', body)
        skipping = [q["sql"] for q in queries.captured_queries if "OFFSET" in q["sql"]]
        if number > 1:
            assert len(skipping) == 1 and "JOIN" not in skipping[0], skipping
    assert shown == expected


def test_ledger_under_the_cap_counts_exactly(owner_client, owner):
    ws = owner.workspace
    for i in range(55):
        cost(ws, amount="1", date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i))
    body = owner_client.get("/costs/entries/").content.decode()
    assert "Page 1 of 2</span>" in body and "filter to reach" not in body


def test_engagement_filter_is_a_number_not_a_list_of_every_engagement(owner_client, owner):
    ws = owner.workspace
    e, other = active_engagement(ws), active_engagement(ws)
    cost(ws, amount="11.11", engagement=e)
    cost(ws, amount="22.22", engagement=other)
    page = owner_client.get(f"/costs/entries/?engagement={e.pk}").content.decode()
    assert "11.11 GBP" in page and "22.22 GBP" not in page
    assert 'type="number" name="engagement"' in page and '<select name="engagement"' not in page
    # Another workspace's engagement is refused, never shown.
    stranger = active_engagement(WorkspaceFactory())
    cost(stranger.workspace, amount="33.33", engagement=stranger)
    page = owner_client.get(f"/costs/entries/?engagement={stranger.pk}").content.decode()
    assert "Unknown engagement" in page or "33.33" not in page
    assert "33.33 GBP" not in page


@pytest.mark.parametrize(
    "query",
    ["", "category=tools", "currency=GBP", "task=1", "engagement=1", "date_from=2026-01-01&date_to=2026-02-01"],
)
def test_every_ledger_filter_keeps_to_a_few_queries(owner_client, owner, query):
    ws = owner.workspace
    e = active_engagement(ws)
    for i in range(60):
        cost(ws, amount="2", engagement=e if i % 2 else None, date=datetime.date(2026, 1, 1) + datetime.timedelta(i))
    with CaptureQueriesContext(connection) as queries:
        response = owner_client.get(f"/costs/entries/?{query}")
    assert response.status_code == 200 and len(queries) <= 9, [q["sql"][:80] for q in queries.captured_queries]


def test_each_ledger_filter_has_an_index():
    names = {i.name for i in CostEntry._meta.indexes}
    assert {"costentry_ws_date", "costentry_ws_cat_date", "costentry_ws_cur_date", "costentry_task_date"} <= names
    assert {"costentry_eng_date"} <= names
    assert {"invoice_ws_month", "invoice_ws_state_month"} <= {i.name for i in Invoice._meta.indexes}


@pytest.mark.django_db
def test_generated_costs_are_deterministic_exact_and_summarised():
    from sourcewise.demo.generate import generate

    today = server_today()
    first = generate(name="Costs one", freelancers=30, engagements=40, tasks=5, cost_entries=600)
    ws = first.workspace
    assert first.counts["cost entries"] == 600 == CostEntry.objects.filter(workspace=ws).count()
    assert set(CostEntry.objects.filter(workspace=ws).values_list("currency", flat=True)) == {
        "GBP",
        "USD",
        "EUR",
        "PLN",
    }
    dates = CostEntry.objects.filter(workspace=ws).values_list("date", flat=True)
    assert max(dates) <= today and (max(dates) - min(dates)).days > 3 * 365
    # A USD rate starts mid-month; every entry has an owner rate on its date.
    assert ExchangeRate.objects.filter(workspace=ws, currency="USD", valid_from__day=15).exists()
    assert (
        not CostEntry.objects.filter(workspace=ws)
        .exclude(currency="GBP")
        .filter(date__lt=generate_costs.first_month(today))
        .exists()
    )
    invoices = Invoice.objects.filter(workspace=ws)
    assert invoices.count() == 6
    posted = CostEntry.objects.filter(workspace=ws, source__startswith="fees:invoice:")
    assert posted.count() == invoices.exclude(state="draft").count()
    assert CostMonth.objects.filter(workspace=ws).exists()
    assert_summary_matches_entries(ws)
    again = generate(name="Costs two", freelancers=30, engagements=40, tasks=5, cost_entries=600)
    amounts = list(CostEntry.objects.filter(workspace=ws).order_by("pk").values_list("amount", "category", "date"))
    twin = list(
        CostEntry.objects.filter(workspace=again.workspace).order_by("pk").values_list("amount", "category", "date")
    )
    assert amounts == twin


@pytest.mark.django_db
def test_no_cost_entries_by_default():
    from sourcewise.demo.generate import generate

    made = generate(name="No costs", freelancers=3, engagements=3, tasks=2)
    assert not CostEntry.objects.filter(workspace=made.workspace).exists()
    assert "cost entries" not in made.counts


def test_dashboard_lists_the_costliest_engagements_a_page_at_a_time(owner_client, owner, monkeypatch):
    from sourcewise.costs import reports

    monkeypatch.setattr(reports, "TOP_ENGAGEMENTS", 2)
    ws = owner.workspace
    today = ws.today()
    made = [active_engagement(ws, start_date=today - datetime.timedelta(days=40)) for _ in range(3)]
    for e, amount in zip(made, ("10.00", "30.00", "20.00"), strict=True):
        cost(ws, amount=amount, engagement=e, date=today)
    body = owner_client.get("/costs/").content.decode()
    table = body.split('data-testid="tco-engagements"')[1].split("</table>")[0]
    assert table.count("<tr>") == 3  # the header and the two costliest
    assert table.index(f"/engagements/{made[1].pk}/") < table.index(f"/engagements/{made[2].pk}/")
    assert f"/engagements/{made[0].pk}/" not in table
    assert "Engagements 1–2 of 3 with costs in this period" in body and "engagements_page=2" in body
    body = owner_client.get("/costs/?months=6&engagements_page=2").content.decode()
    table = body.split('data-testid="tco-engagements"')[1].split("</table>")[0]
    assert table.count("<tr>") == 2 and f"/engagements/{made[0].pk}/" in table
    assert "Engagements 3–3 of 3" in body and "engagements_page=1" in body
    # Past the last page: the last page; not a number: the first.
    assert f"/engagements/{made[0].pk}/" in owner_client.get("/costs/?engagements_page=99").content.decode()
    assert "Engagements 1–2 of 3" in owner_client.get("/costs/?engagements_page=x").content.decode()


def test_report_reads_only_engagements_that_ran_or_cost_money(workspace):
    from sourcewise.costs import periods, reports
    from sourcewise.engagements.models import Engagement

    today = workspace.today()
    start, end = periods.report_period(today, 6)
    ran = active_engagement(workspace, start_date=today - datetime.timedelta(days=30))
    draft_with_costs = active_engagement(workspace, state=Engagement.State.DRAFT)
    long_gone = active_engagement(
        workspace, state=Engagement.State.COMPLETED, start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2020, 6, 30),
    )  # fmt: skip
    cost(workspace, amount="5.00", engagement=draft_with_costs, date=today)
    cost(workspace, amount="7.00", engagement=ran, date=today)
    report = reports.cost_report(workspace, start, end, today)
    listed = {r.engagement.pk: r.tco for r in report.engagements}
    assert listed == {ran.pk: D("7.00"), draft_with_costs.pk: D("5.00")}
    assert str(report.engagements[0].engagement) == str(Engagement.objects.get(pk=ran.pk))
    assert long_gone.pk not in {r.engagement.pk for r in report.engagements}
    # Another workspace's engagements and costs never appear.
    other = active_engagement(WorkspaceFactory(), start_date=today - datetime.timedelta(days=30))
    cost(other.workspace, amount="99.00", engagement=other, date=today)
    again = reports.cost_report(workspace, start, end, today)
    assert {r.engagement.pk for r in again.engagements} == set(listed) and again.totals.tco == D("12.00")


@pytest.mark.django_db
def test_generated_invoices_fit_few_engagements():
    from sourcewise.demo.generate import generate

    made = generate(name="One engagement", freelancers=1, engagements=1, tasks=1, cost_entries=5000)
    invoices = Invoice.objects.filter(workspace=made.workspace)
    assert 0 < invoices.count() <= 30
    assert len(set(invoices.values_list("engagement_id", "month"))) == invoices.count()
    assert_summary_matches_entries(made.workspace)

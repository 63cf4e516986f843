"""The cost pages: dashboard with charts, the ledger and its forms, import, invoices, team costs."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.costs import invoicing
from sourcewise.costs.models import CostEntry, Invoice
from sourcewise.engagements.models import Engagement
from sourcewise.findings.refresh import ensure_fresh
from sourcewise.jobs.models import Job
from tests.conftest import client_for
from tests.costs.helpers import active_engagement, cost, manager_with_cost
from tests.talent.factories import FreelancerFactory
from tests.workspaces.factories import MembershipFactory


def test_dashboard_shows_totals_four_charts_and_the_rates_used(owner_client, owner):
    ws = owner.workspace
    today = ws.today()
    e = active_engagement(ws, start_date=today - datetime.timedelta(days=40))
    cost(ws, amount="120.00", engagement=e, date=today)
    for i in range(20):
        cost(ws, amount="1.00", category="other", date=today - datetime.timedelta(days=i))
    ensure_fresh(ws)  # the findings these writes left to refresh: not the page's own work
    with CaptureQueriesContext(connection) as queries:
        response = owner_client.get("/costs/")
    body = response.content.decode()
    assert response.status_code == 200
    for chart in ("chart-monthly", "chart-savings", "chart-roi", "chart-share"):
        assert f'data-testid="{chart}"' in body
    assert body.count('role="img"') == 4 and "<desc id=" in body
    assert "140.00 GBP" in body  # TCO
    assert "No conversion needed" in body
    # Plain words first: "spend concentration", its formula only in the help text.
    assert "Spend concentration</span>" in body and "(HHI)</span>" not in body
    help_text = body.split('data-testid="concentration-help">')[1].split("</p>")[0]
    assert "Σ share² × 10 000" in help_text
    # 10 for the page (computing its report) and 1 storing the report, 4 for its findings (pending
    # writes, state, the workspace's, the engagements').
    assert len(queries) <= 15, [q["sql"][:80] for q in queries.captured_queries]
    # Read again: the stored report, the same page; the listed rows' labels read fresh.
    with CaptureQueriesContext(connection) as queries:
        again = owner_client.get("/costs/").content.decode()
    assert len(queries) <= 12, [q["sql"][:80] for q in queries.captured_queries]
    assert "140.00 GBP" in again and "No conversion needed" in again and 'data-testid="chart-share"' in again


def test_dashboard_says_which_rate_is_missing_instead_of_a_total(manager_client, manager):
    ws = manager.workspace
    cost(ws, amount="10", currency="NGN", date=ws.today())  # not published by the ECB
    body = manager_client.get("/costs/?months=3").content.decode()
    assert 'data-testid="missing-rates"' in body and "No exchange rate from NGN to GBP" in body
    assert 'data-testid="kpis"' not in body and "Ask the workspace owner" in body


def test_ledger_lists_filters_and_paginates(owner_client, owner):
    ws = owner.workspace
    for i in range(55):
        cost(ws, amount=str(i + 1), date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i))
    cost(ws, amount="7.77", category="training", description="Course")
    with CaptureQueriesContext(connection) as queries:
        page = owner_client.get("/costs/entries/").content.decode()
    assert "Page 1 of 2" in page and len(queries) <= 8
    filtered = owner_client.get("/costs/entries/?category=training").content.decode()
    assert "7.77 GBP" in filtered and "55.00 GBP" not in filtered
    assert "page=2" in owner_client.get("/costs/entries/?currency=GBP").content.decode()
    partial = owner_client.get("/costs/entries/?q=Course", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and "7.77 GBP" in partial


def test_add_edit_and_delete_a_cost_on_the_web(manager_client, manager):
    ws = manager.workspace
    e = active_engagement(ws)
    sam = manager_with_cost(ws, "40.00")
    form = manager_client.get(f"/costs/entries/new/?engagement={e.pk}").content.decode()
    assert f'<option value="{e.pk}" selected>' in form
    response = manager_client.post(
        "/costs/entries/new/",
        {"category": "management", "date": "2026-03-02", "engagement": e.pk, "manager": sam.pk, "hours": "1.5"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = CostEntry.objects.get()
    assert (entry.amount, entry.currency, entry.task_id) == (D("60.00"), "GBP", e.task_id)
    bad = manager_client.post("/costs/entries/new/", {"category": "tools", "date": "2026-03-02"})
    assert bad.status_code == 200 and "Enter the amount." in bad.content.decode()
    fees = manager_client.post(
        "/costs/entries/new/",
        {"category": "fees", "date": "2026-03-02", "amount": "5", "currency": "GBP", "engagement": e.pk},
    )
    assert "posted by Sourcewise" in fees.content.decode() and CostEntry.objects.count() == 1
    edited = manager_client.post(
        f"/costs/entries/{entry.pk}/edit/",
        {"category": "tools", "date": "2026-03-03", "amount": "12.50", "currency": "EUR", "description": "VPN"},
    )
    assert edited.status_code == 302
    entry.refresh_from_db()
    assert (entry.category, entry.amount, entry.currency, entry.manager_id) == ("tools", D("12.50"), "EUR", None)
    assert manager_client.post(f"/costs/entries/{entry.pk}/delete/").status_code == 302
    assert not CostEntry.objects.exists()


def test_upload_a_csv_all_or_nothing(owner_client, owner):
    bad = SimpleUploadedFile("c.csv", b"date,category,amount,currency\n2026-03-01,tools,1,GBP\n2026-03-01,x,1,GBP\n")
    response = owner_client.post("/costs/entries/import/", {"file": bad}, follow=True)
    assert response.status_code == 200 and "Row 3, column category" in response.content.decode()
    assert Job.objects.get(kind="costs.import").state == "failed"
    assert not CostEntry.objects.exists()
    good = b"date,category,amount,currency\n2026-03-01,tools,1,GBP\n"
    for _ in range(2):
        owner_client.post("/costs/entries/import/", {"file": SimpleUploadedFile("c.csv", good)})
    assert CostEntry.objects.count() == 1
    exported = b"".join(owner_client.get("/costs/entries/export/").streaming_content).decode()
    assert exported.splitlines()[1].startswith("2026-03-01,tools,1.00,GBP")


def test_post_fees_button(manager_client, manager):
    e = active_engagement(manager.workspace)
    from tests.engagements.factories import TimeEntryFactory

    TimeEntryFactory(engagement=e, workspace=e.workspace, date=datetime.date(2026, 3, 1), status="approved")
    response = manager_client.post("/costs/post-fees/", follow=True)
    assert "1 added" in response.content.decode()
    assert CostEntry.objects.filter(category="fees").count() == 1


def test_owner_runs_an_invoice_from_draft_to_paid(owner_client, owner):
    e = active_engagement(owner.workspace, currency="USD")
    response = owner_client.post(
        "/costs/invoices/new/",
        {"engagement": e.pk, "month": "2026-02", "extra_description": "Retainer", "extra_amount": "600"},
    )
    invoice = Invoice.objects.get()
    assert response.status_code == 302 and (invoice.total, invoice.currency) == (D("600.00"), "USD")
    owner_client.post(f"/costs/invoices/{invoice.pk}/send/", {"sent_on": "2026-03-01"})
    owner_client.post(f"/costs/invoices/{invoice.pk}/paid/", {"paid_on": "2026-03-05", "amount_paid": "595.00"})
    invoice.refresh_from_db()
    assert (invoice.state, invoice.amount_paid) == ("paid", D("595.00"))
    refused = owner_client.post(f"/costs/invoices/{invoice.pk}/delete/", follow=True)
    assert "Only a draft invoice can be deleted" in refused.content.decode()
    page = owner_client.get(f"/costs/invoices/{invoice.pk}/").content.decode()
    assert "595.00 USD" in page and 'data-testid="invoice-state">Paid' in page


def test_freelancers_see_only_their_own_invoices_and_never_the_ledger(workspace, owner):
    mine = MembershipFactory(workspace=workspace, role="freelancer")
    me = FreelancerFactory(workspace=workspace, user=mine.user, email=mine.user.email)
    my_engagement = active_engagement(workspace, freelancer=me)
    other = active_engagement(workspace)
    invoices = [
        invoicing.create_invoice(
            workspace=workspace, actor=owner.user, engagement=e, month=datetime.date(2026, 2, 1), extra_amount=D("10")
        )
        for e in (my_engagement, other)
    ]
    client = client_for(mine)
    listing = client.get("/costs/invoices/").content.decode()
    assert invoices[0].number in listing and invoices[1].number not in listing
    assert client.get(f"/costs/invoices/{invoices[0].pk}/").status_code == 200
    assert client.get(f"/costs/invoices/{invoices[1].pk}/").status_code == 404
    assert client.get("/costs/").status_code == 403 and client.get("/costs/entries/").status_code == 403
    assert client.post(f"/costs/invoices/{invoices[0].pk}/send/", {"sent_on": "2026-03-01"}).status_code == 403
    assert Engagement.objects.count() == 2


def test_owner_sets_internal_hourly_costs_on_the_team_page(owner_client, owner, manager, manager_client):
    team = owner_client.get("/workspaces/members/").content.decode()
    assert f"/costs/team/{manager.pk}/cost/" in team
    response = owner_client.post(f"/costs/team/{manager.pk}/cost/", {"hourly_cost": "38.50", "currency": "GBP"})
    assert response.status_code == 302
    manager.refresh_from_db()
    assert manager.internal_hourly_cost == D("38.50")
    assert manager_client.get(f"/costs/team/{manager.pk}/cost/").status_code == 403

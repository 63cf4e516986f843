"""The cost ledger, report, invoices and team costs over the API."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.costs import invoicing
from sourcewise.costs.models import CostEntry
from tests.conftest import api_headers
from tests.costs.helpers import active_engagement, cost, manager_with_cost
from tests.talent.factories import FreelancerFactory
from tests.workspaces.factories import MembershipFactory

JSON = "application/json"


def test_crud_with_exact_amounts(client, owner, owner_api):
    e = active_engagement(owner.workspace)
    created = client.post(
        "/api/v1/cost-entries",
        {"category": "licences", "date": "2026-03-01", "amount": "49.99", "currency": "usd", "engagement_id": e.pk},
        content_type=JSON,
        headers=owner_api,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["amount"], body["currency"], body["task_id"], body["generated"]) == ("49.99", "USD", e.task_id, False)
    updated = client.put(
        f"/api/v1/cost-entries/{body['id']}",
        {"category": "tools", "date": "2026-03-02", "amount": "50", "currency": "GBP"},
        content_type=JSON,
        headers=owner_api,
    )
    assert updated.status_code == 200 and updated.json()["amount"] == "50.00"
    assert client.get(f"/api/v1/cost-entries/{body['id']}", headers=owner_api).json()["category"] == "tools"
    assert client.delete(f"/api/v1/cost-entries/{body['id']}", headers=owner_api).status_code == 204
    assert not CostEntry.objects.exists()


def test_management_time_and_refusals(client, manager):
    headers = api_headers(manager)
    sam = manager_with_cost(manager.workspace, "40.00")
    ok = client.post(
        "/api/v1/cost-entries",
        {"category": "management", "date": "2026-03-01", "manager_id": sam.pk, "hours": "2"},
        content_type=JSON,
        headers=headers,
    )
    assert ok.status_code == 201 and (ok.json()["amount"], ok.json()["currency"]) == ("80.00", "GBP")
    missing = client.post(
        "/api/v1/cost-entries", {"category": "tools", "date": "2026-03-01"}, content_type=JSON, headers=headers
    )
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "amount"
    other = active_engagement(MembershipFactory().workspace)
    foreign = client.post(
        "/api/v1/cost-entries",
        {"category": "tools", "date": "2026-03-01", "amount": "1", "currency": "GBP", "engagement_id": other.pk},
        content_type=JSON,
        headers=headers,
    )
    assert foreign.status_code == 422 and CostEntry.objects.count() == 1


def test_list_is_keyset_paginated_and_filtered_in_constant_queries(client, owner, owner_api):
    for i in range(7):
        cost(owner.workspace, amount=str(i + 1), category="tools" if i % 2 else "other")
    first = client.get("/api/v1/cost-entries?limit=3", headers=owner_api).json()
    second = client.get(f"/api/v1/cost-entries?limit=3&cursor={first['next_cursor']}", headers=owner_api).json()
    assert len(first["items"]) == 3 and first["items"][-1]["id"] < second["items"][0]["id"]
    with CaptureQueriesContext(connection) as queries:
        tools = client.get("/api/v1/cost-entries?category=tools&limit=200", headers=owner_api).json()
    assert len(tools["items"]) == 3 and tools["next_cursor"] is None
    assert len(queries) <= 4


def test_import_report_and_post_fees(client, owner, owner_api):
    csv = "date,category,amount,currency\n2026-03-01,tools,10,GBP\n"
    first = client.post("/api/v1/cost-entries/import", {"csv": csv}, content_type=JSON, headers=owner_api)
    again = client.post("/api/v1/cost-entries/import", {"csv": csv}, content_type=JSON, headers=owner_api)
    assert first.json() == {"added": 1, "updated": 0, "unchanged": 0}
    assert again.json() == {"added": 0, "updated": 0, "unchanged": 1}
    bad = client.post(
        "/api/v1/cost-entries/import", {"csv": csv + "x,tools,1,GBP\n"}, content_type=JSON, headers=owner_api
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["message"].startswith("row 3, column date")
    posted = client.post("/api/v1/cost-entries/post-fees", content_type=JSON, headers=owner_api)
    assert posted.json() == {"added": 0, "updated": 0, "removed": 0, "unchanged": 0}
    cost(owner.workspace, amount="5", date=owner.workspace.today())
    report = client.get("/api/v1/costs/report?months=3", headers=owner_api).json()
    assert report["currency"] == "GBP" and report["totals"]["tco"] == "5.00"
    assert len(report["months"]) == 3 and report["months"][-1]["by_category"]["tools"] == "5.00"
    cost(owner.workspace, amount="5", currency="NGN", date=owner.workspace.today())  # not ECB
    missing = client.get("/api/v1/costs/report", headers=owner_api)
    assert missing.status_code == 422 and "No exchange rate from NGN to GBP" in missing.json()["message"]


def test_invoices_owner_manages_freelancer_reads_own(client, owner, owner_api):
    ws = owner.workspace
    mine = MembershipFactory(workspace=ws, role="freelancer")
    me = FreelancerFactory(workspace=ws, user=mine.user, email=mine.user.email)
    e = active_engagement(ws, freelancer=me, currency="EUR")
    other = active_engagement(ws)
    created = client.post(
        "/api/v1/invoices",
        {"engagement_id": e.pk, "month": "2026-02", "extra_description": "Retainer", "extra_amount": "300"},
        content_type=JSON,
        headers=owner_api,
    )
    assert created.status_code == 201, created.content
    invoice = created.json()
    assert (invoice["state"], invoice["total"], invoice["currency"], invoice["month"]) == (
        "draft",
        "300.00",
        "EUR",
        "2026-02",
    )
    sent = client.post(
        f"/api/v1/invoices/{invoice['id']}/send", {"sent_on": "2026-03-01"}, content_type=JSON, headers=owner_api
    )
    assert sent.json()["state"] == "sent"
    paid = client.post(
        f"/api/v1/invoices/{invoice['id']}/pay",
        {"paid_on": "2026-03-04", "amount_paid": "298.20"},
        content_type=JSON,
        headers=owner_api,
    )
    assert (paid.json()["state"], paid.json()["amount_paid"]) == ("paid", "298.20")
    fee = CostEntry.objects.get(category="fees")
    assert (fee.amount, fee.currency, fee.date) == (D("298.20"), "EUR", datetime.date(2026, 2, 28))
    invoicing.create_invoice(
        workspace=ws, actor=owner.user, engagement=other, month=datetime.date(2026, 2, 1), extra_amount=D(1)
    )
    freelancer = api_headers(mine)
    listed = client.get("/api/v1/invoices", headers=freelancer).json()["items"]
    assert [i["id"] for i in listed] == [invoice["id"]]
    assert client.get(f"/api/v1/invoices/{invoice['id']}", headers=freelancer).json()["lines"][0]["amount"] == "300.00"
    assert (
        client.post(f"/api/v1/invoices/{invoice['id']}/send", {}, content_type=JSON, headers=freelancer).status_code
        == 403
    )
    assert client.get("/api/v1/cost-entries", headers=freelancer).status_code == 403


def test_internal_costs_are_owner_only(client, owner, owner_api, manager):
    response = client.put(
        f"/api/v1/members/{manager.pk}/internal-cost",
        {"internal_hourly_cost": "41.00", "currency": "GBP"},
        content_type=JSON,
        headers=owner_api,
    )
    assert response.status_code == 200 and response.json()["internal_hourly_cost"] == "41.00"
    listed = client.get("/api/v1/members/costs", headers=owner_api).json()
    assert {m["membership_id"]: m["internal_hourly_cost"] for m in listed}[manager.pk] == "41.00"
    assert client.get("/api/v1/members/costs", headers=api_headers(manager)).status_code == 403

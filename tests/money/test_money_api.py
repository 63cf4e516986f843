from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.money.models import ExchangeRate, RateBenchmark
from tests.conftest import api_headers
from tests.money.factories import ExchangeRateFactory, RateBenchmarkFactory
from tests.talent.factories import SkillFactory


def test_create_list_and_delete_exchange_rates(client, owner, owner_api):
    response = client.post(
        "/api/v1/exchange-rates",
        {"currency": "inr", "rate": "0.009412345678", "valid_from": "2026-01-01", "source": "Bank"},
        content_type="application/json",
        headers=owner_api,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["currency"], body["base_currency"], body["rate"]) == ("INR", "GBP", "0.009412345678")
    duplicate = client.post(
        "/api/v1/exchange-rates",
        {"currency": "INR", "rate": "1", "valid_from": "2026-01-01"},
        content_type="application/json",
        headers=owner_api,
    )
    assert duplicate.status_code == 409
    listed = client.get("/api/v1/exchange-rates?currency=INR", headers=owner_api).json()
    assert [r["rate"] for r in listed["items"]] == ["0.009412345678"]
    assert client.delete(f"/api/v1/exchange-rates/{body['id']}", headers=owner_api).status_code == 204
    assert not ExchangeRate.objects.exists()


def test_managers_read_but_do_not_change_rates(client, manager, owner):
    headers = api_headers(manager)
    ExchangeRateFactory(workspace=owner.workspace)
    assert client.get("/api/v1/exchange-rates", headers=headers).status_code == 200
    response = client.post(
        "/api/v1/exchange-rates",
        {"currency": "EUR", "rate": "0.9", "valid_from": "2026-02-01"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 403 and ExchangeRate.objects.count() == 1


def test_import_over_the_api_is_all_or_nothing(client, owner, owner_api):
    bad = {"csv": "currency,rate,valid_from\nEUR,0.86,2026-01-01\nEUR,x,2026-02-01\n", "filename": "r.csv"}
    response = client.post("/api/v1/exchange-rates/import", bad, content_type="application/json", headers=owner_api)
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"].startswith("Line 3: rate 'x' is not a number")
    assert not ExchangeRate.objects.exists()
    good = {"csv": "currency,rate,valid_from\nEUR,0.86,2026-01-01\n"}
    first = client.post("/api/v1/exchange-rates/import", good, content_type="application/json", headers=owner_api)
    again = client.post("/api/v1/exchange-rates/import", good, content_type="application/json", headers=owner_api)
    assert first.json() == {"added": 1, "updated": 0, "unchanged": 0}
    assert again.json() == {"added": 0, "updated": 0, "unchanged": 1}


def test_convert_says_which_rate_it_used_or_why_it_cannot(client, owner, owner_api):
    # KES: a currency the ECB does not publish, so before the owner's rate there is none.
    ExchangeRateFactory(
        workspace=owner.workspace, currency="KES", rate=Decimal("0.0094"), valid_from=datetime.date(2026, 1, 1)
    )
    body = client.get("/api/v1/convert?amount=1500&currency=KES&on=2026-01-01", headers=owner_api).json()
    assert body["converted"] == "14.10" and body["rate_used"]["rate"] == "0.0094"
    assert body["rate_used"]["valid_from"] == "2026-01-01"
    assert body["rate_used"]["origin"] == "owner" and body["rate_used"]["rate_date"] == "2026-01-01"
    missing = client.get("/api/v1/convert?amount=1500&currency=KES&on=2025-12-31", headers=owner_api)
    assert missing.status_code == 422
    assert "No exchange rate from KES to GBP on 2025-12-31" in missing.json()["message"]


def test_benchmarks_api(client, owner, owner_api):
    skill = SkillFactory(workspace=owner.workspace, name="SEO")
    other = SkillFactory(name="Other workspace skill")
    payload = {"skill_id": skill.pk, "country": "in", "hourly_rate": "1200.50", "currency": "INR",
               "as_of": "2026-01-15", "source": "Survey"}  # fmt: skip
    created = client.post("/api/v1/rate-benchmarks", payload, content_type="application/json", headers=owner_api)
    assert created.status_code == 201, created.content
    assert created.json()["hourly_rate"] == "1200.50" and created.json()["country"] == "IN"
    refused = client.post(
        "/api/v1/rate-benchmarks", {**payload, "skill_id": other.pk}, content_type="application/json", headers=owner_api
    )
    assert refused.status_code == 422 and "Unknown skill id" in refused.json()["message"]
    for i in range(5):
        RateBenchmarkFactory(workspace=owner.workspace, skill=skill, country="PH", as_of=datetime.date(2025, 1, i + 1))
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/api/v1/rate-benchmarks?limit=3", headers=owner_api).json()
    assert len(page["items"]) == 3 and page["next_cursor"]
    assert len(queries) <= 5
    rest = client.get(f"/api/v1/rate-benchmarks?limit=3&cursor={page['next_cursor']}", headers=owner_api).json()
    assert len(rest["items"]) == 3 and rest["next_cursor"] is None
    csv_text = "skill,country,hourly_rate,currency,as_of,source\nSEO,GB,40,GBP,2026-01-01,Survey\n"
    imported = client.post(
        "/api/v1/rate-benchmarks/import", {"csv": csv_text}, content_type="application/json", headers=owner_api
    )
    assert imported.json()["added"] == 1 and RateBenchmark.objects.filter(country="GB").count() == 1


def test_fair_band_api_classifies_with_exact_decimals(client, owner, owner_api):
    skill = SkillFactory(workspace=owner.workspace, name="Support")
    ExchangeRateFactory(
        workspace=owner.workspace, currency="PHP", rate=Decimal("0.0135"), valid_from=datetime.date(2026, 1, 1)
    )
    RateBenchmarkFactory(
        workspace=owner.workspace, skill=skill, country="PH", hourly_rate=Decimal("400"), currency="PHP"
    )
    RateBenchmarkFactory(workspace=owner.workspace, skill=skill, country="GB", hourly_rate=Decimal("16"))
    url = f"/api/v1/fair-band?skill_id={skill.pk}&country=PH&rate=400&currency=PHP&on=2026-02-01"
    body = client.get(url, headers=owner_api).json()
    assert body["classification"] == "under_floor" and body["finding_code"] == "RATE_UNDER_FAIR_FLOOR"
    assert (body["market"]["amount"], body["floor"], body["ceiling"]) == ("5.40", "5.94", "16.00")
    assert body["rate"]["converted"] == "5.40" and body["exchange_rates_used"][0]["rate"] == "0.0135"
    assert body["severity"] == "info" and body["estimated"] is False
    estimate = client.get(
        f"/api/v1/fair-band?skill_id={skill.pk}&country=IN&rate=5&currency=GBP&on=2026-02-01", headers=owner_api
    ).json()
    assert estimate["estimated"] is True and estimate["market"]["estimate_years"] == "2023"
    assert estimate["market"]["amount"] == "4.71"  # 16.00 × 0.244192422211422 / 0.829565847485324
    # NGN: not published by the ECB and no owner rate (before that owner PHP rate the ECB's applies).
    missing = client.get(url.replace("currency=PHP", "currency=NGN"), headers=owner_api)
    assert missing.status_code == 422 and "NGN" in missing.json()["message"]
    bad = client.get(url.replace("rate=400", "rate=-1"), headers=owner_api)
    assert bad.status_code == 422

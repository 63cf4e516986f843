from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.jobs.models import Job
from sourcewise.money.models import ExchangeRate, RateBenchmark
from tests.money.factories import ExchangeRateFactory, RateBenchmarkFactory
from tests.talent.factories import SkillFactory


def _band_setup(workspace):
    skill = SkillFactory(workspace=workspace, name="Web development")
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="PH", hourly_rate=Decimal("20.00"))
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="GB", hourly_rate=Decimal("50.00"))
    return skill


def test_fair_band_page_shows_the_verdict_numbers_and_svg(owner_client, owner):
    skill = _band_setup(owner.workspace)
    with CaptureQueriesContext(connection) as queries:
        response = owner_client.get(f"/money/?skill={skill.pk}&country=PH&rate=19.99&currency=GBP&on=2026-03-01")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-classification="below_market"' in body and "<svg" in body
    assert "20.00" in body and "22.00" in body and "50.00" in body
    assert len(queries) <= 10


def test_fair_band_page_of_a_workspace_without_skills_says_to_name_them_first(owner_client, owner):
    SkillFactory()  # another workspace's skill does not count
    page = owner_client.get("/money/").content.decode()
    assert 'data-testid="first-add"' in page and 'href="/talent/skills/">name the skills</a>' in page
    SkillFactory(workspace=owner.workspace, name="Bookkeeping")
    assert 'data-testid="first-add"' not in owner_client.get("/money/").content.decode()


def test_fair_band_partial_is_only_the_band(manager_client, manager):
    skill = _band_setup(manager.workspace)
    response = manager_client.get(
        f"/money/fair-band/?skill={skill.pk}&country=PH&rate=30&currency=GBP", headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert 'data-classification="fair"' in body and "<html" not in body
    hint = manager_client.get(f"/money/fair-band/?skill={skill.pk}&country=PH").content.decode()
    assert 'data-testid="band-hint"' in hint
    invalid = manager_client.get(f"/money/fair-band/?skill={skill.pk}&country=PH&rate=-5&currency=GBP").content.decode()
    assert 'data-testid="band-error"' in invalid
    missing = manager_client.get(f"/money/fair-band/?skill={skill.pk}&country=PH&rate=5&currency=VND").content.decode()
    assert "No exchange rate from VND to GBP" in missing and "Ask the workspace owner" in missing


def test_estimate_is_labelled_on_the_page(owner_client, owner):
    skill = _band_setup(owner.workspace)
    body = owner_client.get(f"/money/fair-band/?skill={skill.pk}&country=UA&rate=30&currency=GBP").content.decode()
    assert 'data-testid="band-estimate"' in body and "World Bank" in body and "2023" in body
    # The indicator is cited once, in a footnote, not in the table's rows nor in the notes.
    assert body.count("PA.NUS.PPPC.RF") == 1
    footnote = body.split('data-testid="price-level-source">')[1].split("</p>")[0]
    assert "World Development Indicators" in footnote and "PA.NUS.PPPC.RF" in footnote and "CC BY 4.0" in footnote
    assert 'href="#price-level-source"' in body


def test_owner_adds_edits_and_deletes_a_rate(owner_client, owner):
    response = owner_client.post(
        "/money/exchange-rates/new/", {"currency": "EUR", "rate": "0.86", "valid_from": "2026-01-01", "source": "Bank"}
    )
    assert response.status_code == 302
    row = ExchangeRate.objects.get()
    response = owner_client.post(
        f"/money/exchange-rates/{row.pk}/edit/", {"currency": "EUR", "rate": "0.87", "valid_from": "2026-01-01"}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.rate == Decimal("0.87")
    bad = owner_client.post("/money/exchange-rates/new/", {"currency": "GBP", "rate": "1", "valid_from": "2026-01-01"})
    assert bad.status_code == 200 and ExchangeRate.objects.count() == 1
    assert owner_client.post(f"/money/exchange-rates/{row.pk}/delete/").status_code == 302
    assert not ExchangeRate.objects.exists()


def test_manager_reads_rates_but_may_not_add(manager_client, manager):
    ExchangeRateFactory(workspace=manager.workspace)
    assert manager_client.get("/money/exchange-rates/").status_code == 200
    response = manager_client.post(
        "/money/exchange-rates/new/", {"currency": "USD", "rate": "0.8", "valid_from": "2026-01-01"}
    )
    assert response.status_code == 403 and ExchangeRate.objects.count() == 1


def test_lists_are_paginated_in_constant_queries(owner_client, owner):
    skill = SkillFactory(workspace=owner.workspace)
    for i in range(60):
        ExchangeRateFactory(
            workspace=owner.workspace, valid_from=datetime.date(2025, 1, 1) + datetime.timedelta(days=i)
        )
        RateBenchmarkFactory(
            workspace=owner.workspace, skill=skill, as_of=datetime.date(2025, 1, 1) + datetime.timedelta(days=i)
        )
    for url in ("/money/exchange-rates/", "/money/benchmarks/"):
        with CaptureQueriesContext(connection) as queries:
            body = owner_client.get(url).content.decode()
        assert "Page 1 of 2" in body
        assert len(queries) <= 10, (url, len(queries))
    filtered = owner_client.get("/money/benchmarks/?country=GB", headers={"HX-Request": "true"}).content.decode()
    assert "No benchmarks match" in filtered and "<html" not in filtered


def test_csv_upload_lists_row_errors_and_imports_nothing(owner_client, owner):
    SkillFactory(workspace=owner.workspace, name="SEO")
    bad = SimpleUploadedFile(
        "b.csv",
        b"skill,country,hourly_rate,currency,as_of,source\nSEO,GB,40,GBP,2026-01-01,S\nKnitting,GB,1,GBP,2026-01-01,S\n",
    )
    response = owner_client.post("/money/benchmarks/import/", {"file": bad}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200 and "Line 3: Unknown skill &#x27;Knitting&#x27;" in body
    assert Job.objects.get(kind="money.import_benchmarks").state == "failed"
    assert not RateBenchmark.objects.exists()
    good = SimpleUploadedFile("b.csv", b"skill,country,hourly_rate,currency,as_of,source\nSEO,GB,40,GBP,2026-01-01,S\n")
    response = owner_client.post("/money/benchmarks/import/", {"file": good}, follow=True)
    assert "1 benchmarks added" in response.content.decode() and RateBenchmark.objects.count() == 1

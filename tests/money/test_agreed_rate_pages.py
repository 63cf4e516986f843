"""The fair band where rates are set: engagement form (htmx), engagement page, freelancer page, API."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.core.access import FREELANCER
from sourcewise.engagements.models import Engagement
from tests.conftest import api_headers, client_for
from tests.engagements.factories import EngagementFactory
from tests.money.factories import ExchangeRateFactory, RateBenchmarkFactory
from tests.talent.factories import FreelancerFactory, FreelancerSkillFactory, SkillFactory
from tests.tasks.factories import TaskFactory, TaskSkillFactory
from tests.workspaces.factories import MembershipFactory, WorkspaceFactory

D = datetime.date
START = D(2026, 3, 2)
BAND_URL = "/money/fair-band/engagement/"


@pytest.fixture
def setup(workspace):
    """Web development: market(PH) 20.00 GBP, floor 22.00, ceiling (GB) 50.00; a PH freelancer."""
    skill = SkillFactory(workspace=workspace, name="Web development")
    task = TaskFactory(workspace=workspace, name="Website")
    TaskSkillFactory(task=task, skill=skill)
    local = RateBenchmarkFactory(workspace=workspace, skill=skill, country="PH", hourly_rate=Decimal("20.00"))
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="GB", hourly_rate=Decimal("50.00"))
    freelancer = FreelancerFactory(workspace=workspace, country="PH", name="Maria")
    return {"skill": skill, "task": task, "freelancer": freelancer, "benchmark": local}


def query(setup, rate, currency="GBP", **extra):
    params = {
        "freelancer": setup["freelancer"].pk,
        "task": setup["task"].pk,
        "rate": rate,
        "currency": currency,
        "start_date": START.isoformat(),
        **extra,
    }
    return params


@pytest.mark.parametrize(
    "rate, classification",
    [
        ("19.99", "below_market"),
        ("20.00", "under_floor"),
        ("22.00", "fair"),
        ("50.00", "fair"),
        ("50.01", "above_home"),
    ],
)
def test_the_band_follows_the_rate_as_it_is_typed(owner_client, setup, rate, classification):
    response = owner_client.get(BAND_URL, query(setup, rate), headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-testid="fair-band" data-classification="{classification}"' in body
    assert "<html" not in body and "<svg" in body
    b = setup["benchmark"]
    assert f"/money/benchmarks/?skill={b.skill_id}&amp;country=PH" in body  # the benchmark used


def test_the_band_converts_with_the_rate_valid_on_the_start_date(owner_client, setup, workspace):
    ExchangeRateFactory(workspace=workspace, currency="PHP", rate=Decimal("0.0135"), valid_from=D(2026, 1, 1))
    ExchangeRateFactory(workspace=workspace, currency="PHP", rate=Decimal("0.0150"), valid_from=D(2026, 3, 10))
    before = owner_client.get(BAND_URL, query(setup, "1600", "PHP")).content.decode()
    assert 'data-classification="under_floor"' in before and ">21.60<" in before  # 1600 × 0.0135
    after = owner_client.get(BAND_URL, query(setup, "1600", "PHP", start_date="2026-03-10")).content.decode()
    assert 'data-classification="fair"' in after and ">24.00<" in after  # 1600 × 0.0150
    assert "1 PHP = 0.015 GBP (rate valid from 2026-03-10" in after


def test_an_estimate_is_labelled_with_its_source(owner_client, setup, workspace):
    ukrainian = FreelancerFactory(workspace=workspace, country="UA", timezone="Europe/Kyiv")
    body = owner_client.get(BAND_URL, query(setup, "19.07", freelancer=ukrainian.pk)).content.decode()
    assert 'data-classification="under_floor"' in body
    assert 'data-testid="band-estimate"' in body and "World Bank" in body
    assert ">17.34<" in body and "benchmark the estimate starts from" in body
    assert body.count("PA.NUS.PPPC.RF") == 1 and body.count('data-testid="price-level-source"') == 1


def test_several_estimated_skills_cite_the_price_levels_once(owner_client, setup, workspace):
    design = SkillFactory(workspace=workspace, name="Design")
    TaskSkillFactory(task=setup["task"], skill=design)
    RateBenchmarkFactory(workspace=workspace, skill=design, country="GB", hourly_rate=Decimal("40.00"))
    ukrainian = FreelancerFactory(workspace=workspace, country="UA", timezone="Europe/Kyiv")
    body = owner_client.get(BAND_URL, query(setup, "19.07", freelancer=ukrainian.pk)).content.decode()
    assert body.count('data-testid="band-estimate"') == 2  # both skills' markets are estimates
    assert body.count("PA.NUS.PPPC.RF") == 1 and body.count('data-testid="price-level-source"') == 1
    assert body.count('href="#price-level-source"') == 2


def test_a_missing_exchange_rate_is_said_not_guessed(owner_client, setup):
    # NGN: a currency the ECB does not publish, and no owner rate.
    body = owner_client.get(BAND_URL, query(setup, "1000", "NGN")).content.decode()
    assert 'data-testid="band-error"' in body and "No exchange rate from NGN to GBP on 2026-03-02" in body
    assert "data-classification" not in body


def test_incomplete_and_invalid_input(owner_client, setup):
    hint = owner_client.get(BAND_URL, {"freelancer": setup["freelancer"].pk, "rate": "20"}).content.decode()
    assert 'data-testid="band-hint"' in hint
    bad = owner_client.get(BAND_URL, query(setup, "-3")).content.decode()
    assert 'data-testid="band-error"' in bad and "data-classification" not in bad
    bad_date = owner_client.get(BAND_URL, query(setup, "20", start_date="2026-02-30"))
    assert bad_date.status_code == 200 and 'data-testid="band-error"' in bad_date.content.decode()


def test_another_workspaces_rows_are_not_found(owner_client, setup):
    other = WorkspaceFactory()
    stranger = FreelancerFactory(workspace=other, country="PH")
    body = owner_client.get(BAND_URL, query(setup, "20", freelancer=stranger.pk)).content.decode()
    assert "Select a valid choice" in body and "data-classification" not in body


def test_the_band_costs_the_same_queries_for_more_skills(owner_client, setup, workspace):
    owner_client.get(BAND_URL, query(setup, "20"))  # warm the session
    with CaptureQueriesContext(connection) as one:
        owner_client.get(BAND_URL, query(setup, "20"))
    for name in ("Design", "SEO", "Copy"):
        TaskSkillFactory(task=setup["task"], skill=SkillFactory(workspace=workspace, name=name))
    with CaptureQueriesContext(connection) as four:
        body = owner_client.get(BAND_URL, query(setup, "20")).content.decode()
    assert body.count('data-testid="fair-band"') + body.count('data-testid="band-error"') == 4
    assert len(four) == len(one)


def test_the_engagement_form_asks_for_the_band(owner_client, setup):
    page = owner_client.get("/engagements/new/").content.decode()
    assert f'hx-get="{BAND_URL}"' in page and 'hx-include="#id_freelancer, #id_task, #id_rate' in page
    assert 'data-testid="band-hint"' in page
    # A refused POST keeps the band of what was typed.
    refused = owner_client.post("/engagements/new/", query(setup, "19.99")).content.decode()
    assert 'data-classification="below_market"' in refused


def test_the_edit_form_shows_the_band_of_the_saved_rate(owner_client, setup, workspace):
    engagement = EngagementFactory(
        workspace=workspace, freelancer=setup["freelancer"], task=setup["task"], rate=Decimal("50.01"), currency="GBP"
    )
    page = owner_client.get(f"/engagements/{engagement.pk}/edit/").content.decode()
    assert 'data-classification="above_home"' in page


def test_the_engagement_page_shows_its_classification_and_benchmark(owner_client, setup, workspace):
    engagement = EngagementFactory(
        workspace=workspace,
        freelancer=setup["freelancer"],
        task=setup["task"],
        rate=Decimal("21.99"),
        currency="GBP",
        state=Engagement.State.ACTIVE,
    )
    page = owner_client.get(f"/engagements/{engagement.pk}/").content.decode()
    assert 'data-testid="rate-class" data-classification="under_floor"' in page
    assert "Web development: Under the fair floor" in page
    assert f"/money/benchmarks/?skill={setup['skill'].pk}&amp;country=PH" in page
    assert "(today)" in page


def test_the_freelancer_does_not_see_the_fair_pay_card(workspace, setup):
    member = MembershipFactory(workspace=workspace, role=FREELANCER)
    freelancer = setup["freelancer"]
    freelancer.user = member.user
    freelancer.save()
    engagement = EngagementFactory(workspace=workspace, freelancer=freelancer, task=setup["task"])
    page = client_for(member).get(f"/engagements/{engagement.pk}/").content.decode()
    assert 'data-testid="fair-pay"' not in page


def test_the_freelancer_page_classifies_the_profile_rate_per_skill(owner_client, setup, workspace):
    freelancer = setup["freelancer"]
    FreelancerSkillFactory(freelancer=freelancer, skill=setup["skill"])
    seo = SkillFactory(workspace=workspace, name="SEO")
    FreelancerSkillFactory(freelancer=freelancer, skill=seo)
    page = owner_client.get(f"/talent/freelancers/{freelancer.pk}/").content.decode()
    assert "Record an hourly rate on the profile" in page
    freelancer.hourly_rate, freelancer.rate_currency = Decimal("19.99"), "GBP"
    freelancer.save()
    page = owner_client.get(f"/talent/freelancers/{freelancer.pk}/").content.decode()
    assert 'data-classification="below_market"' in page  # web development
    assert 'data-classification="unknown"' in page  # SEO has no benchmark


# -- API -----------------------------------------------------------------------------------


def api_query(setup, rate, currency="GBP", **extra):
    return {
        "freelancer_id": setup["freelancer"].pk,
        "task_id": setup["task"].pk,
        "rate": rate,
        "currency": currency,
        "on": START.isoformat(),
        **extra,
    }


def test_api_band_of_an_agreed_rate(client, setup, owner_api, workspace):
    ExchangeRateFactory(workspace=workspace, currency="EUR", rate=Decimal("0.85"), valid_from=D(2026, 1, 1))
    response = client.get("/api/v1/fair-band/engagement", api_query(setup, "25.87", "EUR"), headers=owner_api)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["country"], body["on"], body["rate"], body["currency"]) == ("PH", "2026-03-02", "25.87", "EUR")
    [band] = body["bands"]
    assert band["skill"] == "Web development" and band["classification"] == "under_floor"
    assert band["benchmark_id"] == setup["benchmark"].pk and band["error"] is None
    assert band["band"]["rate"]["converted"] == "21.9895"  # 25.87 × 0.85, exact
    assert (band["band"]["floor"], band["band"]["ceiling"]) == ("22.00", "50.00")


def test_api_reports_a_missing_exchange_rate_per_skill(client, setup, owner_api):
    body = client.get("/api/v1/fair-band/engagement", api_query(setup, "1000", "NGN"), headers=owner_api).json()
    [band] = body["bands"]
    assert band["classification"] == "missing_exchange_rate" and band["band"] is None
    assert band["error"].startswith("No exchange rate from NGN to GBP on 2026-03-02")


def test_api_other_workspaces_ids_are_404(client, setup, owner_api):
    other = WorkspaceFactory()
    for key, row in (("freelancer_id", FreelancerFactory(workspace=other)), ("task_id", TaskFactory(workspace=other))):
        response = client.get(
            "/api/v1/fair-band/engagement", {**api_query(setup, "20"), key: row.pk}, headers=owner_api
        )
        assert response.status_code == 404


def test_api_validates_inputs(client, setup, owner_api):
    for bad in ({"rate": "0"}, {"rate": "1.001"}, {"currency": "XXY"}, {"on": "2026-02-30"}, {"task_id": "0"}):
        response = client.get("/api/v1/fair-band/engagement", {**api_query(setup, "20"), **bad}, headers=owner_api)
        assert response.status_code == 422, bad


def test_api_band_of_an_engagement(client, setup, owner_api, workspace):
    engagement = EngagementFactory(
        workspace=workspace, freelancer=setup["freelancer"], task=setup["task"], rate=Decimal("19.99"), currency="GBP"
    )
    body = client.get(f"/api/v1/engagements/{engagement.pk}/fair-band", headers=owner_api).json()
    assert body["on"] == engagement.start_date.isoformat()  # a draft: its start date
    assert [b["classification"] for b in body["bands"]] == ["below_market"]
    assert body["bands"][0]["band"]["finding_code"] == "RATE_BELOW_MARKET"
    member = MembershipFactory(workspace=workspace, role=FREELANCER)
    assert client.get(f"/api/v1/engagements/{engagement.pk}/fair-band", headers=api_headers(member)).status_code == 403

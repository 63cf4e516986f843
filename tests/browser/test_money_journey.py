from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sourcewise.demo.builder import DEMO_PASSWORD, build_demo
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    return build_demo(classic=False)  # Lumen Studio is all this walks through


def test_owner_checks_a_rate_and_the_fair_band_warns(page, live_server, demo):
    sign_in(page, live_server.url, "olivia@lumen.example", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/dashboard/")
    page.click("nav >> summary:text-is('Money')")
    page.click("nav >> a:text-is('Fair rates')")
    page.wait_for_url(f"{live_server.url}/money/")
    assert page.locator("h1").inner_text() == "Is this rate fair?"
    form = page.locator("#fair-band-form")
    form.locator("select[name=skill]").select_option(label="Web development")
    form.locator("select[name=country]").select_option("IN")
    form.locator("select[name=currency]").select_option("INR")
    form.locator("input[name=rate]").fill("1500")
    band = page.get_by_test_id("fair-band")
    band.wait_for()
    assert band.get_attribute("data-classification") == "below_market"
    assert "below the local market" in page.get_by_test_id("band-explanation").inner_text()
    expect(page.locator("#fair-band svg.fair-band-chart")).to_have_count(1)
    assert "1 INR =" in band.inner_text()  # the exchange rate used is shown
    screenshot(page, "fair-band-warning")
    # Typing a fair rate updates the band live, without a page load.
    form.locator("input[name=rate]").fill("2400")
    expect(page.get_by_test_id("fair-band")).to_have_attribute("data-classification", "fair", timeout=15_000)
    # A country without a benchmark shows the labelled estimate.
    form.locator("select[name=country]").select_option("UA")
    page.get_by_test_id("band-estimate").wait_for()
    assert "World Bank" in page.get_by_test_id("band-estimate").inner_text()
    screenshot(page, "fair-band-estimate")


def test_manager_checks_a_rate_on_a_phone(phone, live_server, demo):
    sign_in(phone, live_server.url, "sam@lumen.example", DEMO_PASSWORD)
    phone.wait_for_url(f"{live_server.url}/dashboard/")
    skill = demo.skills["support"].pk
    phone.goto(f"{live_server.url}/money/?skill={skill}&country=PH&rate=30&currency=GBP")
    band = phone.get_by_test_id("fair-band")
    assert band.get_attribute("data-classification") == "above_home"
    screenshot(phone, "fair-band-phone")


def test_owner_sets_a_rate_on_a_new_engagement_and_sees_the_band(page, live_server, demo):
    sign_in(page, live_server.url, "olivia@lumen.example", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/dashboard/")
    page.goto(f"{live_server.url}/engagements/new/")
    assert page.get_by_test_id("band-hint").is_visible()
    form = page.locator("#engagement-form")
    form.locator("select[name=freelancer]").select_option(str(demo.freelancers["priya"].pk))  # India
    form.locator("select[name=task]").select_option(str(demo.tasks["website"].pk))  # web development
    form.locator("select[name=currency]").select_option("INR")
    form.locator("input[name=rate]").fill("1500")
    band = page.get_by_test_id("fair-band")
    band.wait_for()
    assert band.get_attribute("data-classification") == "below_market"
    assert "below the local market rate for Web development in India" in band.inner_text()
    assert "1 INR =" in band.inner_text() and page.locator("#fair-band svg.fair-band-chart").count() == 1
    assert page.get_by_test_id("band-benchmark").is_visible()  # a link to the benchmark used
    screenshot(page, "engagement-form-rate-below-market")
    # A fair rate: the band updates as it is typed, before anything is saved.
    form.locator("input[name=rate]").fill("2400")
    expect(page.get_by_test_id("fair-band")).to_have_attribute("data-classification", "fair", timeout=15_000)
    assert "inside the fair band" in page.get_by_test_id("band-explanation").inner_text()
    assert page.url == f"{live_server.url}/engagements/new/"
    screenshot(page, "engagement-form-rate-fair")

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sourcewise.costs.models import CostEntry
from sourcewise.demo.builder import DEMO_PASSWORD, build_demo
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    return build_demo(classic=False)  # Lumen Studio is all this walks through


def test_owner_opens_the_cost_dashboard_adds_a_cost_and_sees_the_charts(page, live_server, demo):
    sign_in(page, live_server.url, "olivia@lumen.example", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/dashboard/")
    page.click("nav >> summary:text-is('Money')")
    page.click("nav >> a:text-is('Costs')")
    page.wait_for_url(f"{live_server.url}/costs/")
    assert page.locator("h1").inner_text() == "The true cost"
    for chart in ("chart-monthly", "chart-savings", "chart-roi", "chart-share"):
        expect(page.get_by_test_id(chart)).to_have_count(1)
    assert "concentration" in page.get_by_test_id("chart-share").locator("title").first.text_content()
    assert "1 USD =" in page.get_by_test_id("rates-used").inner_text()
    tco_before = page.get_by_test_id("kpi-tco").inner_text()
    screenshot(page, "costs-dashboard")

    page.locator("main").get_by_role("link", name="Add a cost").first.click()
    page.wait_for_url(f"{live_server.url}/costs/entries/new/")
    form = page.get_by_test_id("cost-form")
    form.locator("select[name=category]").select_option("licences")
    form.locator("input[name=amount]").fill("123.45")
    form.locator("select[name=currency]").select_option("GBP")
    form.locator("select[name=task]").select_option(label="Bookkeeping")
    form.locator("input[name=description]").fill("Accounting software seat")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/costs/entries/")
    assert "Cost added" in page.locator(".messages").inner_text()
    assert "Accounting software seat" in page.get_by_test_id("ledger").inner_text()
    assert CostEntry.objects.filter(description="Accounting software seat", amount="123.45").exists()

    page.goto(f"{live_server.url}/costs/")
    assert page.get_by_test_id("kpi-tco").inner_text() != tco_before
    page.get_by_test_id("chart-monthly").wait_for()
    screenshot(page, "costs-dashboard-after-adding")


def test_manager_reads_the_cost_charts_on_a_phone(phone, live_server, demo):
    sign_in(phone, live_server.url, "sam@lumen.example", DEMO_PASSWORD)
    phone.wait_for_url(f"{live_server.url}/dashboard/")
    phone.goto(f"{live_server.url}/costs/")
    chart = phone.get_by_test_id("chart-monthly")
    box = chart.bounding_box()
    assert box is not None and box["width"] <= 390
    screenshot(phone, "costs-dashboard-phone")

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from sourcewise.demo.builder import DEMO_PASSWORD, build_demo
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    return build_demo(classic=False)  # Lumen Studio is all this walks through


def test_owner_signs_in_to_the_demo_and_sees_the_dashboard(page, live_server, demo):
    sign_in(page, live_server.url, "olivia@lumen.example", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/dashboard/")
    assert page.locator("h1").inner_text() == "Lumen Studio"
    score = int(page.get_by_test_id("health-score").inner_text())
    assert 0 <= score <= 100
    screenshot(page, "dashboard")
    page.click("nav.mainnav >> summary:text-is('Talent')")
    page.click("nav.mainnav >> text=Freelancers")
    expect(page.locator("table tbody tr")).to_have_count(15)
    page.fill("input[name=q]", "Priya")
    expect(page.locator("#rows tbody tr")).to_have_count(1, timeout=15_000)
    assert "Priya Sharma" in page.locator("#rows").inner_text()
    screenshot(page, "freelancers")


def test_new_business_signs_up_and_adds_a_task(page, live_server, transactional_db):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=full_name]", "Noor Haddad")
    page.fill("input[name=email]", "noor@bakery.example")
    page.fill("input[name=password]", "flour-and-water-2026")
    page.fill("input[name=workspace_name]", "Haddad Bakery")
    page.select_option("select[name=home_country]", "JO")
    page.select_option("select[name=base_currency]", "JOD")
    page.select_option("select[name=timezone]", "Asia/Amman")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/signup/sent/")
    # The confirmation email's link, then the password chosen above, open the workspace.
    link = re.search(r"/accounts/signup/confirm/\S+", mail.outbox[-1].body).group(0)
    page.goto(f"{live_server.url}{link}")
    page.fill("input[name=password]", "flour-and-water-2026")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    assert "Haddad Bakery" in page.locator("h1").inner_text()
    page.goto(f"{live_server.url}/tasks/new/")
    page.fill("input[name=name]", "Bookkeeping")
    page.click("main button[type=submit]")
    assert page.locator("h1").inner_text() == "Bookkeeping"
    screenshot(page, "signup-task")


def test_freelancer_sees_only_their_profile_on_a_phone(phone, live_server, demo):
    sign_in(phone, live_server.url, "maria@lumen.example", DEMO_PASSWORD)
    phone.wait_for_url(f"{live_server.url}/portal/")
    phone.goto(f"{live_server.url}/workspaces/me/")
    assert "Maria Santos" in phone.locator("h1").inner_text()
    response = phone.goto(f"{live_server.url}/dashboard/")
    assert response.status == 403
    screenshot(phone, "freelancer-phone")

"""Less typing: a country fills its currency and zone, long lists are searchable, skills come inline and with
templates."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sourcewise.demo.builder import DEMO_PASSWORD, build_demo
from sourcewise.talent.models import Freelancer, FreelancerSkill
from sourcewise.tasks.models import Task, TaskSkill
from sourcewise.workspaces.models import Workspace
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    return build_demo(classic=False)  # Lumen Studio is all this walks through


def _sign_up_form(page, base: str) -> None:
    page.goto(f"{base}/accounts/signup/")
    page.fill("input[name=full_name]", "Noor Haddad")
    page.fill("input[name=email]", "noor@bakery.example")
    page.fill("input[name=password]", "flour-and-water-2026")
    page.fill("input[name=workspace_name]", "Haddad Bakery")


def test_sign_up_choosing_a_country_fills_currency_and_zone(page, live_server, transactional_db):
    base = live_server.url
    _sign_up_form(page, base)
    page.select_option("select[name=home_country]", "IN")
    expect(page.locator("select[name=base_currency]")).to_have_value("INR")
    expect(page.locator("select[name=timezone]")).to_have_value("Asia/Kolkata")

    # the zone list is searchable; a zone chosen on purpose survives a change of country
    page.fill("#id_timezone_filter", "dubai")
    expect(page.locator("select[name=timezone]")).to_have_value("Asia/Dubai")
    page.select_option("select[name=home_country]", "GB")
    expect(page.locator("select[name=base_currency]")).to_have_value("GBP")  # was India's default: follows
    expect(page.locator("select[name=timezone]")).to_have_value("Asia/Dubai")  # chosen: stays
    screenshot(page, "less-typing-signup")

    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/accounts/signup/sent/")
    workspace = Workspace.objects.get(name="Haddad Bakery")
    assert (workspace.home_country, workspace.base_currency, workspace.timezone) == ("GB", "GBP", "Asia/Dubai")


def test_sign_up_on_a_phone_searches_the_country(phone, live_server, transactional_db):
    base = live_server.url
    _sign_up_form(phone, base)
    phone.fill("#id_home_country_filter", "brazil")
    expect(phone.locator("select[name=home_country]")).to_have_value("BR")
    expect(phone.locator("select[name=base_currency]")).to_have_value("BRL")  # a pick through search fills too
    expect(phone.locator("select[name=timezone]")).to_have_value("America/Sao_Paulo")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the sign-up form scrolls sideways on a phone ({width}px)"
    screenshot(phone, "less-typing-signup-phone")


def test_freelancer_form_fills_from_the_country_and_creates_skills_inline(page, live_server, demo):
    base = live_server.url
    sign_in(page, base, "olivia@lumen.example", DEMO_PASSWORD)
    page.wait_for_url(f"{base}/dashboard/")
    page.goto(f"{base}/talent/freelancers/new/")
    page.fill("input[name=name]", "Grace Mwangi")
    page.fill("input[name=email]", "grace@example.org")
    page.select_option("select[name=country]", "KE")
    expect(page.locator("select[name=timezone]")).to_have_value("Africa/Nairobi")
    expect(page.locator("select[name=rate_currency]")).to_have_value("KES")
    page.fill("input[name=hourly_rate]", "1500")
    page.fill("input[name=new_skills]", "Webflow:4; copywriting:3")
    screenshot(page, "less-typing-freelancer")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=was added to your talent network")

    grace = Freelancer.objects.get(email="grace@example.org")
    assert (grace.country, grace.timezone, grace.rate_currency) == ("KE", "Africa/Nairobi", "KES")
    levels = sorted(FreelancerSkill.objects.filter(freelancer=grace).values_list("skill__name", "level"))
    assert levels == [("Copywriting", 3), ("Webflow", 4)]  # the demo's Copywriting reused, Webflow created
    assert "Webflow" in page.locator("main").inner_text()


def test_task_from_a_template_needs_its_skills(page, live_server, demo):
    base = live_server.url
    sign_in(page, base, "olivia@lumen.example", DEMO_PASSWORD)
    page.wait_for_url(f"{base}/dashboard/")
    page.goto(f"{base}/tasks/new/")
    page.click("main a:has-text('Data entry')")
    expect(page.locator("main .card").first).to_contain_text("Spreadsheets level 2")
    page.fill("input[name=name]", "Order entry")
    page.fill("input[name=new_skills]", "Shopify:2")
    screenshot(page, "less-typing-task-template")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Answer the four core questions next")

    task = Task.objects.get(workspace=demo.workspace, name="Order entry")
    needs = sorted(TaskSkill.objects.filter(task=task).values_list("skill__name", "level"))
    assert needs == [("Data entry", 2), ("Shopify", 2), ("Spreadsheets", 2)]
    main = page.locator("main").inner_text()
    assert "Data entry ≥ 2" in main and "Spreadsheets ≥ 2" in main and "Shopify ≥ 2" in main
    screenshot(page, "less-typing-task-detail")

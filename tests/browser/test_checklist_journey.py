"""A new business signs up: the dashboard shows the setup checklist and "not enough data
yet" instead of a perfect score; adding a task ticks the first step."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def _sign_up(page, base_url: str) -> None:
    page.goto(f"{base_url}/accounts/signup/")
    page.fill("input[name=full_name]", "Noor Haddad")
    page.fill("input[name=email]", "noor@bakery.example")
    page.fill("input[name=password]", "flour-and-water-2026")
    page.fill("input[name=workspace_name]", "Haddad Bakery")
    page.select_option("select[name=home_country]", "JO")
    page.select_option("select[name=base_currency]", "JOD")
    page.select_option("select[name=timezone]", "Asia/Amman")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base_url}/accounts/signup/sent/")
    link = re.search(r"/accounts/signup/confirm/\S+", mail.outbox[-1].body).group(0)
    page.goto(f"{base_url}{link}")
    page.fill("input[name=password]", "flour-and-water-2026")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base_url}/dashboard/")


def test_a_new_workspace_follows_the_setup_checklist(page, live_server, transactional_db):
    _sign_up(page, live_server.url)
    checklist = page.get_by_test_id("setup-checklist")
    expect(checklist).to_be_visible()
    expect(checklist.locator("li")).to_have_count(6)
    expect(checklist.locator("li.done")).to_have_count(0)
    expect(page.get_by_test_id("health-score")).to_have_text("Not enough data yet")
    assert "0 of 6 done" in checklist.inner_text()
    screenshot(page, "checklist-new-1280")

    # The first step's link opens the page where it is done.
    checklist.locator('li[data-step="tasks"] a').click()
    page.wait_for_url(f"{live_server.url}/tasks/new/")
    page.fill("input[name=name]", "Bookkeeping")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("Bookkeeping")

    page.goto(f"{live_server.url}/dashboard/")
    tasks = page.locator('[data-testid="setup-checklist"] li[data-step="tasks"]')
    expect(tasks).to_have_attribute("data-done", "true")
    expect(page.locator('[data-testid="setup-checklist"] li[data-step="skills"]')).to_have_attribute(
        "data-done", "false"
    )
    assert "1 of 6 done" in page.get_by_test_id("setup-checklist").inner_text()
    # An in-house task is not outsourced work: still nothing to score.
    expect(page.get_by_test_id("health-score")).to_have_text("Not enough data yet")
    screenshot(page, "checklist-one-step-1280")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.get_by_test_id("setup-checklist")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the dashboard scrolls sideways on a phone ({width}px)"
    screenshot(page, "checklist-one-step-390")

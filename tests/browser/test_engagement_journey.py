"""A freelancer logs hours; the manager approves them inline and records a checkpoint review."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from sourcewise.demo.builder import DEMO_PASSWORD, build_demo
from sourcewise.engagements.models import CheckpointReview, Engagement, TimeEntry
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

NOTE = "Inbox and the refund backlog"


@pytest.fixture
def demo(transactional_db):
    return build_demo(classic=False)  # Lumen Studio is all this walks through


def test_freelancer_logs_hours_manager_approves_and_records_a_checkpoint(page, live_server, demo):
    maria = demo.freelancers["maria"]
    engagement = Engagement.objects.get(freelancer=maria, state="active")
    reviews_before = CheckpointReview.objects.filter(engagement=engagement).count()

    # Maria logs today's hours on her active engagement.
    sign_in(page, live_server.url, "maria@lumen.example", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/portal/")  # freelancers land on their portal
    page.click("nav >> text=My engagements")
    page.wait_for_url(f"{live_server.url}/engagements/")
    expect(page.locator("#rows tbody tr")).to_have_count(2)  # her trial and her full engagement, nobody else's
    page.locator("#rows tbody tr", has_text="Active").get_by_role("link").click()
    page.wait_for_url(f"{live_server.url}/engagements/{engagement.pk}/")
    log = page.locator("main form[aria-label='Log hours']")
    log.locator("input[name=date]").fill(datetime.date.today().isoformat())
    log.locator("input[name=hours]").fill("3.5")
    log.locator("input[name=note]").fill(NOTE)
    log.locator("button[type=submit]").click()
    page.wait_for_selector("text=3.5 hours logged")
    assert page.locator("main table tr", has_text=NOTE).locator(".badge").inner_text() == "Waiting for approval"
    screenshot(page, "engagement-freelancer-hours")
    entry = TimeEntry.objects.get(engagement=engagement, note=NOTE)
    assert entry.status == "submitted"

    # Sam, her manager, approves them inline and records a checkpoint review.
    page.context.clear_cookies()
    sign_in(page, live_server.url, "sam@lumen.example", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/dashboard/")
    page.goto(f"{live_server.url}/engagements/time/")
    row = page.locator(f"#time-{entry.pk}")
    row.locator("button[value=approve]").click()
    expect(page.locator(f"#time-{entry.pk} .badge")).to_have_text("Approved", timeout=15_000)
    screenshot(page, "engagement-hours-approved")
    entry.refresh_from_db()
    assert entry.status == "approved" and entry.reviewed_by.email == "sam@lumen.example"

    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    page.click("main >> text=Record checkpoint >> nth=0")
    page.select_option("select[name=quality]", "5")
    page.select_option("select[name=timeliness]", "4")
    page.select_option("select[name=communication]", "5")
    page.fill("textarea[name=notes]", "Refund backlog cleared in a day. Keep it up.")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Checkpoint recorded.")
    assert "Refund backlog cleared" in page.locator("main").inner_text()
    screenshot(page, "engagement-checkpoint")
    assert CheckpointReview.objects.filter(engagement=engagement).count() == reviews_before + 1

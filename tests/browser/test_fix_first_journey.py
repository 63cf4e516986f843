"""The issue's journey: open the dashboard → the fix-first item → its engagement page → assign a
manager → back on the dashboard the finding is gone and the score rose (desktop and phone)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sourcewise.demo.builder import DEMO_PASSWORD, build_demo
from sourcewise.engagements.models import Engagement
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    return build_demo(classic=False)


def _score(page) -> int:
    return int(page.get_by_test_id("health-score").inner_text())


def _unmanage(engagement: Engagement) -> None:
    engagement.manager = None
    engagement.save(update_fields=["manager"])  # a real save: it leaves the refresh marker


@pytest.mark.parametrize("device", ["page", "phone"])
def test_fix_first_item_leads_to_its_engagement_and_the_fix_raises_the_score(request, live_server, demo, device):
    page = request.getfixturevalue(device)
    width = 1280 if device == "page" else 390
    base = live_server.url
    engagement = Engagement.objects.filter(workspace=demo.workspace, state=Engagement.State.ACTIVE).order_by("pk")[0]
    _unmanage(engagement)

    sign_in(page, base, "olivia@lumen.example", DEMO_PASSWORD)
    page.wait_for_url(f"{base}/dashboard/")
    before = _score(page)
    item = page.get_by_test_id("fix-first").locator("[data-code=NO_MANAGER][data-finding]").first
    item.wait_for()
    screenshot(page, f"fix-first-journey-{width}-1-dashboard")

    item.locator("a.subject").click()
    page.wait_for_url(f"{base}/engagements/{engagement.pk}/")
    finding = page.locator("[data-testid=subject-findings] [data-code=NO_MANAGER]")
    finding.wait_for()
    screenshot(page, f"fix-first-journey-{width}-2-engagement")
    finding.get_by_test_id("fix-action").locator("select").select_option(index=0)
    finding.get_by_role("button", name="Assign manager").click()
    page.wait_for_url(f"{base}/engagements/{engagement.pk}/")
    expect(page.locator("[data-code=NO_MANAGER]")).to_have_count(0)

    page.goto(f"{base}/dashboard/")
    expect(page.get_by_test_id("fix-first").locator("[data-code=NO_MANAGER]")).to_have_count(0)
    expect(page.locator("[data-code=NO_MANAGER]")).to_have_count(0)
    after = _score(page)
    assert after == min(100, before + 15), (before, after)  # a critical's 15 points come back
    screenshot(page, f"fix-first-journey-{width}-3-dashboard-after")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

"""An engagement without a manager shows the finding at the top of its page; the owner assigns
a manager from the finding's own button and the finding is gone — on a desktop and a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sourcewise.demo.builder import DEMO_PASSWORD, build_demo
from sourcewise.engagements.models import Engagement
from sourcewise.findings.models import FindingRecord
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    return build_demo(classic=False)  # Lumen Studio is all this walks through


def _unmanaged(demo) -> list[Engagement]:
    """Two active engagements of the demo left without a manager (as when a member is removed).

    Saved one by one, not with `.update()`: the save leaves the marker that refreshes the findings."""
    engagements = list(
        Engagement.objects.filter(workspace=demo.workspace, state=Engagement.State.ACTIVE).order_by("pk")[:2]
    )
    assert len(engagements) == 2
    for e in engagements:
        e.manager = None
        e.save(update_fields=["manager"])
    return engagements


def _assign_from_the_finding(page, base: str, engagement: Engagement, name: str) -> None:
    page.goto(f"{base}/engagements/{engagement.pk}/")
    finding = page.locator("[data-testid=subject-findings] [data-code=NO_MANAGER]")
    finding.wait_for()
    assert "no manager" in finding.inner_text()
    screenshot(page, name)
    finding.get_by_test_id("fix-action").locator("select").select_option(index=0)
    finding.get_by_role("button", name="Assign manager").click()
    page.wait_for_url(f"{base}/engagements/{engagement.pk}/")
    assert "now manages this engagement" in page.locator(".messages").inner_text()
    expect(page.locator("[data-code=NO_MANAGER]")).to_have_count(0)
    screenshot(page, f"{name}-fixed")


def test_owner_assigns_a_manager_from_the_finding_and_it_is_gone(page, phone, live_server, demo):
    desktop_engagement, phone_engagement = _unmanaged(demo)
    base = live_server.url

    sign_in(page, base, "olivia@lumen.example", DEMO_PASSWORD)
    page.wait_for_url(f"{base}/dashboard/")
    _assign_from_the_finding(page, base, desktop_engagement, "fix-from-subject-1280")

    sign_in(phone, base, "olivia@lumen.example", DEMO_PASSWORD)
    phone.wait_for_url(f"{base}/dashboard/")
    _assign_from_the_finding(phone, base, phone_engagement, "fix-from-subject-390")
    # Nothing wider than the phone's screen: the finding's form wraps.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390

    for e in (desktop_engagement, phone_engagement):
        e.refresh_from_db()
        assert e.manager is not None
        record = FindingRecord.objects.get(workspace=demo.workspace, code="NO_MANAGER", subject_id=e.pk)
        assert record.resolved_at is not None

"""A manager approves several entries at once; the cost dashboard shows the fee straight away."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from sourcewise.costs.fee_posting import post_fees
from sourcewise.costs.models import CostEntry
from sourcewise.demo.builder import DEMO_PASSWORD, build_demo
from sourcewise.engagements.models import TimeEntry
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    return build_demo(classic=False)  # Lumen Studio is all this walks through


def _fees(engagement_id: int) -> Decimal:
    amounts = CostEntry.objects.filter(engagement_id=engagement_id, category="fees").values_list("amount", flat=True)
    return sum(amounts, Decimal(0))


def test_manager_approves_selected_hours_and_the_dashboard_shows_the_fee(page, phone, live_server, demo):
    waiting = list(
        TimeEntry.objects.filter(
            workspace=demo.workspace, status="submitted", engagement__freelancer__name="Maria Santos"
        ).order_by("date", "id")
    )
    assert len(waiting) >= 3
    # All but the last: the one left waiting shows the phone view with something to select.
    waiting, left = waiting[:-1], waiting[-1]
    engagement_id = waiting[0].engagement_id
    fees_before = _fees(engagement_id)

    sign_in(page, live_server.url, "sam@lumen.example", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/dashboard/")
    page.goto(f"{live_server.url}/costs/")
    tco_before = page.get_by_test_id("kpi-tco").inner_text()

    page.goto(f"{live_server.url}/engagements/time/")
    assert page.locator("h1").inner_text() == "Hours to approve"
    for entry in waiting:
        page.locator(f"input[name=entries][value='{entry.pk}']").check()
    screenshot(page, "bulk-hours-selected")
    page.get_by_test_id("approve-selected").click()
    page.wait_for_url(f"{live_server.url}/engagements/time/")
    assert f"{len(waiting)} entries approved" in page.locator(".messages").inner_text()
    assert all(TimeEntry.objects.get(pk=e.pk).status == "approved" for e in waiting)
    # Posted at once, no "Post fees": more fees, and the repair pass finds nothing left to do
    # (a month with a sent invoice keeps the invoice's fee, so not every hour adds to it).
    assert _fees(engagement_id) > fees_before
    repair = post_fees(workspace=demo.workspace, actor=None)
    assert (repair.added, repair.updated, repair.removed) == (0, 0, 0)
    screenshot(page, "bulk-hours-approved")

    page.goto(f"{live_server.url}/costs/")
    assert page.get_by_test_id("kpi-tco").inner_text() != tco_before
    screenshot(page, "bulk-hours-costs-dashboard")

    sign_in(phone, live_server.url, "sam@lumen.example", DEMO_PASSWORD)
    phone.wait_for_url(f"{live_server.url}/dashboard/")
    phone.goto(f"{live_server.url}/engagements/time/")
    phone.get_by_test_id("approve-selected").wait_for()
    expect(phone.locator(f"input[name=entries][value='{left.pk}']")).to_have_count(1)
    box = phone.locator("main").bounding_box()
    assert box is not None and box["width"] <= 390
    screenshot(phone, "bulk-hours-phone")

"""An owner adds a candidate, vets them, approves them and sees them ranked for a task."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sourcewise.demo.builder import DEMO_PASSWORD, build_demo
from sourcewise.talent.models import Freelancer
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    return build_demo(classic=False)  # Lumen Studio is all this walks through


def test_owner_vets_a_candidate_and_sees_them_ranked(page, live_server, demo):
    base = live_server.url
    sign_in(page, base, "olivia@lumen.example", DEMO_PASSWORD)
    page.wait_for_url(f"{base}/dashboard/")

    page.goto(f"{base}/talent/freelancers/new/")
    page.fill("input[name=name]", "Grace Mwangi")
    page.fill("input[name=email]", "grace@example.org")
    page.select_option("select[name=country]", "KE")
    page.select_option("select[name=timezone]", "Africa/Nairobi")
    page.fill("input[name=work_start]", "09:00")
    page.fill("input[name=work_end]", "18:00")
    page.select_option("select[name=language_1]", "en")
    page.select_option("select[name=level_1]", "C1")
    page.fill("input[name=hourly_rate]", "18.00")
    page.select_option("select[name=rate_currency]", "USD")
    page.select_option(f"select[name=skill_{demo.skills['webdev'].pk}]", "5")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=was added to your talent network")
    grace = Freelancer.objects.get(email="grace@example.org")

    page.click("main button:has-text('Move to vetting')")
    page.wait_for_selector("[data-testid=status]:has-text('Vetting')")
    page.click("main button:has-text('Approve')")
    assert "Not moved" in page.locator("main .errors").inner_text()

    page.fill("#portfolio-form input[name=portfolio-title]", "Safari lodge website")
    page.select_option("#portfolio-form select[name=portfolio-rating]", "5")
    page.click("#portfolio-form button[type=submit]")
    for client, rating in (("Savanna Tours", "5"), ("Lake Coffee", "4")):
        page.fill("#reference-form input[name=reference-client_name]", client)
        page.fill("#reference-form input[name=reference-contact]", "owner@example.org")
        page.select_option("#reference-form select[name=reference-rating]", rating)
        page.fill("#reference-form textarea[name=reference-comment]", "On time and easy to work with.")
        page.click("#reference-form button[type=submit]")
        page.wait_for_selector("text=Reference recorded.")
    page.select_option("#interview-form select[name=interview-communication]", "5")
    page.select_option("#interview-form select[name=interview-culture_fit]", "4")
    page.click("#interview-form button[type=submit]")
    page.fill("#trial-form input[name=trial-title]", "Landing page fix")
    page.select_option("#trial-form select[name=trial-rating]", "4")
    page.click("#trial-form button[type=submit]")
    page.wait_for_selector("text=Trial recorded.")
    expect(page.locator("[data-testid=vetting-steps] li.done")).to_have_count(4)
    page.click("main button:has-text('Approve')")
    page.wait_for_selector("[data-testid=status]:has-text('Approved')")
    screenshot(page, "talent-profile")

    page.goto(f"{base}/talent/tasks/{demo.tasks['website'].pk}/candidates/")
    names = page.locator("[data-testid=candidate] strong a").all_inner_texts()
    assert "Grace Mwangi" in names[:3]
    expect(page.locator("text=Not ready, and why")).to_have_count(1)
    screenshot(page, "talent-candidates")

    page.goto(f"{base}/talent/board/")
    page.select_option(f"[data-freelancer='{grace.pk}'] select[name=status]", "active")
    page.click(f"[data-freelancer='{grace.pk}'] button")
    page.wait_for_selector(f"section[data-status=active] [data-freelancer='{grace.pk}']")
    screenshot(page, "talent-board")

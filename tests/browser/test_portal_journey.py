from __future__ import annotations

import pytest

from sourcewise.demo.builder import DEMO_PASSWORD, build_demo
from sourcewise.guidance.models import PulseResponse, SOPAcknowledgement
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_demo(classic=False)  # Lumen Studio is all this walks through


def test_freelancer_acknowledges_an_sop_and_answers_the_pulse(page, live_server, demo):
    maria = demo.freelancers["maria"]
    sign_in(page, live_server.url, "maria@lumen.example", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/portal/")
    assert "Maria Santos" in page.locator("h1").inner_text()
    todo = page.locator("ul.todo")
    assert "Client support playbook" in todo.inner_text()
    work = page.locator("[data-testid=portal-engagements]").inner_text()
    assert "Client support inbox" in work and "Website" not in work  # her engagements only
    assert "FAQ refresh" in page.locator("[data-testid=portal-milestones]").inner_text()
    screenshot(page, "portal")

    todo.get_by_role("link", name="Client support playbook").click()
    page.wait_for_selector("article.prose")
    assert "2 business hours" in page.locator("article.prose").inner_text()
    page.click("#ack button[type=submit]")
    page.wait_for_selector("text=You acknowledged version 2")
    assert SOPAcknowledgement.objects.filter(freelancer=maria, version__number=2).exists()
    screenshot(page, "portal-sop-acknowledged")

    page.click("text=Back to your portal")
    page.wait_for_url(f"{live_server.url}/portal/")
    assert "up to date" in page.locator("#sops-title + p, section[aria-labelledby=sops-title]").first.inner_text()
    page.check("#pulse input[name=score][value='4']")
    page.fill("#pulse textarea[name=comment]", "Clear briefs this month.")
    page.click("#pulse button[type=submit]")
    page.wait_for_selector("text=your answer for")
    pulse = PulseResponse.objects.get(freelancer=maria, month=demo.today.replace(day=1))
    assert (pulse.score, pulse.comment) == (4, "Clear briefs this month.")
    screenshot(page, "portal-pulse")

    assert page.goto(f"{live_server.url}/guidance/sops/").status == 403


def test_owner_sees_who_has_not_acknowledged(page, live_server, demo):
    sign_in(page, live_server.url, "olivia@lumen.example", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/dashboard/")
    page.click("nav.mainnav >> summary:text-is('Guidance')")
    page.click("nav.mainnav >> text=SOPs")
    page.click("text=Client support playbook")
    pending = page.locator("section[aria-labelledby=ack-pending]").inner_text()
    assert "Maria Santos" in pending and "read v1 only" in pending
    screenshot(page, "sop-detail")

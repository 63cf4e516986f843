"""The freelancer's way in: the owner invites them from their profile, they sign up from the
emailed link, land in the portal and acknowledge the SOP; then the trial can start."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail

from sourcewise.core.access import OWNER
from sourcewise.engagements.models import Engagement
from sourcewise.engagements.requirements import unmet_requirements
from sourcewise.guidance import services as guidance
from sourcewise.guidance.models import SOPAcknowledgement
from sourcewise.talent.models import Freelancer
from tests.accounts.factories import PASSWORD
from tests.browser.conftest import screenshot, sign_in
from tests.engagements.factories import EngagementFactory
from tests.talent.factories import FreelancerFactory
from tests.tasks.factories import ReadyTaskFactory
from tests.workspaces.factories import MembershipFactory

pytestmark = pytest.mark.browser

NEW_PASSWORD = "inbox-zero-every-day-7"


@pytest.fixture
def setup(transactional_db, settings, monkeypatch):
    settings.SITE_URL = ""  # links follow the address the owner used: the live server's
    monkeypatch.delenv("SOURCEWISE_SERVE_URL", raising=False)
    owner = MembershipFactory(role=OWNER, user__email="olga@studio.example")
    workspace = owner.workspace
    task = ReadyTaskFactory(workspace=workspace, name="Support inbox")
    guidance.create_sop(
        workspace=workspace,
        actor=owner.user,
        title="Inbox rules",
        body="# Answer fast\n\nWithin 2 hours.",
        tasks=[task],
    )
    nina = FreelancerFactory(workspace=workspace, name="Nina Petrova", email="nina@free.example", status="approved")
    today = datetime.date.today()
    engagement = EngagementFactory(
        workspace=workspace,
        freelancer=nina,
        task=task,
        manager=owner,
        start_date=today,
        end_date=today + datetime.timedelta(days=13),
    )
    [reason] = unmet_requirements(engagement)
    assert "Inbox rules" in reason  # only the SOP stands between the trial and its start
    return owner, nina, engagement


def test_owner_invites_the_freelancer_who_signs_up_and_acknowledges_the_sop(browser, page, live_server, setup):
    owner, nina, engagement = setup
    sign_in(page, live_server.url, owner.user.email, PASSWORD)
    page.wait_for_url(f"{live_server.url}/dashboard/")

    # The owner invites Nina from her profile; her address is already filled in.
    page.goto(f"{live_server.url}/talent/freelancers/{nina.pk}/")
    assert page.get_by_test_id("portal-status").inner_text() == "not invited"
    invite = page.locator("#invite-form")
    assert invite.locator("input[name=invite-email]").input_value() == "nina@free.example"
    invite.get_by_role("button", name="Invite to the portal").click()
    page.wait_for_selector("text=Invitation to the portal sent to nina@free.example")
    assert "invited on" in page.get_by_test_id("portal-status").inner_text()
    screenshot(page, "freelancer-invited")

    message = mail.outbox[-1]
    assert message.to == ["nina@free.example"]
    link = re.search(r"http://\S+/workspaces/invitations/\S+/", message.body).group(0)
    assert link.startswith(f"{live_server.url}/")  # the address the server was reached on

    # Nina, in her own browser, opens the link, signs up and lands in her portal.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    freelancer = context.new_page()
    freelancer.set_default_timeout(15_000)
    try:
        freelancer.goto(link)
        assert "Join" in freelancer.locator("h1").inner_text()
        assert freelancer.locator("input[name=email]").input_value() == "nina@free.example"
        freelancer.fill("input[name=full_name]", "Nina Petrova")
        freelancer.fill("input[name=password]", NEW_PASSWORD)
        freelancer.click("main button[type=submit]")
        freelancer.wait_for_url(f"{live_server.url}/portal/")
        assert "Nina Petrova" in freelancer.locator("h1").inner_text()
        todo = freelancer.locator("ul.todo")
        assert "Inbox rules" in todo.inner_text()
        screenshot(freelancer, "freelancer-invite-portal")
        freelancer.set_viewport_size({"width": 390, "height": 844})
        screenshot(freelancer, "freelancer-invite-portal-phone")
        freelancer.set_viewport_size({"width": 1280, "height": 900})

        todo.get_by_role("link", name="Inbox rules").click()
        freelancer.wait_for_selector("article.prose")
        freelancer.click("#ack button[type=submit]")
        freelancer.wait_for_selector("text=You acknowledged version 1")
    finally:
        context.close()
    profile = Freelancer.objects.get(pk=nina.pk)
    assert profile.user is not None and profile.user.email == "nina@free.example"
    assert SOPAcknowledgement.objects.filter(freelancer=nina).count() == 1

    # Back as the owner: the profile shows the login, and the trial can start.
    page.goto(f"{live_server.url}/talent/freelancers/{nina.pk}/")
    assert page.get_by_test_id("portal-status").inner_text() == "linked to nina@free.example"
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    assert "Ready to start" in page.locator("main").inner_text()
    page.get_by_role("button", name="Start engagement").click()
    page.wait_for_selector("text=The engagement is active.")
    assert Engagement.objects.get(pk=engagement.pk).state == Engagement.State.ACTIVE
    screenshot(page, "freelancer-invite-engagement-active")

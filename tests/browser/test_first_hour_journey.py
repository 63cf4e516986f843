"""The first hour of a real owner, end to end, in the browser (issue 11's "done when").

Sign up → checklist → a task from a template with its skills → a freelancer from a country
(currency and zone filled in) → vetting → invited to the portal → the freelancer acknowledges
the SOP in their own browser → the trial starts → the freelancer logs hours → the owner
approves them in bulk → the cost dashboard shows the fee, converted with the built-in ECB rate
(no rate typed). Screenshots at 1280 and 390 px wide.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from sourcewise.costs.models import CostEntry
from sourcewise.engagements.models import Engagement, TimeEntry
from sourcewise.talent.models import Freelancer
from sourcewise.tasks.models import Task, TaskSkill
from sourcewise.workspaces.models import Workspace
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

OWNER_PASSWORD = "linen-and-thread-2026"
FREELANCER_PASSWORD = "ledger-lines-2026"


def _both_widths(page: Page, name: str) -> None:
    """A screenshot at 1280 and at 390 px wide; the page must not scroll sideways on the phone."""
    screenshot(page, f"first-hour-{name}-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{name}: the page scrolls sideways on a phone ({width}px)"
    screenshot(page, f"first-hour-{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})


def _step_done(page: Page, step: str) -> str | None:
    return page.locator(f'[data-testid="setup-checklist"] li[data-step="{step}"]').get_attribute("data-done")


def test_the_first_hour_of_a_new_owner(browser, page, live_server, transactional_db, settings, monkeypatch):
    settings.SITE_URL = ""  # emailed links follow the address the owner used
    monkeypatch.delenv("SOURCEWISE_SERVE_URL", raising=False)
    base = live_server.url

    # 1. Sign up: choosing Germany fills in the euro and Berlin's time zone.
    page.goto(f"{base}/accounts/signup/")
    page.fill("input[name=full_name]", "Ines Vogel")
    page.fill("input[name=email]", "ines@atelier-vogel.example")
    page.fill("input[name=password]", OWNER_PASSWORD)
    page.fill("input[name=workspace_name]", "Atelier Vogel")
    page.select_option("select[name=home_country]", "DE")
    expect(page.locator("select[name=base_currency]")).to_have_value("EUR")
    expect(page.locator("select[name=timezone]")).to_have_value("Europe/Berlin")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/accounts/signup/sent/")
    link = re.search(r"/accounts/signup/confirm/\S+", mail.outbox[-1].body).group(0)
    page.goto(f"{base}{link}")
    page.fill("input[name=password]", OWNER_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/dashboard/")
    workspace = Workspace.objects.get(name="Atelier Vogel")
    assert (workspace.base_currency, workspace.timezone) == ("EUR", "Europe/Berlin")

    # 2. The dashboard is a checklist, not a perfect score.
    checklist = page.get_by_test_id("setup-checklist")
    expect(checklist).to_be_visible()
    assert "0 of 6 done" in checklist.inner_text()
    expect(page.get_by_test_id("health-score")).to_have_text("Not enough data yet")
    _both_widths(page, "checklist")

    # 3. A task from the bookkeeping template: its deliverables, cadence and skills come along.
    checklist.locator('li[data-step="tasks"] a').click()
    page.wait_for_url(f"{base}/tasks/new/")
    page.click("main a:has-text('Bookkeeping')")
    page.fill("input[name=name]", "Monthly bookkeeping")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Answer the four core questions next")
    task = Task.objects.get(workspace=workspace, name="Monthly bookkeeping")
    needs = dict(TaskSkill.objects.filter(task=task).values_list("skill__name", "level"))
    assert needs == {"Bookkeeping": 3, "Bank reconciliation": 3, "Sales tax / VAT": 2}
    assert task.deliverables.count() >= 1 and task.checkpoint_every_days
    main = page.locator("main").inner_text()
    assert "Bookkeeping ≥ 3" in main and "Bank reconciliation ≥ 3" in main
    _both_widths(page, "task")

    # 4. An SOP for the task (the freelancer must acknowledge it before the work starts).
    page.goto(f"{base}/guidance/sops/new/")
    page.fill("input[name=title]", "Month-end close")
    page.check(f"input[name=tasks][value='{task.pk}']")
    page.fill("textarea[name=body]", "# Month-end close\n\nMatch every bank line by the 5th working day.")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Month-end close')")

    # 5. A freelancer from Poland: zloty and Warsaw's zone are filled in from the country.
    page.goto(f"{base}/dashboard/")
    assert _step_done(page, "tasks") == "true" and _step_done(page, "skills") == "true"
    assert _step_done(page, "sops") == "true" and _step_done(page, "freelancers") == "false"
    page.get_by_test_id("setup-checklist").locator('li[data-step="freelancers"] a').click()
    page.wait_for_url(re.compile(r".*/talent/freelancers/new/.*"))
    page.fill("input[name=name]", "Zofia Nowak")
    page.fill("input[name=email]", "zofia@ksiegowa.example")
    page.select_option("select[name=country]", "PL")
    expect(page.locator("select[name=timezone]")).to_have_value("Europe/Warsaw")
    expect(page.locator("select[name=rate_currency]")).to_have_value("PLN")
    page.fill("input[name=hourly_rate]", "150")
    for skill_name in ("Bookkeeping", "Bank reconciliation", "Sales tax / VAT"):
        page.get_by_label(skill_name, exact=True).select_option("4")
    _both_widths(page, "freelancer-form")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=was added to your talent network")
    zofia = Freelancer.objects.get(workspace=workspace, email="zofia@ksiegowa.example")
    assert (zofia.country, zofia.timezone, zofia.rate_currency) == ("PL", "Europe/Warsaw", "PLN")

    # 6. Vetting starts: a portfolio item, reviewed; she moves to vetting (a trial is part of vetting).
    page.goto(f"{base}/talent/freelancers/{zofia.pk}/")
    portfolio = page.locator("#portfolio-form")
    portfolio.locator("input[name=portfolio-title]").fill("Year-end close for a bakery chain")
    portfolio.locator("select[name=portfolio-rating]").select_option("4")
    portfolio.get_by_role("button", name="Add item").click()
    page.wait_for_selector("text=Year-end close for a bakery chain")
    page.get_by_role("button", name="Move to vetting").click()
    expect(page.get_by_test_id("status")).to_have_text("Vetting")

    # 7. Invited to the portal from her profile.
    assert page.locator("#invite-form input[name=invite-email]").input_value() == "zofia@ksiegowa.example"
    page.locator("#invite-form").get_by_role("button", name="Invite to the portal").click()
    page.wait_for_selector("text=Invitation to the portal sent to zofia@ksiegowa.example")
    _both_widths(page, "freelancer-invited")
    invitation = mail.outbox[-1]
    assert invitation.to == ["zofia@ksiegowa.example"]
    invite_link = re.search(r"http://\S+/workspaces/invitations/\S+/", invitation.body).group(0)
    assert invite_link.startswith(f"{base}/")

    # 8. A trial engagement, managed by the owner, paid in zloty, expected saving in euros.
    today = timezone.localdate()
    page.goto(f"{base}/engagements/new/")
    page.select_option("select[name=freelancer]", str(zofia.pk))
    page.select_option("select[name=task]", str(task.pk))
    page.select_option("select[name=kind]", "trial")
    page.select_option("select[name=billing]", "hourly")
    page.fill("input[name=rate]", "150")
    page.select_option("select[name=currency]", "PLN")
    page.fill("input[name=budget_cap]", "20")
    page.fill("input[name=start_date]", today.isoformat())
    page.fill("input[name=end_date]", (today + datetime.timedelta(days=13)).isoformat())
    assert "(EUR)" in page.locator("label[for=id_expected_monthly_saving]").inner_text()
    page.fill("input[name=expected_monthly_saving]", "400")
    page.click("main button[type=submit]")
    engagement = Engagement.objects.get(workspace=workspace, freelancer=zofia)
    page.wait_for_url(f"{base}/engagements/{engagement.pk}/")
    assert engagement.manager is not None and engagement.manager.user.email == "ines@atelier-vogel.example"
    assert "Month-end close" in page.locator("main").inner_text()  # not acknowledged yet: cannot start

    # 9. Zofia, in her own browser, accepts, lands in her portal and acknowledges the SOP.
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    zofia_page = context.new_page()
    zofia_page.set_default_timeout(15_000)
    try:
        zofia_page.goto(invite_link)
        zofia_page.fill("input[name=full_name]", "Zofia Nowak")
        zofia_page.fill("input[name=password]", FREELANCER_PASSWORD)
        zofia_page.click("main button[type=submit]")
        zofia_page.wait_for_url(f"{base}/portal/")
        todo = zofia_page.locator("ul.todo")
        assert "Month-end close" in todo.inner_text()
        screenshot(zofia_page, "first-hour-portal-390")
        todo.get_by_role("link", name="Month-end close").click()
        zofia_page.wait_for_selector("article.prose")
        zofia_page.click("#ack button[type=submit]")
        zofia_page.wait_for_selector("text=You acknowledged version 1")

        # 10. The owner starts the trial.
        page.goto(f"{base}/engagements/{engagement.pk}/")
        page.get_by_role("button", name="Start engagement").click()
        page.wait_for_selector("text=The engagement is active.")
        assert Engagement.objects.get(pk=engagement.pk).state == Engagement.State.ACTIVE

        # 11. Zofia logs two days' hours on her phone.
        for day, hours in ((today, "3"), (today, "2.5")):
            zofia_page.goto(f"{base}/engagements/{engagement.pk}/")
            form = zofia_page.locator("form[aria-label='Log hours']")
            form.locator("input[name=date]").fill(day.isoformat())
            form.locator("input[name=hours]").fill(hours)
            form.locator("input[name=note]").fill("Bank lines of November")
            form.locator("button[type=submit]").click()
            zofia_page.wait_for_selector(f"text={hours} hours logged")
        screenshot(zofia_page, "first-hour-hours-logged-390")
    finally:
        context.close()
    assert TimeEntry.objects.filter(engagement=engagement, status="submitted").count() == 2
    assert not CostEntry.objects.filter(engagement=engagement).exists()

    # 12. The owner approves both at once; the fee is posted in the same step.
    page.goto(f"{base}/engagements/time/")
    for entry in TimeEntry.objects.filter(engagement=engagement):
        page.locator(f"input[name=entries][value='{entry.pk}']").check()
    _both_widths(page, "bulk-approve")
    page.get_by_test_id("approve-selected").click()
    page.wait_for_selector("text=2 entries approved")
    fees = CostEntry.objects.filter(engagement=engagement, category="fees")
    assert sum((f.amount for f in fees), Decimal(0)) == Decimal("5.5") * Decimal("150")
    assert {f.currency for f in fees} == {"PLN"}

    # 13. The cost dashboard shows the fee in euros, converted with the ECB reference rate.
    page.goto(f"{base}/costs/")
    tco = page.get_by_test_id("kpi-tco").inner_text()
    amount = Decimal(re.sub(r"[^0-9.]", "", tco.split("EUR")[0]))
    assert tco.strip().endswith("EUR")
    # 825 PLN is between 150 and 250 EUR at any zloty rate the ECB published in the last decade.
    assert Decimal(150) < amount < Decimal(250), tco
    assert "ECB" in page.locator("main").inner_text()
    _both_widths(page, "costs")

    page.goto(f"{base}/dashboard/")
    assert _step_done(page, "trial") == "true"
    expect(page.get_by_test_id("health-score")).not_to_have_text("Not enough data yet")
    _both_widths(page, "dashboard")

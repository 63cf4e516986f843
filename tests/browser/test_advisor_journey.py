"""An owner adds a task, answers the core questions and watches the verdict change as deliverables arrive."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sourcewise.demo.builder import DEMO_PASSWORD, build_demo
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    return build_demo(classic=False)  # Lumen Studio is all this walks through


def _verdict(page) -> str:
    return page.get_by_test_id("verdict").get_attribute("data-verdict")


def test_owner_gets_advice_on_a_new_task(page, live_server, demo):
    sign_in(page, live_server.url, "olivia@lumen.example", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/dashboard/")
    page.click("nav >> summary:text-is('Work')")
    page.click("nav >> a:text-is('Tasks')")
    page.click("text=Add a task")
    page.fill("input[name=name]", "Invoice chasing")
    page.fill("textarea[name=description]", "Polite reminders for overdue client invoices.")
    page.fill("input[name=hours]", "6")
    page.fill("input[name=inhouse_hourly_cost]", "38.50")
    page.fill("input[name=checkpoint_every_days]", "7")
    page.click("main button[type=submit]:has-text('Save')")
    assert page.locator("h1").inner_text().startswith("Invoice chasing")
    assert _verdict(page) == "not_ready"  # the core questions are not answered yet

    # Answer the four questions: one yes → suggested non-core, but no deliverables yet.
    workbench = page.locator("#workbench")
    workbench.locator("input[name=q_differentiates][value=no]").check()
    workbench.locator("input[name=q_proprietary][value=no]").check()
    workbench.locator("input[name=q_revenue_critical][value=yes]").check()
    workbench.locator("input[name=q_must_own][value=no]").check()
    workbench.locator("button:has-text('Save answers')").click()
    expect(page.get_by_test_id("suggestion")).to_have_text("non-core", timeout=15_000)
    assert _verdict(page) == "not_ready"
    assert "No deliverables yet" in page.locator(".reasons").inner_text()
    screenshot(page, "advisor-not-ready")

    # A deliverable with written acceptance criteria makes it ready to outsource.
    page.locator("#workbench input[name=name]").fill("Weekly reminder round")
    page.locator("#workbench textarea[name=acceptance_criteria]").fill(
        "Every invoice 7+ days overdue gets a reminder by Friday; replies logged in the sheet."
    )
    page.locator("#workbench button:has-text('Add deliverable')").click()
    page.wait_for_selector("[data-testid=deliverables] >> text=Weekly reminder round")
    # Still not ready: no SOP says how the work is done (G6). Write one for the task.
    assert _verdict(page) == "not_ready"
    assert "No SOP covers this task" in page.locator(".reasons").inner_text()
    task_url = page.url
    page.goto(f"{live_server.url}/guidance/sops/new/")
    page.fill("input[name=title]", "Invoice reminders")
    page.locator("main label", has_text="Invoice chasing").locator("input").check()
    page.fill("textarea[name=body]", "# Reminders\n\nPolite, one per week, log replies in the sheet.")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Invoice reminders')")
    page.goto(task_url)
    assert _verdict(page) == "outsource"
    assert "Weekly reminder round" in page.get_by_test_id("deliverables").inner_text()
    screenshot(page, "advisor-outsource")

    # A second "yes" makes it core: at the growth stage it stays in-house without a justification.
    page.locator("#workbench input[name=q_must_own][value=yes]").check()
    page.locator("#workbench button:has-text('Save answers')").click()
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-verdict", "keep_in_house", timeout=15_000)

    page.click("nav >> summary:text-is('Work')")
    page.click("nav >> text=Outsourcing map")
    assert "%" in page.get_by_test_id("outsourced-share").inner_text()
    assert page.get_by_test_id("share-chart").is_visible()
    assert "Invoice chasing" in page.locator("[data-quadrant=core_ready]").inner_text()
    screenshot(page, "outsourcing-map")

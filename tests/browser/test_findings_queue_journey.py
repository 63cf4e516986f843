"""The owner works the findings queue in the demo: fix first, filter the list, accept a risk
with a reason, see it under "Accepted" and the score rise (desktop and phone)."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from sourcewise.demo.builder import DEMO_PASSWORD, build_demo
from sourcewise.findings.models import FindingRecord
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

REASON = "Our partner agency covers this; reviewed quarterly"


@pytest.fixture
def demo(transactional_db):
    return build_demo(classic=False)  # Lumen Studio has findings of every severity


def _score(page) -> int:
    return int(page.get_by_test_id("health-score").inner_text().strip())


def test_owner_filters_the_queue_and_accepts_a_risk(page, phone, live_server, demo):
    base = live_server.url
    sign_in(page, base, "olivia@lumen.example", DEMO_PASSWORD)
    page.wait_for_url(f"{base}/dashboard/")
    before = _score(page)
    fix_first = page.get_by_test_id("fix-first").locator("article.finding")
    assert 1 <= fix_first.count() <= 5
    severities = [fix_first.nth(i).get_attribute("class").split()[1] for i in range(fix_first.count())]
    order = {"critical": 0, "warning": 1, "info": 2}
    assert [order[s] for s in severities] == sorted(order[s] for s in severities)  # criticals first
    expect(fix_first.first.locator("a.subject")).to_have_attribute("href", re.compile(r"^/\w+/"))  # its subject's page
    screenshot(page, "findings-queue-1280")

    # Filter the list to warnings: htmx swaps the list, the address bar keeps the filter.
    page.get_by_test_id("finding-filters").locator("select[name=severity]").select_option("warning")
    page.wait_for_url("**/dashboard/?*severity=warning*")
    listed = page.get_by_test_id("finding-list").locator("article.finding")
    expect(listed.first).to_be_visible()
    classes = [listed.nth(i).get_attribute("class") for i in range(listed.count())]
    assert classes and all("warning" in c for c in classes)
    screenshot(page, "findings-queue-filtered-1280")

    # Accept the first warning, with a reason and a review date.
    target = listed.first
    finding_id = int(target.get_attribute("data-finding"))
    target.locator("a.accept-link").click()
    page.wait_for_url(f"{base}/dashboard/findings/{finding_id}/accept/")
    review = demo.workspace.today() + datetime.timedelta(days=90)
    page.fill("textarea[name=reason]", REASON)
    page.fill("input[name=review_on]", review.isoformat())
    screenshot(page, "findings-accept-1280")
    page.click("main form.accept-form button[type=submit]")
    page.wait_for_url(f"{base}/dashboard/#accepted")

    accepted = page.get_by_test_id("accepted")
    expect(accepted.locator(f'[data-finding="{finding_id}"]')).to_contain_text(REASON)
    assert _score(page) == min(100, before + 5)
    record = FindingRecord.objects.get(pk=finding_id)
    assert (record.accepted_reason, record.accepted_until) == (REASON, review)
    screenshot(page, "findings-accepted-1280")

    # The same dashboard on a phone.
    sign_in(phone, base, "olivia@lumen.example", DEMO_PASSWORD)
    phone.wait_for_url(f"{base}/dashboard/")
    expect(phone.get_by_test_id("accepted").locator(f'[data-finding="{finding_id}"]')).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the dashboard is {width}px wide on a phone"
    screenshot(phone, "findings-queue-390")


def test_a_large_workspace_says_its_findings_are_being_rechecked(page, live_server, demo, monkeypatch):
    """A write to the whole workspace (a threshold) in a workspace whose full check takes
    minutes is queued for the worker: the dashboard says so, and the subject's findings stay."""
    from sourcewise.findings import refresh
    from sourcewise.findings.models import FindingsState

    queued: list[int] = []

    class NotRunYet:  # the jobs worker would run it later
        @staticmethod
        def enqueue(workspace_id: int) -> None:
            queued.append(workspace_id)

    monkeypatch.setattr(refresh, "refresh_full_task", NotRunYet)
    FindingsState.objects.filter(workspace=demo.workspace).update(full_seconds=90.0)  # as at 100,000 rows
    base = live_server.url
    sign_in(page, base, "olivia@lumen.example", DEMO_PASSWORD)
    page.wait_for_url(f"{base}/dashboard/")
    expect(page.get_by_test_id("findings-updating")).to_have_count(0)
    before = FindingRecord.objects.filter(workspace=demo.workspace, resolved_at__isnull=True).count()

    page.goto(f"{base}/workspaces/settings/")
    limit = page.locator("input[name=manager_max_active_engagements]")
    limit.fill(str(int(limit.input_value()) + 1))
    page.get_by_role("button", name="Save settings").click()
    page.goto(f"{base}/dashboard/")
    notice = page.get_by_test_id("findings-updating")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("re-checking every guardrail")
    assert queued == [demo.workspace.pk]
    assert FindingRecord.objects.filter(workspace=demo.workspace, resolved_at__isnull=True).count() == before
    screenshot(page, "findings-updating-1280")

    # The worker's run: the notice is gone on the next visit.
    refresh.refresh_full(demo.workspace)
    page.reload()
    expect(page.get_by_test_id("findings-updating")).to_have_count(0)

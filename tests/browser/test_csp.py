"""The Content-Security-Policy is on every page and htmx works under it: no violation anywhere."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sourcewise.demo.builder import DEMO_PASSWORD, build_demo
from sourcewise.tasks.models import Task
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def demo(transactional_db):
    return build_demo(classic=False)  # Lumen Studio is all this walks through


def test_every_page_has_the_policy_and_htmx_parts_raise_no_violation(page, live_server, demo):
    base = live_server.url
    console = []
    page.on("console", lambda m: console.append(m.text) if m.type in {"error", "warning"} else None)
    page.add_init_script(RECORD_VIOLATIONS)
    headers = []
    page.on(
        "response",
        lambda r: (
            headers.append((r.url, r.headers.get("content-security-policy")))
            if r.request.resource_type == "document"
            or r.request.is_navigation_request()
            or "hx" in r.request.headers.get("hx-request", "hx")
            else None
        ),
    )

    def violations() -> list[str]:
        return page.evaluate("window.__cspViolations") + [m for m in console if "Content Security Policy" in m]

    sign_in(page, base, "olivia@lumen.example", DEMO_PASSWORD)
    page.wait_for_url(f"{base}/dashboard/")
    assert violations() == []

    # Live search on the talent list (hx-get, swap of #rows).
    page.goto(f"{base}/talent/freelancers/")
    page.fill("input[name=q]", "Priya")
    expect(page.locator("#rows tbody tr")).to_have_count(1, timeout=15_000)
    assert violations() == []

    # The fair band calculator answers as the rate is typed.
    page.goto(f"{base}/money/")
    page.fill("input[name=rate]", "12")
    page.wait_for_timeout(800)
    assert violations() == []

    # The engagement form's live band (hx-include, hx-trigger from another element).
    page.goto(f"{base}/engagements/new/")
    page.fill("input[name=rate]", "15")
    page.wait_for_timeout(900)
    assert violations() == []

    # An hx-post on a task's workbench, and the outsourcing map's chart.
    task = Task.objects.filter(workspace=demo.workspace).order_by("pk").first()
    page.goto(f"{base}/tasks/{task.pk}/")
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.click("#workbench form[hx-post*='assess'] button[type=submit]")
    page.goto(f"{base}/tasks/map/")
    assert page.get_by_test_id("share-chart").is_visible()
    assert violations() == []

    pages = [(url, policy) for url, policy in headers if url.startswith(base) and "/static/" not in url]
    assert pages, "pages were loaded"
    for url, policy in pages:
        assert policy is not None, f"no CSP on {url}"
        for directive in ("default-src 'self'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'"):
            assert directive in policy, (url, policy)

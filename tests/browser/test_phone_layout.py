"""Every page fits a phone (390 px) and a desktop (1280 px) without sideways scrolling; the menu is short.

The pages are not listed by hand: every GET route of the URL resolver that the role may open
is visited, its object arguments filled with the first row the member may see in the demo
workspace (so a page another change adds is checked too). A page that is not a full HTML
page (a download, an htmx partial, a POST-only action) is left out. The key pages a person
opens are asserted to be among those checked, so the sweep cannot silently shrink.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import expect

from sourcewise.core.access import PUBLIC, WORKSPACE, access_of
from sourcewise.core.navigation import MAX_TOP_ENTRIES
from sourcewise.demo.builder import DEMO_PASSWORD, build_demo
from sourcewise.workspaces.models import Membership
from tests.browser.conftest import SCREENSHOTS, screenshot, sign_in

pytestmark = pytest.mark.browser

PHONE = 390
DESKTOP = 1280

# The outermost elements whose right edge is beyond the screen, and the boxes that scroll sideways.
OVERFLOW = """
(limit) => {
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (el.classList.length) s += "." + [...el.classList].join(".");
    const text = (el.innerText || el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 50);
    return text ? `${s} "${text}"` : s;
  };
  const clippedInside = (el) => {  // within a box that clips or scrolls and itself fits
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible" && a.getBoundingClientRect().right <= limit + 0.5) return true;
    }
    return false;
  };
  const wide = new Set();
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.height > 0 && r.right > limit + 0.5 && !clippedInside(el)) wide.add(el);
  }
  const offenders = [...wide]
    .filter((el) => !wide.has(el.parentElement))
    .map((el) => `${describe(el)} (right edge ${Math.round(el.getBoundingClientRect().right)}px)`);
  const scrollers = [];
  for (const el of document.querySelectorAll("body *")) {
    const overflow = getComputedStyle(el).overflowX;
    if ((overflow === "auto" || overflow === "scroll") && el.scrollWidth > el.clientWidth + 1) {
      scrollers.push(`${describe(el)} (scrolls ${el.scrollWidth}px in ${el.clientWidth}px)`);
    }
  }
  return {width: document.documentElement.scrollWidth, offenders, scrollers};
}
"""

SKIPPED_NAMES = ("export", "download", "document_file", "logout")


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_demo(classic=False)  # Lumen Studio is all this walks through


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}:{entry.namespace}" if entry.namespace and namespace else entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield entry, namespace


def _first_visible(model, membership):
    manager = model._default_manager
    if hasattr(manager, "for_member"):
        return manager.for_member(membership).order_by("pk").first()
    return manager.filter(workspace=membership.workspace).order_by("pk").first()


def pages_for(membership: Membership | None) -> dict[str, str]:
    """URL name → path of every page `membership` may open (None: the public pages)."""
    pages = {}
    for pattern, namespace in _walk(get_resolver().url_patterns):
        name = f"{namespace}:{pattern.name}" if namespace else pattern.name
        access = access_of(pattern.callback)
        if not name or namespace == "api" or access is None or any(word in name for word in SKIPPED_NAMES):
            continue
        if membership is None:
            if access.kind != PUBLIC or pattern.pattern.regex.groups:
                continue
            pages[name] = reverse(name)
            continue
        if access.kind == PUBLIC or (access.kind == WORKSPACE and membership.role not in access.roles):
            continue
        kwargs = {}
        for kwarg, model in access.objects.items():
            row = _first_visible(model, membership)
            if row is None:
                break
            kwargs[kwarg] = row.pk
        else:
            if pattern.pattern.regex.groups and len(kwargs) != pattern.pattern.regex.groups:
                continue  # an argument that is no object (a token, another workspace's id)
            pages[name] = reverse(name, kwargs=kwargs)
    return pages


def _full_pages(page, base: str, pages: dict[str, str]) -> dict[str, str]:
    """The pages that answer GET with a whole HTML page (not a download, partial or POST-only action)."""
    full = {}
    for name, path in pages.items():
        response = page.request.get(f"{base}{path}", max_redirects=0)
        html = response.status == 200 and "text/html" in response.headers.get("content-type", "")
        if html and "<html" in response.text():
            full[name] = path
    return full


def _check(page, base: str, pages: dict[str, str], width: int, *, inner_scroll: bool) -> list[str]:
    problems = []
    for name, path in pages.items():
        page.goto(f"{base}{path}")
        result = page.evaluate(OVERFLOW, width)
        if result["width"] > width:
            problems.append(f"{name} {path}: {result['width']}px wide; too wide: {result['offenders'][:5]}")
        elif inner_scroll and result["scrollers"]:
            problems.append(f"{name} {path}: scrolls sideways inside: {result['scrollers'][:5]}")
    return problems


def _member(demo, role: str, email: str | None = None) -> Membership:
    members = Membership.objects.filter(workspace=demo.workspace, role=role).select_related("user")
    return members.get(user__email=email) if email else members.order_by("pk").first()


def _sweep(page, phone, base, membership, must_include):
    pages = _full_pages(phone, base, pages_for(membership))
    missing = sorted(set(must_include) - set(pages))
    assert missing == [], f"key pages not checked: {missing}"
    problems = _check(phone, base, pages, PHONE, inner_scroll=True)
    problems += _check(page, base, pages, DESKTOP, inner_scroll=False)
    assert problems == [], "pages that do not fit:\n" + "\n".join(problems)
    return pages


OWNER_PAGES = {
    "findings:dashboard", "tasks:task_list", "tasks:task_detail", "tasks:outsourcing_map",
    "talent:freelancer_list", "talent:freelancer_detail", "talent:bench", "talent:board",
    "engagements:engagement_list", "engagements:engagement_detail", "engagements:time_approvals",
    "guidance:sop_list", "guidance:sop_detail", "costs:dashboard", "costs:entry_list",
    "costs:invoice_list", "costs:invoice_detail", "money:fair_band", "money:rate_list",
    "money:benchmark_list", "workspaces:members", "workspaces:settings", "audit:audit_log",
    "backups:backup", "api_tokens:token_list",
}  # fmt: skip


def test_every_owner_page_fits_a_phone_and_a_desktop(page, phone, live_server, demo):
    base = live_server.url
    for browser_page in (page, phone):
        sign_in(browser_page, base, "olivia@lumen.example", DEMO_PASSWORD)
        browser_page.wait_for_url(f"{base}/dashboard/")
    pages = _sweep(page, phone, base, _member(demo, "owner", "olivia@lumen.example"), OWNER_PAGES)
    assert len(pages) > 40
    for name in ("findings:dashboard", "tasks:task_list", "costs:dashboard", "engagements:engagement_detail"):
        phone.goto(f"{base}{pages[name]}")
        screenshot(phone, f"phone-{name.replace(':', '-')}")
    phone.goto(f"{base}{pages['tasks:task_list']}")
    phone.click("summary.navmenu-toggle")
    screenshot(phone, "phone-menu-open")


def test_every_portal_page_fits_a_phone_and_a_desktop(page, phone, live_server, demo):
    base = live_server.url
    for browser_page in (page, phone):
        sign_in(browser_page, base, "maria@lumen.example", DEMO_PASSWORD)
        browser_page.wait_for_url(f"{base}/portal/")
    portal = {
        "portal:home", "portal:documents", "engagements:engagement_list", "engagements:engagement_detail",
        "costs:invoice_list", "my_profile",
    }  # fmt: skip
    pages = _sweep(page, phone, base, _member(demo, "freelancer", "maria@lumen.example"), portal)
    phone.goto(f"{base}{pages['portal:home']}")
    screenshot(phone, "phone-portal")


def test_the_public_pages_fit_a_phone_and_a_desktop(page, phone, live_server, transactional_db):
    base = live_server.url
    pages = _full_pages(phone, base, pages_for(None))
    assert {"accounts:login", "signup:form", "accounts:password_reset"} <= set(pages)
    problems = _check(phone, base, pages, PHONE, inner_scroll=True)
    problems += _check(page, base, pages, DESKTOP, inner_scroll=False)
    assert problems == [], "pages that do not fit:\n" + "\n".join(problems)
    phone.goto(f"{base}{pages['accounts:login']}")
    screenshot(phone, "phone-sign-in")


def _menu(browser_page):
    menu = browser_page.get_by_test_id("main-menu")
    tops = menu.locator(":scope > li")
    hrefs = [link.get_attribute("href") for link in menu.locator("a").all()]
    return tops.count(), hrefs


OWNER_ONLY = ["/workspaces/settings/", "/audit/", "/backup/"]


@pytest.mark.parametrize(
    ("role", "email", "home", "must_have", "must_not_have"),
    [
        ("owner", "olivia@lumen.example", "/dashboard/", OWNER_ONLY, []),
        ("manager", None, "/dashboard/", ["/workspaces/members/", "/tasks/"], OWNER_ONLY),
        ("freelancer", "maria@lumen.example", "/portal/", ["/portal/"], ["/dashboard/", "/tasks/", *OWNER_ONLY]),
    ],
    ids=["owner", "manager", "freelancer"],
)
def test_the_menu_is_short_and_offers_only_what_the_role_may_open(
    page, live_server, demo, role, email, home, must_have, must_not_have
):
    base = live_server.url
    email = email or next(login for kind, _, login in demo.logins if kind == "manager")
    sign_in(page, base, email, DEMO_PASSWORD)
    page.wait_for_url(f"{base}{home}")
    tops, hrefs = _menu(page)
    assert 1 < tops <= MAX_TOP_ENTRIES
    assert set(must_have) <= set(hrefs)
    assert not set(must_not_have) & set(hrefs)
    for href in hrefs:  # every entry opens for this role: the menu offers no refusal
        assert page.request.get(f"{base}{href}").status == 200, href
    # Desktop: the top entries are shown; a group opens as a dropdown without JavaScript.
    assert not page.locator("summary.navmenu-toggle").is_visible()
    group = page.locator("details.menu-group").first
    group.locator("summary").click()
    first_link = group.locator("a").first
    assert first_link.is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"menu-desktop-{role}.png"))  # the screen, not the whole page
    first_link.click()
    page.wait_for_load_state()
    expect(page.locator('[data-testid=main-menu] a[aria-current="page"]')).to_have_count(1)


def test_on_a_phone_the_menu_is_one_menu_button(phone, live_server, demo):
    base = live_server.url
    sign_in(phone, base, "olivia@lumen.example", DEMO_PASSWORD)
    phone.wait_for_url(f"{base}/dashboard/")
    menu = phone.get_by_test_id("main-menu")
    assert not menu.is_visible()
    phone.click("summary.navmenu-toggle")
    assert menu.is_visible()
    phone.locator("details.menu-group > summary").get_by_text("Work", exact=True).click()
    phone.get_by_role("link", name="Tasks", exact=True).click()
    phone.wait_for_url(f"{base}/tasks/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE
    # The current page's group is marked, and its entry too.
    phone.click("summary.navmenu-toggle")
    assert phone.locator("details.menu-group.current > summary").inner_text().strip() == "Work"
    assert phone.locator('[data-testid=main-menu] a[aria-current="page"]').text_content() == "Tasks"

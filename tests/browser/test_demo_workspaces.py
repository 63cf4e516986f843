"""The demo's two workspaces: the owner lands in Lumen Studio and switches to "Every classic mistake".

`SOURCEWISE_README_SCREENSHOT=1 pytest tests/browser/test_demo_workspaces.py` also regenerates
the README's screenshot (docs/screenshots/dashboard.png) from Lumen Studio's dashboard.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sourcewise.demo.builder import DEMO_PASSWORD, build_demo
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser
README_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "dashboard.png"


@pytest.fixture
def demo(transactional_db):
    return build_demo()


def test_owner_lands_in_lumen_studio_and_switches_to_every_classic_mistake(page, live_server, demo):
    sign_in(page, live_server.url, "olivia@lumen.example", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/dashboard/")
    assert page.locator("h1").inner_text() == "Lumen Studio"
    score = int(page.get_by_test_id("health-score").inner_text())
    assert 45 <= score <= 75
    if os.environ.get("SOURCEWISE_README_SCREENSHOT"):
        page.screenshot(path=str(README_SCREENSHOT))  # the viewport, as the README shows it
    screenshot(page, "dashboard-lumen-studio")

    # The workspace switcher: the account menu at the top names the workspace and the role.
    page.click("li.menu-account summary")
    page.click("li.menu-account a:has-text('Switch workspace')")
    page.wait_for_url(f"{live_server.url}/workspaces/")
    page.locator("tr", has_text="Every classic mistake").get_by_role("button", name="Switch").click()
    page.wait_for_url(f"{live_server.url}/dashboard/")
    assert page.locator("h1").inner_text() == "Every classic mistake"
    assert int(page.get_by_test_id("health-score").inner_text()) < score
    screenshot(page, "dashboard-every-classic-mistake")

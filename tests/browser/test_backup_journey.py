from __future__ import annotations

import json
import re

import pytest

from sourcewise.demo.builder import DEMO_PASSWORD, build_demo
from sourcewise.workspaces.models import Workspace
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    return build_demo(classic=False)  # Lumen Studio is all this walks through


def test_owner_downloads_a_backup_and_restores_it_as_a_copy(page, live_server, demo, tmp_path):
    sign_in(page, live_server.url, "olivia@lumen.example", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/dashboard/")
    page.click("nav >> summary:text-is('Workspace')")
    page.click("nav >> a:text-is('Backup')")
    page.wait_for_url(f"{live_server.url}/backup/")
    screenshot(page, "backup")
    with page.expect_download() as download_info:
        page.click("text=Download backup")
    saved = tmp_path / "lumen.json"
    download_info.value.save_as(saved)
    assert json.loads(saved.read_text())["workspace"]["name"] == demo.workspace.name

    page.set_input_files("input[name=file]", str(saved))
    page.fill("input[name=name]", "Lumen Studio (restored)")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/jobs/\d+/$"))  # the restore runs as a job; its page follows it
    page.wait_for_selector("[data-testid=job-progress][data-state=done]")
    assert "Restored Lumen Studio (restored)" in page.locator("main").inner_text()
    screenshot(page, "backup-restored")
    page.click("text=Work in Lumen Studio (restored)")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    assert Workspace.objects.filter(name="Lumen Studio (restored)").exists()

"""Plain words first: a finding's title before its code, a guardrail's title before its key."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from sourcewise.core.guardrails import GUARDRAILS
from sourcewise.findings.codes import CODES, Severity
from sourcewise.findings.registry import Finding
from tests.tasks.factories import TaskFactory


def test_every_code_has_a_title_in_plain_words():
    for code, info in CODES.items():
        assert info.title and info.title != code and not re.fullmatch(r"[A-Z_]+", info.title), code
        assert info.guardrail in GUARDRAILS


@pytest.fixture
def no_sop(temporary_check):
    def produce(ctx):
        yield Finding("NO_SOP", Severity.WARNING, "task", 7, "Bookkeeping has no SOP.", "See Guidance → SOPs.", "B")

    temporary_check(["NO_SOP"], produce)


def _before(body: str, first: str, second: str) -> bool:
    return first in body and second in body and body.index(first) < body.index(second)


def test_dashboard_shows_the_title_first_and_the_code_small(owner_client, no_sop):
    body = owner_client.get("/dashboard/").content.decode()
    article = body.split('data-code="NO_SOP">')[1].split("</article>")[0]
    assert _before(article, "Outsourced task without an SOP", "NO_SOP")
    assert '<small class="code">NO_SOP</small>' in article
    heading = f"{GUARDRAILS['G6'].title} <small"
    assert heading in body and "<h2>G6" not in body


def test_task_page_shows_the_title_first_and_links_the_fix(owner_client, workspace, temporary_check):
    task = TaskFactory(workspace=workspace, name="Bookkeeping")

    def produce(ctx):
        yield Finding("NO_SOP", Severity.WARNING, "task", task.pk, "No SOP.", "Write one (Guidance → SOPs).", "B")

    temporary_check(["NO_SOP"], produce)
    body = owner_client.get(f"/tasks/{task.pk}/").content.decode()
    article = body.split('data-code="NO_SOP">')[1].split("</article>")[0]
    assert _before(article, "Outsourced task without an SOP", "NO_SOP")
    assert 'Write one (<a href="/guidance/sops/">Guidance → SOPs</a>).' in article


def test_the_guide_lists_titles_before_codes(owner_client):
    body = owner_client.get("/dashboard/guide/").content.decode()
    assert "<li>Outsourced task without an SOP <small" in body
    assert "<code>NO_SOP</code>" not in body


def test_settings_group_thresholds_under_guardrail_titles(owner_client):
    body = owner_client.get("/workspaces/settings/").content.decode()
    assert f"<legend>{GUARDRAILS['G8'].title} <small" in body
    assert "<legend>G8</legend>" not in body
    assert "(HHI)" not in body.split("Spend concentration")[1][:40]


def test_cli_text_names_the_finding_before_its_code(workspace, no_sop):
    out = StringIO()
    call_command("health", "--workspace", str(workspace.pk), stdout=out)
    assert "[warning] Outsourced task without an SOP (NO_SOP)" in out.getvalue()

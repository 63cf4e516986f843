"""Fix texts name pages as "Section → Page"; in HTML each such phrase is a link to a page
that exists, and the rest of the text stays escaped. API and CLI keep the plain text."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.urls import resolve, reverse

import sourcewise
from sourcewise.findings.codes import Severity
from sourcewise.findings.links import PAGES, SECTION_ARROW, linked_fix
from sourcewise.findings.registry import Finding, registered_checks

SOURCE = Path(sourcewise.__file__).resolve().parent


def _strings_in_code() -> list[tuple[str, str]]:
    """Every string literal of the app's code (f-string parts included), docstrings left out."""
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                found.append((str(path.relative_to(SOURCE)), node.value))
    return found


def test_every_section_arrow_phrase_in_the_code_is_a_known_page():
    unknown = []
    for where, text in _strings_in_code():
        for match in SECTION_ARROW.finditer(text):
            if not any(text.startswith(phrase, match.start()) for phrase in PAGES):
                unknown.append((where, text[match.start() : match.start() + 40]))
    assert unknown == [], "add these to sourcewise.findings.links.PAGES (or reword them)"


def test_the_scan_does_find_the_fix_texts_of_the_registered_checks():
    # Guards the test above against silently scanning nothing.
    modules = {c.function.__module__ for c in registered_checks()}
    rule_files = {m.removeprefix("sourcewise.").replace(".", "/") + ".py" for m in modules}
    known = re.compile("|".join(map(re.escape, PAGES)))
    in_rules = {m.group(0) for where, text in _strings_in_code() if where in rule_files for m in known.finditer(text)}
    assert {"Talent → Bench", "Guidance → SOPs", "Guidance → Training", "Costs → Add a cost"} <= in_rules


@pytest.mark.parametrize("phrase", sorted(PAGES))
def test_every_page_resolves(phrase):
    url = reverse(PAGES[phrase])
    assert resolve(url).url_name == PAGES[phrase].split(":")[1]


def test_linked_fix_links_known_phrases_and_escapes_the_rest():
    html = linked_fix('Vet a <b>second</b> one (Talent → Bench), then Money → Benchmarks & "Money → Nowhere".')
    assert html == (
        'Vet a &lt;b&gt;second&lt;/b&gt; one (<a href="/talent/bench/">Talent → Bench</a>), then '
        '<a href="/money/benchmarks/">Money → Benchmarks</a> &amp; &quot;Money → Nowhere&quot;.'
    )


def test_linked_fix_without_a_phrase_is_only_escaped():
    assert linked_fix("Raise the rate to <10 GBP>.") == "Raise the rate to &lt;10 GBP&gt;."


@pytest.fixture
def talent_bench_finding(temporary_check):
    def produce(ctx):
        yield Finding(
            "NO_BACKUP", Severity.WARNING, "engagement", 1, "No backup.", "Vet a second one (Talent → Bench).", "E"
        )

    temporary_check(["NO_BACKUP"], produce)


def test_the_dashboard_renders_the_fix_as_a_link(owner_client, talent_bench_finding):
    body = owner_client.get("/dashboard/").content.decode()
    assert 'Vet a second one (<a href="/talent/bench/">Talent → Bench</a>).' in body


def test_the_api_keeps_the_plain_text(client, owner_api, talent_bench_finding):
    fixes = [f["fix"] for f in client.get("/api/v1/health", headers=owner_api).json()["findings"]]
    assert "Vet a second one (Talent → Bench)." in fixes
    assert not any("<a" in f for f in fixes)

"""Every page carries the Content-Security-Policy, and nothing in the templates needs an exception."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import sourcewise
from sourcewise.core.security import POLICY

SOURCE = Path(sourcewise.__file__).parent


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/signup/", "/dashboard/", "/tasks/", "/api/v1/health"])
def test_every_response_has_the_policy(owner_client, url):
    response = owner_client.get(url)

    policy = response["Content-Security-Policy"]
    assert policy == POLICY
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'"):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_htmx_is_told_not_to_add_its_indicator_style_element(owner_client):
    page = owner_client.get("/dashboard/").content.decode()

    assert '"includeIndicatorStyles": false' in page


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"\sstyle=[\"']", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+=[\"']", re.I), "an inline event handler"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
    (re.compile(r"\bhx-on\b|\bhx-vals=[\"']js:", re.I), "htmx code in an attribute (needs eval)"),
]


def _sources() -> list[Path]:
    return [
        p
        for p in sorted(SOURCE.rglob("*"))
        if p.suffix in {".html", ".py"} and "migrations" not in p.parts and p.name != "security.py"
    ]


def test_no_template_or_chart_needs_inline_script_or_style():
    found = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py" and "<" not in text:
            continue
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(SOURCE)}:{line}: {what}")
    assert found == []

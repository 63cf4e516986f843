"""The UI shows only what your role can do: nobody meets a button or link that answers 403.

Starting from their home page, a manager (and a freelancer) of the demo business follows the
links of every page (breadth first) and opens them; none answers 403. Every form on those
pages posts to a route their role may use. Object-level rules (an engagement managed by
someone else) are checked in tests/engagements/test_role_ui.py.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from sourcewise.core.access import FREELANCER, MANAGER, access_of
from sourcewise.workspaces.models import Membership

HREF = re.compile(r'<a\b[^>]*\bhref="([^"#]+)"', re.I)
FORM = re.compile(r"<form\b([^>]*)>", re.I)
ACTION = re.compile(r'\baction="([^"]*)"', re.I)
METHOD = re.compile(r'\bmethod="([^"]*)"', re.I)
SKIP = ("/accounts/logout", "/static/", "/media/", "/api/")


def _local(base: str, href: str) -> str | None:
    url = urljoin(base, href.replace("&amp;", "&"))
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    return None if any(parts.path.startswith(s) for s in SKIP) else parts.path


PER_ROUTE = 3  # pages opened per URL name: enough to meet each kind of row, not every row


def crawl(client: Client, start: str) -> tuple[dict[str, tuple[int, str]], list[tuple[str, str]]]:
    """Pages reachable from `start` by links → (status, the page linking to it); and every
    (page, post form action) on them. Query strings are dropped: filters and pages of a list
    show the same kinds of links."""
    seen: dict[str, tuple[int, str]] = {}
    opened: dict[str, int] = {}
    forms: list[tuple[str, str]] = []
    queue = deque([(start, "")])
    while queue:
        path, referrer = queue.popleft()
        if path in seen:
            continue
        try:
            name = resolve(path).view_name
        except Resolver404:
            seen[path] = (404, referrer)
            continue
        if opened.get(name, 0) >= PER_ROUTE:
            continue
        opened[name] = opened.get(name, 0) + 1
        response = client.get(path)
        seen[path] = (response.status_code, referrer)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        for href in HREF.findall(html):
            target = _local(path, href)
            if target and target not in seen:
                queue.append((target, path))
        for attrs in FORM.findall(html):
            method = METHOD.search(attrs)
            action = ACTION.search(attrs)
            target = _local(path, action.group(1) if action and action.group(1) else path)
            if method and method.group(1).lower() == "post" and target:
                forms.append((path, target))
    return seen, forms


SHARED_DEMO = {"classic": False}  # Lumen Studio is all this walks through


@pytest.fixture
def demo(shared_demo):
    """The demo, built once for this module (see tests/conftest.py)."""
    return shared_demo


@pytest.mark.parametrize(
    ("email", "role", "start"),
    [("sam@lumen.example", MANAGER, "/dashboard/"), ("maria@lumen.example", FREELANCER, "/portal/")],
)
def test_no_link_or_form_that_the_role_is_refused(demo, email, role, start):
    member = Membership.objects.select_related("user").get(user__email=email, workspace=demo.workspace)
    assert member.role == role
    client = Client()
    client.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")
    pages, forms = crawl(client, start)
    assert len(pages) > (50 if role == MANAGER else 8)
    refused = sorted(f"{path} (linked from {referrer})" for path, (status, referrer) in pages.items() if status == 403)
    assert refused == []
    assert [path for path, (status, _) in pages.items() if status >= 500] == []
    not_for_role = []
    for page, action in forms:
        try:
            match = resolve(action)
        except Resolver404:
            continue
        access = access_of(match.func)
        if access is not None and access.roles and role not in access.roles:
            not_for_role.append((page, action))
    assert not_for_role == []

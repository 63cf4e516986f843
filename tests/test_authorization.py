"""Every web route and every API operation, tried by every role and by another workspace.

Routes are discovered from the URL resolver and the API routers, so a new page or
operation is covered without touching this file. Each route declares its access with
`workspace_view(roles=..., objects=...)` / `api_access(...)`; the test reads that
declaration and checks, for two copies of the demo business (A and B):

* anonymous          → redirect to the login page (web) / 401 (API);
* a role not allowed → 403;
* an allowed role of A on B's objects (every method) → 404 (405 when the method is wrong);
* an allowed role on its own objects → no server error;
* B's data is unchanged at the end;
* every refusal (403, and 404 for B's id or a missing id) left one audit row naming the
  person, their own workspace and the path they asked for (SPEC §7).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core import serializers
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from sourcewise.api.access import ApiAccess
from sourcewise.api.main import api
from sourcewise.audit.models import AuditEvent
from sourcewise.core.access import LOGIN, PUBLIC, ROLES, WORKSPACE, Access, access_of
from sourcewise.demo.builder import build_demo
from sourcewise.workspaces.models import Membership
from tests.conftest import token_for

OBJECTS_PER_ROUTE = 15  # how many of B's rows each route is tried with


@dataclass(frozen=True)
class Route:
    name: str
    path: str  # with {kwarg} placeholders
    methods: tuple[str, ...]
    access: Access | None
    is_api: bool

    def url(self, kwargs: dict[str, object]) -> str:
        return self.path.format(**kwargs)


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}:{entry.namespace}" if entry.namespace and namespace else entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry, namespace


def _template(route: str) -> str:
    import re

    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    return "/" + path.lstrip("^").rstrip("$")


def web_routes() -> list[Route]:
    routes = []
    for raw, pattern, namespace in _walk(get_resolver().url_patterns):
        if namespace == "api" or raw.startswith("api/v1/"):
            continue
        name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or raw)
        routes.append(Route(name, _template(raw), ("GET", "POST"), access_of(pattern.callback), False))
    return routes


def api_routes() -> list[Route]:
    routes = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                access = None
                for callback in operation.auth_callbacks or []:
                    if isinstance(callback, ApiAccess):
                        access = callback.access
                name = f"api:{operation.view_func.__name__}"
                full = "/api/v1" + (prefix.rstrip("/") if prefix else "") + path
                routes.append(Route(name, full, tuple(operation.methods), access, True))
    return routes


ALL_ROUTES = web_routes() + api_routes()
API_PUBLIC = {"/api/v1/openapi.json", "/api/v1/docs"}


def test_every_route_declares_its_access():
    undeclared = [r.name for r in ALL_ROUTES if r.access is None]
    assert undeclared == [], f"routes without an access declaration: {undeclared}"


def test_every_object_argument_is_declared():
    missing = []
    for route in ALL_ROUTES:
        if route.access and route.access.kind == WORKSPACE:
            import string

            names = {f for _, f, _, _ in string.Formatter().parse(route.path) if f}
            undeclared = names - set(route.access.objects)
            if undeclared:
                missing.append((route.name, sorted(undeclared)))
    assert missing == [], f"URL arguments that are not declared as scoped objects: {missing}"


@pytest.fixture(scope="module")
def demos(django_db_setup, django_db_blocker):
    """Two copies of the demo business, built once for the module and rolled back after."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            a = build_demo(domain="a.test")
            b = build_demo(domain="b.test")
            members = {
                (ws_key, role): Membership.objects.filter(workspace=ctx.workspace, role=role)
                .select_related("user", "workspace")
                .order_by("id")
                .first()
                for ws_key, ctx in (("a", a), ("b", b))
                for role in ROLES
            }
            tokens = {key: token_for(m) for key, m in members.items()}
            yield {"a": a.workspace, "b": b.workspace, "members": members, "tokens": tokens}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _workspace_digest(workspace) -> str:
    """A fingerprint of every row that belongs to the workspace (audit rows excepted)."""
    payload = []
    for model in apps.get_models():
        if model._meta.app_label == "audit":
            continue
        field_names = {f.name for f in model._meta.get_fields()}
        if "workspace" not in field_names:
            continue
        rows = model._default_manager.filter(workspace=workspace).order_by("pk")
        payload.append(serializers.serialize("json", rows))
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def _objects_of(model, workspace, limit):
    return list(model._default_manager.filter(workspace=workspace).order_by("pk")[:limit])


def _kwargs_sets(route: Route, workspace, limit: int) -> list[dict[str, object]]:
    objects = route.access.objects if route.access else {}
    if not objects:
        return [{}]
    candidates = {}
    for kwarg, model in objects.items():
        rows = _objects_of(model, workspace, limit)
        assert rows, f"{route.name}: the demo has no {model.__name__} to try (add one to the demo)"
        candidates[kwarg] = rows
    size = max(len(rows) for rows in candidates.values())
    return [{k: rows[i % len(rows)].pk for k, rows in candidates.items()} for i in range(size)]


def _call(client: Client, method: str, url: str, headers: dict[str, str] | None = None):
    headers = headers or {}
    if method == "GET":
        return client.get(url, headers=headers)
    return client.generic(method, url, data="{}", content_type="application/json", headers=headers)


def _web_client(member) -> Client:
    client = Client()
    client.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["workspace_id"] = member.workspace_id
    session.save()
    return client


def _denied_methods(route: Route) -> tuple[str, ...]:
    return route.methods if route.is_api else ("GET", "POST", "PUT", "DELETE")


def planned_attempts(route: Route, demos) -> int:
    """How many requests `test_route_denies_what_is_not_yours` makes for this route.

    The route test checks it made exactly this many, so the total below is a count of
    attempts really made — whatever order (or worker) the tests run in.
    """
    assert route.access is not None
    if route.access.kind == PUBLIC or route.path in API_PUBLIC:
        return 0
    count = len(route.methods)  # anonymous
    if route.access.kind == LOGIN:
        return count
    for _mine, theirs in (("a", "b"), ("b", "a")):
        for role in ROLES:
            if role not in route.access.roles:
                count += len(_denied_methods(route))
                continue
            if route.access.objects:
                count += len(_kwargs_sets(route, demos[theirs], OBJECTS_PER_ROUTE)) * len(_denied_methods(route))
            count += 1  # its own objects
    return count


def _denials() -> int:
    return AuditEvent.objects.filter(action="permission.denied").count()


def _assert_audited(response, before: int, member, url: str) -> None:
    """A 403 or 404 wrote exactly one audit row: who, from which workspace, what they asked."""
    if response.status_code not in (403, 404):
        return
    assert _denials() == before + 1, f"{member.role} {url} → {response.status_code} left no audit row"
    row = AuditEvent.objects.filter(action="permission.denied").order_by("-id").first()
    assert (row.actor_id, row.workspace_id, row.changes["path"]) == (
        member.user_id,
        member.workspace_id,
        url.split("?")[0],
    )


@pytest.mark.parametrize("route", ALL_ROUTES, ids=lambda r: f"{r.name}")
def test_route_denies_what_is_not_yours(route: Route, demos, db):
    if route.access is None:
        pytest.fail(f"{route.name} declares no access")
    ATTEMPTS["count"] = 0
    _check_route(route, demos)
    assert ATTEMPTS["count"] == planned_attempts(route, demos), "the route test skipped planned attempts"


ATTEMPTS = {"count": 0}  # requests made for the route under test


def _check_route(route: Route, demos) -> None:
    assert route.access is not None
    anonymous = Client()
    own_kwargs = _kwargs_sets(route, demos["a"], 1)[0] if route.access.kind == WORKSPACE else {}
    # Writes made by the allowed roles below stay inside this test (rolled back after it).

    if route.access.kind == PUBLIC or route.path in API_PUBLIC:
        if "{" not in route.path:
            response = anonymous.get(route.path)
            assert response.status_code < 500, f"{route.name} anonymous GET → {response.status_code}"
        return

    # Anonymous: sent to the login page, or 401 from the API.
    placeholder = dict.fromkeys(route.access.objects or {}, 1)
    for method in route.methods:
        try:
            url = route.url(own_kwargs or placeholder)
        except KeyError:
            url = route.path.format_map(_Default())
        response = _call(anonymous, method, url)
        ATTEMPTS["count"] += 1
        if route.is_api:
            assert response.status_code == 401, f"anonymous {method} {url} → {response.status_code}"
        else:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], (
                f"anonymous {method} {url} → {response.status_code}"
            )
    if route.access.kind == LOGIN:
        return

    # Both directions: A's people try B's rows, then B's people try A's rows.
    for mine, theirs in (("a", "b"), ("b", "a")):
        _try_as_every_role(route, demos, mine, theirs)


def _try_as_every_role(route: Route, demos, mine: str, theirs: str) -> None:
    own_kwargs = _kwargs_sets(route, demos[mine], 1)[0]
    before = _workspace_digest(demos[theirs])
    for role in ROLES:
        member = demos["members"][(mine, role)]
        headers = {"Authorization": f"Bearer {demos['tokens'][(mine, role)]}"} if route.is_api else None
        client = Client() if route.is_api else _web_client(member)
        allowed = role in route.access.roles

        if not allowed:
            for method in _denied_methods(route):
                url = route.url(own_kwargs)
                before_call = _denials()
                response = _call(client, method, url, headers)
                ATTEMPTS["count"] += 1
                assert response.status_code == 403, f"{role} {method} {url} → {response.status_code}, expected 403"
                _assert_audited(response, before_call, member, url)
            continue

        # Another workspace's objects: never found, whatever the method.
        if route.access.objects:
            methods = _denied_methods(route)
            missing = route.url(dict.fromkeys(route.access.objects, 10**9))
            nothing = {}  # method → what a missing id gets (the same request each time: asked once)
            for method in methods:
                before_call = _denials()
                missing_response = _call(client, method, missing, headers)
                _assert_audited(missing_response, before_call, member, missing)
                nothing[method] = missing_response.status_code
                assert nothing[method] in {404, 405, 422}, f"{role} {method} {missing} (missing id) → {nothing[method]}"
            for kwargs in _kwargs_sets(route, demos[theirs], OBJECTS_PER_ROUTE):
                for method in methods:
                    url = route.url(kwargs)
                    before_call = _denials()
                    response = _call(client, method, url, headers)
                    ATTEMPTS["count"] += 1
                    _assert_audited(response, before_call, member, url)
                    # B's row must look exactly like a row that does not exist: 404, or the
                    # same 405/422 a missing id gets when the method or body is wrong.
                    assert response.status_code == nothing[method], (
                        f"{role} {method} {url} (other workspace) → {response.status_code}; "
                        f"a missing id → {nothing[method]}"
                    )

        # Its own objects: no server error.
        response = _call(client, "GET", route.url(own_kwargs), headers)
        ATTEMPTS["count"] += 1
        assert response.status_code < 500 and response.status_code != 403, (
            f"{role} GET {route.url(own_kwargs)} → {response.status_code}"
        )

    assert _workspace_digest(demos[theirs]) == before, f"{route.name} changed the other workspace's data"


class _Default(dict):
    def __missing__(self, key):
        return "1"


def test_at_least_a_thousand_attempts_are_made(demos, db):
    """SPEC §7: ≥ 1 000 cross-workspace and cross-role attempts across the route tests.

    Each route test asserts it made exactly its planned attempts, so this holds in any order.
    """
    total = sum(planned_attempts(route, demos) for route in ALL_ROUTES)
    assert total >= 1000, f"only {total} attempts"

"""Fixtures every test can use: members of a workspace by role, logged-in clients, API tokens,
and the demo business built once per test module."""

from __future__ import annotations

import copy
import datetime
import os

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.utils import timezone

from sourcewise.api.services import create_token
from sourcewise.core.access import FREELANCER, MANAGER, OWNER
from sourcewise.demo.builder import build_demo
from tests.talent.factories import FreelancerFactory
from tests.workspaces.factories import MembershipFactory, WorkspaceFactory

# -- "today" for the whole run -----------------------------------------------------------------
# `SOURCEWISE_TEST_NOW=2028-02-29T12:00:00Z pytest ...` runs the suite as if it were that moment.
# CI runs the date-sensitive tests at month ends, a DST change, 29 February and New Year's Eve
# this way; any test that needs one exact day freezes it. Every test starts at that moment (the
# clock ticks from there during the test): with one clock ticking through the whole run, the
# tests that ran in its first minute saw 31 December and the others 1 January, depending on
# their order, the worker and the machine's load.
_traveller: time_machine.travel | None = None
_moment: datetime.datetime | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _traveller, _moment
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_OneWorkerPerDemo(), "sourcewise-one-worker-per-demo")
    config.addinivalue_line("markers", "slow: takes ten seconds or more; runs in CI like every other test")
    config.addinivalue_line(
        "markers",
        "own_clock: runs entirely at moments it chooses itself (time_machine, tick=False), so `make test-dates` "
        "leaves it out: SOURCEWISE_TEST_NOW cannot change what it sees",
    )
    moment = os.environ.get("SOURCEWISE_TEST_NOW", "").strip()
    if moment:
        when = datetime.datetime.fromisoformat(moment.replace("Z", "+00:00"))
        if when.tzinfo is None:
            raise pytest.UsageError("SOURCEWISE_TEST_NOW needs a time zone, e.g. 2026-03-29T00:30:00Z")
        _moment = when
        _traveller = time_machine.travel(when, tick=True)  # for collection and session fixtures
        _traveller.start()


@pytest.fixture(autouse=True)
def _starts_at_the_test_moment():
    if _moment is None:
        yield
        return
    with time_machine.travel(_moment, tick=True):
        yield


def pytest_unconfigure(config: pytest.Config) -> None:
    if _traveller is not None:
        _traveller.stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    moment = os.environ.get("SOURCEWISE_TEST_NOW", "").strip()
    return f"running as if it were {moment} (SOURCEWISE_TEST_NOW)" if moment else None


@pytest.fixture
def workspace(db):
    return WorkspaceFactory()


@pytest.fixture
def owner(workspace):
    return MembershipFactory(workspace=workspace, role=OWNER)


@pytest.fixture
def manager(workspace):
    return MembershipFactory(workspace=workspace, role=MANAGER)


@pytest.fixture
def freelancer_member(workspace):
    membership = MembershipFactory(workspace=workspace, role=FREELANCER)
    FreelancerFactory(workspace=workspace, user=membership.user, email=membership.user.email)
    return membership


def client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def owner_client(owner):
    return client_for(owner)


@pytest.fixture
def manager_client(manager):
    return client_for(manager)


@pytest.fixture
def freelancer_client(freelancer_member):
    return client_for(freelancer_member)


def token_for(membership) -> str:
    _, raw = create_token(user=membership.user, workspace=membership.workspace, name="tests")
    return raw


def api_headers(membership) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(membership)}"}


@pytest.fixture
def owner_api(owner):
    return api_headers(owner)


# -- the demo business, built once per test module ----------------------------------------------
# Building the demo takes seconds; most tests that read it change little and roll back. A module
# that sets `SHARED_DEMO = {...}` (build_demo's keyword arguments) and asks for `shared_demo` gets
# one build for all its tests: the build stays inside a transaction that is rolled back after the
# module, and each test runs in a savepoint inside it (rolled back after the test, as usual), with
# its own copy of the context objects and the clock set back to the moment of the build — so a
# test sees exactly what it would see had the demo been built just before it. Not for
# transactional tests (`django_db(transaction=True)`, `live_server`): they build their own.


class _OneWorkerPerDemo:
    """With `--dist loadgroup` (make test), the tests of one module-scoped demo go to one worker,
    which builds it once; every other test is handed out one by one as usual."""

    @pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        for item in items:
            names = getattr(item, "fixturenames", ())
            if "shared_demo" in names or "demos" in names:
                item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))


@pytest.hookimpl(trylast=True)  # after pytest-django has put the transactional tests last
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In a module sharing the demo, the tests without it run first: the shared demo stays in the
    database until the module ends, and they must not see it (e.g. `sourcewise demo` on an empty
    database). Only runs of one module's consecutive tests are reordered, so the order stays
    deterministic and every worker of pytest-xdist collects the same list."""
    start = 0
    while start < len(items):
        end = start
        while end < len(items) and getattr(items[end], "module", None) is getattr(items[start], "module", None):
            end += 1
        if hasattr(getattr(items[start], "module", None), "SHARED_DEMO"):
            run = items[start:end]
            items[start:end] = [i for i in run if "shared_demo" not in getattr(i, "fixturenames", ())] + [
                i for i in run if "shared_demo" in getattr(i, "fixturenames", ())
            ]
        start = end


@pytest.fixture(scope="module")
def _module_demo(request, django_db_setup, django_db_blocker):
    options = getattr(request.module, "SHARED_DEMO", {})
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            if _moment is None:
                demo, built_at = build_demo(**options), timezone.now()
            else:
                with time_machine.travel(_moment, tick=True):  # as the module's tests will start
                    demo, built_at = build_demo(**options), timezone.now()
            yield demo, built_at
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def shared_demo(_module_demo, db):
    demo, built_at = _module_demo
    with time_machine.travel(built_at, tick=True):
        yield copy.deepcopy(demo)

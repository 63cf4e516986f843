"""Fixtures every test can use: members of a workspace by role, logged-in clients, API tokens."""

from __future__ import annotations

import datetime
import os

import pytest
import time_machine
from django.test import Client

from sourcewise.api.services import create_token
from sourcewise.core.access import FREELANCER, MANAGER, OWNER
from tests.talent.factories import FreelancerFactory
from tests.workspaces.factories import MembershipFactory, WorkspaceFactory

# -- "today" for the whole run -----------------------------------------------------------------
# `SOURCEWISE_TEST_NOW=2028-02-29T12:00:00Z pytest ...` runs the suite as if it were that moment
# (the clock keeps ticking from there). CI runs the date-sensitive tests at month ends, a DST
# change, 29 February and New Year's Eve this way; any test that needs one exact day freezes it.
_traveller: time_machine.travel | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _traveller
    moment = os.environ.get("SOURCEWISE_TEST_NOW", "").strip()
    if moment:
        when = datetime.datetime.fromisoformat(moment.replace("Z", "+00:00"))
        if when.tzinfo is None:
            raise pytest.UsageError("SOURCEWISE_TEST_NOW needs a time zone, e.g. 2026-03-29T00:30:00Z")
        _traveller = time_machine.travel(when, tick=True)
        _traveller.start()


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

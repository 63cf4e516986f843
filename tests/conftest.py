"""Fixtures every test can use: members of a workspace by role, logged-in clients, API tokens."""

from __future__ import annotations

import pytest
from django.test import Client

from sourcewise.api.services import create_token
from sourcewise.core.access import FREELANCER, MANAGER, OWNER
from tests.factories import FreelancerFactory, MembershipFactory, WorkspaceFactory


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

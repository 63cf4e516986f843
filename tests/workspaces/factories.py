"""factory-boy factories of the workspaces app."""

from __future__ import annotations

import datetime

import factory

from sourcewise.core.access import OWNER
from sourcewise.workspaces.models import Membership, Workspace
from tests.accounts.factories import UserFactory


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Business {n}")
    home_country = "GB"
    base_currency = "GBP"
    timezone = "Europe/London"
    business_start = datetime.time(9, 0)
    business_end = datetime.time(17, 0)
    stage = Workspace.Stage.STARTUP


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    workspace = factory.SubFactory(WorkspaceFactory)
    role = OWNER

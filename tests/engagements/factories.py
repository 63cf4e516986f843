"""factory-boy factories of the engagements app."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from sourcewise.core.access import MANAGER
from sourcewise.engagements.models import CheckpointReview, Engagement, Milestone, TimeEntry
from tests.talent.factories import FreelancerFactory
from tests.tasks.factories import ReadyTaskFactory
from tests.workspaces.factories import MembershipFactory, WorkspaceFactory

START = datetime.date(2026, 3, 2)


class EngagementFactory(factory.django.DjangoModelFactory):
    """A draft trial within the default limits (20 h, 14 days), managed by a manager, on an
    outsourceable task, with an approved freelancer — every activation requirement met."""

    class Meta:
        model = Engagement

    workspace = factory.SubFactory(WorkspaceFactory)
    freelancer = factory.SubFactory(
        FreelancerFactory, workspace=factory.SelfAttribute("..workspace"), status="approved"
    )
    task = factory.SubFactory(ReadyTaskFactory, workspace=factory.SelfAttribute("..workspace"))
    manager = factory.SubFactory(MembershipFactory, workspace=factory.SelfAttribute("..workspace"), role=MANAGER)
    kind = Engagement.Kind.TRIAL
    state = Engagement.State.DRAFT
    billing = Engagement.Billing.HOURLY
    rate = Decimal("25.00")
    currency = "USD"
    budget_cap = Decimal("20")
    start_date = START
    end_date = START + datetime.timedelta(days=13)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    engagement = factory.SubFactory(EngagementFactory, state=Engagement.State.ACTIVE)
    workspace = factory.SelfAttribute("engagement.workspace")
    title = factory.Sequence(lambda n: f"Milestone {n}")
    acceptance_criteria = "Done when the client signs off."
    due_date = START + datetime.timedelta(days=7)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckpointReview

    engagement = factory.SubFactory(EngagementFactory, state=Engagement.State.ACTIVE)
    workspace = factory.SelfAttribute("engagement.workspace")
    date = START
    quality = 4
    timeliness = 4
    communication = 4


class TimeEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeEntry

    engagement = factory.SubFactory(EngagementFactory, state=Engagement.State.ACTIVE)
    workspace = factory.SelfAttribute("engagement.workspace")
    date = START
    hours = Decimal("2")

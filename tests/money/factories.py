"""factory-boy factories of the money app."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from sourcewise.money.models import ExchangeRate, RateBenchmark
from tests.talent.factories import SkillFactory
from tests.workspaces.factories import WorkspaceFactory


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    workspace = factory.SubFactory(WorkspaceFactory)
    base_currency = factory.SelfAttribute("workspace.base_currency")
    currency = "EUR"
    rate = Decimal("0.85")
    valid_from = datetime.date(2026, 1, 1)
    source = "Bank"


class RateBenchmarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RateBenchmark

    workspace = factory.SubFactory(WorkspaceFactory)
    skill = factory.SubFactory(SkillFactory, workspace=factory.SelfAttribute("..workspace"))
    country = "PH"
    hourly_rate = Decimal("20.00")
    currency = "GBP"
    as_of = datetime.date(2026, 1, 1)
    source = "Survey 2026"

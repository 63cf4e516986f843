"""Shared set-up of the cost tests: a workspace with an engagement, rates and the services' entry point."""

from __future__ import annotations

import datetime
from decimal import Decimal

from sourcewise.core.access import MANAGER
from sourcewise.costs import ledger, manual_entries
from sourcewise.costs.models import CostEntry, CostMonth
from sourcewise.engagements.models import Engagement
from tests.engagements.factories import EngagementFactory
from tests.money.factories import ExchangeRateFactory
from tests.workspaces.factories import MembershipFactory

D = Decimal


def active_engagement(workspace, **kwargs) -> Engagement:
    defaults = {
        "workspace": workspace,
        "state": Engagement.State.ACTIVE,
        "kind": Engagement.Kind.FULL,
        "currency": "GBP",
        "rate": D("20.00"),
        "budget_cap": None,
        "end_date": None,
        "start_date": datetime.date(2026, 1, 1),
    }
    defaults.update(kwargs)
    engagement = EngagementFactory(**defaults)
    return engagement


def usd_rate(workspace, rate="0.80", valid_from=datetime.date(2025, 1, 1)):
    return ExchangeRateFactory(workspace=workspace, currency="USD", rate=D(rate), valid_from=valid_from)


def cost(workspace, *, actor=None, **fields) -> CostEntry:
    fields.setdefault("category", "tools")
    fields.setdefault("date", datetime.date(2026, 3, 10))
    fields.setdefault("currency", "GBP")
    if "amount" in fields:
        fields["amount"] = D(str(fields["amount"]))
    return manual_entries.create_entry(workspace=workspace, actor=actor, **fields)


def summary(workspace) -> dict[str, tuple[Decimal, int]]:
    return {row.bucket: (row.total, row.entries) for row in CostMonth.objects.filter(workspace=workspace)}


def assert_summary_matches_entries(workspace) -> None:
    """The summary the writes maintained equals the one recomputed from the entries."""
    kept = summary(workspace)
    ledger.rebuild(workspace)
    assert kept == summary(workspace)


def manager_with_cost(workspace, cost="40.00", currency="GBP"):
    member = MembershipFactory(workspace=workspace, role=MANAGER)
    member.internal_hourly_cost = D(cost)
    member.internal_cost_currency = currency
    member.save()
    return member

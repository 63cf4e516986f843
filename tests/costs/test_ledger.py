"""Writing the ledger: entries by hand, management time, and the summary kept in the same transaction."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from sourcewise.audit.models import AuditEvent
from sourcewise.costs import ledger, manual_entries
from sourcewise.costs.models import CostEntry, CostMonth
from tests.costs.helpers import active_engagement, assert_summary_matches_entries, cost, manager_with_cost, summary


def test_create_update_delete_keep_the_summary_equal_to_the_entries(workspace, owner):
    e = active_engagement(workspace)
    a = cost(workspace, actor=owner.user, amount="10.50", engagement=e)
    b = cost(workspace, actor=owner.user, amount="4.25", engagement=e, date=datetime.date(2026, 3, 31))
    cost(workspace, actor=owner.user, amount="99.99", category="licences", currency="USD")
    assert summary(workspace)[f"2026-03|tools|{e.pk}|{e.task_id}|GBP"] == (D("14.75"), 2)
    assert_summary_matches_entries(workspace)

    manual_entries.update_entry(entry=a, actor=owner.user, date=datetime.date(2026, 4, 1), amount=D("11.00"))
    assert summary(workspace)[f"2026-03|tools|{e.pk}|{e.task_id}|GBP"] == (D("4.25"), 1)
    assert summary(workspace)[f"2026-04|tools|{e.pk}|{e.task_id}|GBP"] == (D("11.00"), 1)
    assert_summary_matches_entries(workspace)

    manual_entries.delete_entry(entry=b, actor=owner.user)
    assert f"2026-03|tools|{e.pk}|{e.task_id}|GBP" not in summary(workspace)  # emptied rows go
    assert_summary_matches_entries(workspace)
    actions = list(AuditEvent.objects.filter(workspace=workspace).values_list("action", flat=True))
    assert actions.count("costentry.create") == 3 and "costentry.update" in actions and "costentry.delete" in actions


def test_task_comes_from_the_engagement(workspace):
    e = active_engagement(workspace)
    entry = cost(workspace, amount="5", engagement=e)
    assert entry.task_id == e.task_id


def test_management_time_is_hours_times_internal_cost(workspace, owner):
    sam = manager_with_cost(workspace, "42.50", "GBP")
    entry = cost(workspace, category="management", manager=sam, hours=D("2.25"), currency="")
    assert (entry.amount, entry.currency) == (D("95.63"), "GBP")  # 95.625 rounded half up
    no_cost = manager_with_cost(workspace)
    no_cost.internal_hourly_cost = None
    no_cost.save()
    with pytest.raises(ValidationError, match="internal hourly cost"):
        cost(workspace, category="management", manager=no_cost, hours=D("1"))
    with pytest.raises(ValidationError, match="Only management time"):
        cost(workspace, category="tools", manager=sam, hours=D("1"), amount="3")


def test_fees_of_an_engagement_are_not_typed_in(workspace):
    e = active_engagement(workspace)
    with pytest.raises(ValidationError, match="posted by Sourcewise"):
        cost(workspace, category="fees", amount="100", engagement=e)
    assert not CostEntry.objects.exists() and not CostMonth.objects.exists()
    cost(workspace, category="fees", amount="100")  # a fee outside any engagement is fine


def test_a_refused_write_changes_neither_ledger_nor_summary(workspace):
    cost(workspace, amount="5")
    before = summary(workspace)
    with pytest.raises(ValidationError):
        cost(workspace, amount="0")
    with pytest.raises(ValidationError):
        cost(workspace, amount="5", currency="XXX1")
    assert summary(workspace) == before and CostEntry.objects.count() == 1


def test_generated_entries_cannot_be_edited_or_deleted(workspace):
    e = active_engagement(workspace)
    entry = CostEntry.objects.create(
        workspace=workspace, engagement=e, task=e.task, category="fees", date=datetime.date(2026, 3, 1),
        amount=D("10"), currency="GBP", source="fees:hours:1:2026-03",
    )  # fmt: skip
    with pytest.raises(ValidationError, match="posted from"):
        manual_entries.update_entry(entry=entry, actor=None, amount=D("1"))
    with pytest.raises(ValidationError, match="posted from"):
        manual_entries.delete_entry(entry=entry, actor=None)


@pytest.mark.django_db(transaction=True)
def test_summary_changes_only_inside_a_transaction():
    from tests.workspaces.factories import WorkspaceFactory

    workspace = WorkspaceFactory()
    with pytest.raises(RuntimeError):
        ledger.apply(workspace, ledger.Deltas())


def test_internal_cost_is_set_and_audited(workspace, owner):
    sam = manager_with_cost(workspace)
    manual_entries.set_internal_cost(membership=sam, actor=owner.user, hourly_cost=D("55.00"), currency="eur")
    sam.refresh_from_db()
    assert (sam.internal_hourly_cost, sam.internal_cost_currency) == (D("55.00"), "EUR")
    with pytest.raises(ValidationError):
        manual_entries.set_internal_cost(membership=sam, actor=owner.user, hourly_cost=D("-1"), currency="EUR")
    assert AuditEvent.objects.filter(action="membership.internal_cost").count() == 1

"""Cost entries typed in by hand (create, change, delete) and the internal hourly cost that prices management time.

Each write runs in one transaction that also updates the monthly summary (`ledger.apply`) and
leaves an audit row. Fees of an engagement are never typed in: costs/fee_posting.py posts them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from sourcewise.audit.services import record
from sourcewise.core.access import INTERNAL
from sourcewise.costs import ledger
from sourcewise.costs.models import (
    MAX_AMOUNT,
    Category,
    CostEntry,
    cents,
)
from sourcewise.engagements.models import Engagement
from sourcewise.tasks.models import Task
from sourcewise.workspaces.models import Membership, Workspace

if TYPE_CHECKING:
    from sourcewise.accounts.models import User


ENTRY_FIELDS = ("category", "date", "amount", "currency", "description", "engagement", "task", "manager", "hours")
FEES_BY_HAND = (
    "Fees of an engagement are posted by Sourcewise the moment hours are approved, milestones "
    "accepted or invoices sent; record the other costs of the engagement here."
)
GENERATED = "This fee was posted from hours, milestones or an invoice: change those and it follows."


def management_amount(manager: Membership, hours: Decimal) -> tuple[Decimal, str]:
    """Manager hours × their internal hourly cost, to the cent, in their cost currency."""
    if manager.role not in INTERNAL:
        raise ValidationError({"manager": "Management time is the time of an owner or a manager."})
    if manager.internal_hourly_cost is None or not manager.internal_cost_currency:
        raise ValidationError({"manager": f"Set the internal hourly cost of {manager.user} on the Team page first."})
    return cents(hours * manager.internal_hourly_cost), manager.internal_cost_currency


def _prepare(entry: CostEntry) -> None:
    """Derive what follows from the other fields, and refuse what would count twice."""
    if entry.engagement is not None:
        entry.task_id = entry.engagement.task_id
    if entry.category == Category.MANAGEMENT and (entry.manager_id or entry.hours is not None):
        if entry.manager_id is None or entry.hours is None:
            raise ValidationError({"hours": "Give both the manager and the hours (or neither, and an amount)."})
        entry.amount, entry.currency = management_amount(entry.manager, entry.hours)  # type: ignore[arg-type]
    elif entry.category != Category.MANAGEMENT and (entry.manager_id or entry.hours is not None):
        raise ValidationError({"manager": "Only management time has a manager and hours."})
    if entry.category == Category.FEES and entry.engagement_id and not entry.is_generated:
        raise ValidationError({"category": FEES_BY_HAND})
    if entry.amount is None:
        raise ValidationError({"amount": "Enter the amount."})
    if entry.amount > MAX_AMOUNT:
        raise ValidationError({"amount": "The amount is too large."})


@transaction.atomic
def create_entry(
    *,
    workspace: Workspace,
    actor: User | None,
    category: str,
    date: datetime.date,
    amount: Decimal | None = None,
    currency: str = "",
    description: str = "",
    engagement: Engagement | None = None,
    task: Task | None = None,
    manager: Membership | None = None,
    hours: Decimal | None = None,
) -> CostEntry:
    entry = CostEntry(
        workspace=workspace,
        category=category,
        date=date,
        amount=amount,  # type: ignore[misc]  # None until _prepare prices management time
        currency=(currency or "").strip().upper(),
        description=description or "",
        engagement=engagement,
        task=task,
        manager=manager,
        hours=hours,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _prepare(entry)
    entry.full_clean()
    entry.save()
    deltas = ledger.Deltas()
    deltas.add(entry)
    ledger.apply(workspace, deltas)
    record(
        actor=actor,
        workspace=workspace,
        action="costentry.create",
        target=entry,
        changes={"amount": str(entry.amount), "currency": entry.currency, "category": entry.category},
    )
    return entry


@transaction.atomic
def update_entry(*, entry: CostEntry, actor: User | None, **fields: Any) -> CostEntry:
    unknown = set(fields) - set(ENTRY_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields {sorted(unknown)}.")
    current = CostEntry.objects.select_for_update().get(pk=entry.pk)
    if fields.get("currency"):
        fields["currency"] = str(fields["currency"]).strip().upper()
    if all(getattr(current, name) == value for name, value in fields.items()):
        return current  # what was read is sent back: nothing to change (a posted fee included)
    if current.is_generated:
        raise ValidationError(GENERATED)
    before = CostEntry(**{f.attname: getattr(current, f.attname) for f in CostEntry._meta.concrete_fields})
    for name, value in fields.items():
        setattr(current, name, value)
    if "engagement" in fields and fields["engagement"] is None and "task" not in fields:
        pass  # the task stays as it was
    _prepare(current)
    current.full_clean()
    current.save()
    deltas = ledger.Deltas()
    deltas.remove(before)
    deltas.add(current)
    ledger.apply(current.workspace, deltas)
    changes = {
        name: [str(getattr(before, name)), str(getattr(current, name))]
        for name in ("category", "date", "amount", "currency", "description", "engagement_id", "task_id")
        if getattr(before, name) != getattr(current, name)
    }
    record(actor=actor, workspace=current.workspace, action="costentry.update", target=current, changes=changes)
    entry.__dict__.update(current.__dict__)
    return current


@transaction.atomic
def delete_entry(*, entry: CostEntry, actor: User | None) -> None:
    current = CostEntry.objects.select_for_update().filter(pk=entry.pk).first()
    if current is None:
        return
    if current.is_generated:
        raise ValidationError(GENERATED)
    record(
        actor=actor,
        workspace=current.workspace,
        action="costentry.delete",
        target=current,
        changes={"amount": str(current.amount), "currency": current.currency, "date": str(current.date)},
    )
    deltas = ledger.Deltas()
    deltas.remove(current)
    current.delete()
    ledger.apply(entry.workspace, deltas)


@transaction.atomic
def set_internal_cost(
    *, membership: Membership, actor: User | None, hourly_cost: Decimal | None, currency: str = ""
) -> Membership:
    """The internal hourly cost of an owner or manager (prices their management time)."""
    if membership.role not in INTERNAL and hourly_cost is not None:
        raise ValidationError({"hourly_cost": "Only owners and managers have an internal hourly cost."})
    before = (membership.internal_hourly_cost, membership.internal_cost_currency)
    membership.internal_hourly_cost = hourly_cost
    membership.internal_cost_currency = (currency or "").strip().upper() if hourly_cost is not None else ""
    membership.full_clean()
    membership.save(update_fields=["internal_hourly_cost", "internal_cost_currency"])
    record(
        actor=actor,
        workspace=membership.workspace,
        action="membership.internal_cost",
        target=membership,
        changes={"internal_hourly_cost": [f"{before[0]} {before[1]}".strip(), f"{hourly_cost} {currency}".strip()]},
    )
    return membership

"""Fees posted from the work into the cost ledger (idempotent, keyed by their source).

Every write runs in one transaction that also updates the monthly summary (`ledger.apply`)
and leaves an audit row.

The fee rule (one source of fees per engagement and month, so nothing counts twice):

* a month of an engagement with a **sent or paid invoice** takes its fee from the invoice
  (the amount actually paid once paid, the invoice total before), dated the last day of
  the invoiced month;
* any other month takes it from the work: **approved hours × rate** (hourly engagements,
  dated the last approved day of the month) or the **accepted milestones** (fixed price:
  each milestone earns an equal share of the price, dated the day it was accepted);
* fees of an engagement are never typed in by hand: approving hours or accepting a milestone
  posts them in the same transaction (`post_engagement_fees`, on the fees_changed event: costs/receivers.py);
  `post_fees` (button "Repair: post missing fees", the daily job) creates, corrects and
  removes them by their source key for a whole workspace, so running it twice changes nothing.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from sourcewise.audit.services import record
from sourcewise.costs import ledger
from sourcewise.costs.models import (
    CENT,
    Category,
    CostEntry,
    Invoice,
    cents,
    month_start,
)
from sourcewise.engagements.models import Engagement, Milestone, TimeEntry
from sourcewise.workspaces.models import Workspace

if TYPE_CHECKING:
    from sourcewise.accounts.models import User


@dataclass(frozen=True)
class PostResult:
    added: int
    updated: int
    removed: int
    unchanged: int

    def describe(self) -> str:
        return (
            f"Fees posted: {self.added} added, {self.updated} corrected, {self.removed} removed, "
            f"{self.unchanged} already right."
        )


@dataclass(frozen=True)
class Fee:
    engagement: Engagement
    date: datetime.date
    amount: Decimal
    currency: str
    description: str


def milestone_shares(price: Decimal, milestones: list[Milestone]) -> dict[int, Decimal]:
    """Each milestone's equal share of a fixed price, to the cent, summing exactly to the price.

    Milestones in due-date order; the i-th of n earns round(price·i/n) − round(price·(i−1)/n).
    """
    ordered = sorted(milestones, key=lambda m: (m.due_date, m.pk))
    n = len(ordered)
    shares: dict[int, Decimal] = {}
    for i, milestone in enumerate(ordered, start=1):
        shares[milestone.pk] = cents(price * i / n) - cents(price * (i - 1) / n)
    return shares


def accepted_on(milestone: Milestone, zone: datetime.tzinfo) -> datetime.date:
    moment = milestone.reviewed_at or milestone.updated_at
    return timezone.localtime(moment, zone).date()


def desired_fees(workspace: Workspace, engagement_ids: Iterable[int] | None = None) -> dict[str, Fee]:
    """Every fee the rule says the ledger should hold, by source key (4 queries)."""
    engagements = Engagement.objects.in_workspace(workspace)
    if engagement_ids is not None:
        engagements = engagements.filter(pk__in=list(engagement_ids))
    by_pk = {e.pk: e for e in engagements.select_related("task")}
    zone = workspace.zone
    fees: dict[str, Fee] = {}
    invoiced: set[tuple[int, datetime.date]] = set()
    invoices = Invoice.objects.filter(
        workspace=workspace, engagement_id__in=list(by_pk), state__in=[Invoice.State.SENT, Invoice.State.PAID]
    )
    for invoice in invoices:
        invoiced.add((invoice.engagement_id, invoice.month))
        if invoice.fee_amount > 0:
            state = "paid" if invoice.state == Invoice.State.PAID else "sent, not paid yet"
            fees[f"fees:invoice:{invoice.pk}"] = Fee(
                by_pk[invoice.engagement_id],
                invoice.period_end,
                invoice.fee_amount,
                invoice.currency,
                f"Invoice {invoice.number} ({state})",
            )
    hours = (
        TimeEntry.objects.filter(workspace=workspace, engagement_id__in=list(by_pk), status=TimeEntry.Status.APPROVED)
        .annotate(m=TruncMonth("date"))
        .values("engagement_id", "m")
        .annotate(total=Sum("hours"), last=Max("date"))
        .order_by()
    )
    for row in hours:
        engagement = by_pk[row["engagement_id"]]
        month = row["m"].date() if isinstance(row["m"], datetime.datetime) else row["m"]
        if not engagement.is_hourly or (engagement.pk, month) in invoiced:
            continue
        total_hours = Decimal(row["total"]).quantize(CENT)
        amount = cents(total_hours * engagement.rate)
        if amount > 0:
            fees[f"fees:hours:{engagement.pk}:{month:%Y-%m}"] = Fee(
                engagement,
                row["last"],
                amount,
                engagement.currency,
                f"{total_hours} approved hours × {engagement.rate} {engagement.currency} ({month:%B %Y})",
            )
    fixed = [e for e in by_pk.values() if not e.is_hourly and e.budget_cap]
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for m in Milestone.objects.filter(engagement_id__in=[e.pk for e in fixed]):
        milestones[m.engagement_id].append(m)
    for engagement in fixed:
        shares = milestone_shares(engagement.budget_cap, milestones[engagement.pk])
        for m in milestones[engagement.pk]:
            if m.status != Milestone.Status.ACCEPTED:
                continue
            accepted = accepted_on(m, zone)
            if (engagement.pk, month_start(accepted)) in invoiced or shares[m.pk] <= 0:
                continue
            fees[f"fees:milestone:{m.pk}"] = Fee(
                engagement,
                accepted,
                shares[m.pk],
                engagement.currency,
                f"Milestone accepted: {m.title} (1/{len(shares)} of {engagement.budget_cap} {engagement.currency})",
            )
    return fees


def post_fees(*, workspace: Workspace, actor: User | None, engagement: Engagement | None = None) -> PostResult:
    """Make the ledger's fees equal to what the fee rule says; idempotent (cron-safe).

    Approving hours and accepting milestones post their fees at once (`post_engagement_fees`);
    this whole-workspace pass stays as the repair (and cron) for anything that slipped past,
    e.g. rows changed by hand in the database or written before fees were posted at once."""
    with transaction.atomic():
        return reconcile_fees(workspace, actor, [engagement.pk] if engagement else None)


def post_engagement_fees(workspace: Workspace, engagement_ids: list[int], actor: User | None) -> PostResult:
    """The fees of these engagements, posted inside the caller's transaction (the work's change).

    Called on `engagements.fees.fees_changed` (see costs/receivers.py): approving hours or accepting a
    milestone calls it, so the fee and the monthly summary change with the work or not at all.
    Idempotent: posting twice never duplicates (fees are keyed by their source)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Fees are posted in the transaction of the work that earned them.")
    ids = sorted(engagement_ids)
    # Two changes to one engagement's work post its fees one after the other (approvals hold
    # this lock already; an accepted milestone takes it here), never both from a stale read.
    list(Engagement.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    return reconcile_fees(workspace, actor, ids)


def reconcile_fees(workspace: Workspace, actor: User | None, engagement_ids: list[int] | None) -> PostResult:
    """Create, correct and remove the fees of these engagements (None: all) to match `desired_fees`.

    Runs in the caller's transaction (sending or paying an invoice, or the two entry points above)."""
    existing_qs = CostEntry.objects.in_workspace(workspace).filter(source__startswith="fees:")
    if engagement_ids is not None:
        existing_qs = existing_qs.filter(engagement_id__in=engagement_ids)
    existing = {e.source: e for e in existing_qs.select_for_update()}
    wanted = desired_fees(workspace, engagement_ids)
    deltas = ledger.Deltas()
    new: list[CostEntry] = []
    changed: list[CostEntry] = []
    unchanged = 0
    now = timezone.now()
    for key, fee in wanted.items():
        current = existing.pop(key, None)
        values = {
            "engagement_id": fee.engagement.pk,
            "task_id": fee.engagement.task_id,
            "date": fee.date,
            "amount": fee.amount,
            "currency": fee.currency,
            "description": fee.description[:300],
        }
        if current is None:
            entry = CostEntry(
                workspace=workspace, category=Category.FEES, source=key, created_at=now, updated_at=now, **values
            )
            new.append(entry)
            deltas.add(entry)
        elif any(getattr(current, k) != v for k, v in values.items()) or current.category != Category.FEES:
            deltas.remove(
                CostEntry(**{f.attname: getattr(current, f.attname) for f in CostEntry._meta.concrete_fields})
            )
            for k, v in values.items():
                setattr(current, k, v)
            current.category = Category.FEES
            current.updated_at = now
            changed.append(current)
            deltas.add(current)
        else:
            unchanged += 1
    stale = list(existing.values())
    for entry in stale:
        deltas.remove(entry)
    CostEntry.objects.bulk_create(new, batch_size=1000)
    if changed:
        CostEntry.objects.bulk_update(
            changed, ["engagement_id", "task_id", "date", "amount", "currency", "description", "category", "updated_at"]
        )
    if stale:
        CostEntry.objects.filter(pk__in=[e.pk for e in stale]).delete()
    ledger.apply(workspace, deltas)
    result = PostResult(added=len(new), updated=len(changed), removed=len(stale), unchanged=unchanged)
    if result.added or result.updated or result.removed:
        record(
            actor=actor,
            workspace=workspace,
            action="costentry.post_fees",
            changes={"added": result.added, "updated": result.updated, "removed": result.removed},
        )
    return result

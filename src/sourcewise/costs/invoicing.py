"""Invoices of an engagement for a month: create, send, mark paid, delete.

Sending or paying an invoice reposts the engagement's fees (costs/fee_posting.py: an invoiced
month takes its fee from the invoice) in the same transaction.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum

from sourcewise.audit.services import record
from sourcewise.costs import fee_posting
from sourcewise.costs.models import (
    CENT,
    MAX_AMOUNT,
    Invoice,
    InvoiceLine,
    cents,
    month_end,
    month_start,
)
from sourcewise.engagements.models import Engagement, Milestone, TimeEntry
from sourcewise.workspaces.models import Workspace

if TYPE_CHECKING:
    from sourcewise.accounts.models import User


def invoice_lines_for(engagement: Engagement, month: datetime.date) -> list[InvoiceLine]:
    """What the freelancer did in the month: approved hours, or accepted milestones (fixed price)."""
    month = month_start(month)
    lines: list[InvoiceLine] = []
    if engagement.is_hourly:
        total = TimeEntry.objects.filter(
            engagement=engagement,
            status=TimeEntry.Status.APPROVED,
            date__gte=month,
            date__lte=month_end(month),
        ).aggregate(total=Sum("hours"))["total"]
        hours = Decimal(total or 0).quantize(CENT)
        if hours > 0:
            lines.append(
                InvoiceLine(
                    description=f"Approved hours, {month:%B %Y}",
                    quantity=hours,
                    unit_price=engagement.rate,
                    amount=cents(hours * engagement.rate),
                )
            )
    elif engagement.budget_cap:
        milestones = list(Milestone.objects.filter(engagement=engagement))
        shares = fee_posting.milestone_shares(engagement.budget_cap, milestones)
        zone = engagement.workspace.zone
        for m in sorted(milestones, key=lambda m: (m.due_date, m.pk)):
            if m.status == Milestone.Status.ACCEPTED and month_start(fee_posting.accepted_on(m, zone)) == month:
                lines.append(InvoiceLine(description=f"Milestone: {m.title}", amount=shares[m.pk]))
    return lines


@transaction.atomic
def create_invoice(
    *,
    workspace: Workspace,
    actor: User | None,
    engagement: Engagement,
    month: datetime.date,
    extra_description: str = "",
    extra_amount: Decimal | None = None,
) -> Invoice:
    if engagement.workspace_id != workspace.pk:
        raise ValidationError({"engagement": "Unknown engagement in this workspace."})
    if engagement.state in (Engagement.State.DRAFT, Engagement.State.CANCELLED):
        raise ValidationError({"engagement": "Only engagements that have started can be invoiced."})
    month = month_start(month)
    lines = invoice_lines_for(engagement, month)
    if extra_amount is not None:
        if extra_amount <= 0 or extra_amount > MAX_AMOUNT:
            raise ValidationError({"extra_amount": "The extra line needs an amount above zero."})
        lines.append(InvoiceLine(description=(extra_description or "Other").strip()[:300], amount=extra_amount))
    if not lines:
        raise ValidationError(
            f"Nothing to invoice for {month:%B %Y}: no approved hours or accepted milestones in that month. "
            "Add an extra line with the agreed amount."
        )
    # One invoice is created at a time per workspace (its row is locked until the commit): the
    # numbers count 1, 2, 3, … without a gap or a twin, and a second "create" for the same
    # engagement and month waits, then sees the first and is refused as a duplicate (409).
    Workspace.objects.select_for_update().only("pk").get(pk=workspace.pk)
    last = Invoice.objects.filter(workspace=workspace).aggregate(last=Max("sequence"))["last"]
    invoice = Invoice(
        workspace=workspace,
        engagement=engagement,
        month=month,
        currency=engagement.currency,
        total=sum((line.amount for line in lines), Decimal(0)),
        sequence=(last or 0) + 1,
    )
    invoice.full_clean()
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:  # a writer that did not take the lock (or a database without row locks) won
        raise ValidationError(
            "This engagement already has an invoice for this month (it was just created by someone else).",
            code="duplicate",
        ) from None
    for line in lines:
        line.workspace = workspace
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(lines)
    record(
        actor=actor,
        workspace=workspace,
        action="invoice.create",
        target=invoice,
        changes={"total": str(invoice.total), "currency": invoice.currency, "month": f"{month:%Y-%m}"},
    )
    return invoice


def _locked(invoice: Invoice) -> Invoice:
    # Not the workspace's row: locked, it held every other write of the workspace at its commit.
    return (
        Invoice.objects.select_for_update(of=("self", "engagement"))
        .select_related("engagement", "workspace")
        .get(pk=invoice.pk)
    )


@transaction.atomic
def send_invoice(*, invoice: Invoice, actor: User | None, sent_on: datetime.date | None = None) -> Invoice:
    current = _locked(invoice)
    if current.state != Invoice.State.DRAFT:
        raise ValidationError(f"This invoice is {current.get_state_display().lower()}; only a draft can be sent.")
    current.state = Invoice.State.SENT
    current.sent_on = sent_on or current.workspace.today()
    current.full_clean()
    current.save(update_fields=["state", "sent_on", "updated_at"])
    fee_posting.reconcile_fees(current.workspace, actor, [current.engagement_id])
    record(actor=actor, workspace=current.workspace, action="invoice.send", target=current)
    invoice.__dict__.update(current.__dict__)
    return current


@transaction.atomic
def mark_paid(*, invoice: Invoice, actor: User | None, paid_on: datetime.date, amount_paid: Decimal) -> Invoice:
    """Record the payment (date and the amount actually paid, in the invoice currency)."""
    current = _locked(invoice)
    if current.state != Invoice.State.SENT:
        raise ValidationError(
            f"This invoice is {current.get_state_display().lower()}; only a sent invoice can be marked paid."
        )
    if amount_paid is None or amount_paid <= 0 or amount_paid > MAX_AMOUNT:
        raise ValidationError({"amount_paid": "Enter the amount actually paid (more than zero)."})
    if current.sent_on and paid_on < current.sent_on:
        raise ValidationError({"paid_on": "The payment date cannot be before the invoice was sent."})
    current.state = Invoice.State.PAID
    current.paid_on = paid_on
    current.amount_paid = amount_paid
    current.full_clean()
    current.save(update_fields=["state", "paid_on", "amount_paid", "updated_at"])
    fee_posting.reconcile_fees(current.workspace, actor, [current.engagement_id])
    record(
        actor=actor,
        workspace=current.workspace,
        action="invoice.paid",
        target=current,
        changes={"amount_paid": str(amount_paid), "paid_on": str(paid_on)},
    )
    invoice.__dict__.update(current.__dict__)
    return current


@transaction.atomic
def delete_invoice(*, invoice: Invoice, actor: User | None) -> None:
    current = _locked(invoice)
    if current.state != Invoice.State.DRAFT:
        raise ValidationError("Only a draft invoice can be deleted; a sent invoice is part of the ledger.")
    record(
        actor=actor,
        workspace=current.workspace,
        action="invoice.delete",
        target=current,
        changes={"total": str(current.total), "month": f"{current.month:%Y-%m}"},
    )
    current.delete()

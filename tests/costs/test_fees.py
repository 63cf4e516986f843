"""The fee rule: invoices for the months they cover, else approved hours or accepted milestones; idempotent."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from sourcewise.costs import fee_posting, invoicing
from sourcewise.costs.models import CostEntry, Invoice
from sourcewise.engagements.models import Engagement, Milestone, TimeEntry
from tests.costs.helpers import active_engagement, assert_summary_matches_entries
from tests.engagements.factories import MilestoneFactory, TimeEntryFactory


def _hours(e, day, hours, status=TimeEntry.Status.APPROVED):
    return TimeEntryFactory(engagement=e, workspace=e.workspace, date=day, hours=D(hours), status=status)


def _fees(workspace):
    return {
        (f.source, f.date, f.amount, f.currency)
        for f in CostEntry.objects.filter(workspace=workspace, category="fees").order_by("source")
    }


def test_approved_hours_become_one_fee_per_month_and_posting_again_changes_nothing(workspace, owner):
    e = active_engagement(workspace, rate=D("14.50"), currency="USD")
    _hours(e, datetime.date(2026, 3, 3), "2.25")
    _hours(e, datetime.date(2026, 3, 20), "4")
    _hours(e, datetime.date(2026, 3, 21), "8", status=TimeEntry.Status.SUBMITTED)  # not approved: not a fee
    _hours(e, datetime.date(2026, 4, 2), "1.5")
    first = fee_posting.post_fees(workspace=workspace, actor=owner.user)
    assert (first.added, first.updated, first.removed) == (2, 0, 0)
    assert _fees(workspace) == {
        (f"fees:hours:{e.pk}:2026-03", datetime.date(2026, 3, 20), D("90.63"), "USD"),  # 6.25 h × 14.50 = 90.625
        (f"fees:hours:{e.pk}:2026-04", datetime.date(2026, 4, 2), D("21.75"), "USD"),
    }
    again = fee_posting.post_fees(workspace=workspace, actor=owner.user)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 2)
    TimeEntry.objects.filter(engagement=e, date=datetime.date(2026, 4, 2)).update(hours=D("2"))
    corrected = fee_posting.post_fees(workspace=workspace, actor=owner.user)
    assert (corrected.added, corrected.updated) == (0, 1)
    assert_summary_matches_entries(workspace)


def test_an_invoice_replaces_the_hours_of_its_month_without_counting_twice(workspace, owner):
    e = active_engagement(workspace, rate=D("10.00"))
    _hours(e, datetime.date(2026, 3, 5), "10")
    _hours(e, datetime.date(2026, 4, 5), "3")
    fee_posting.post_fees(workspace=workspace, actor=owner.user)
    invoice = invoicing.create_invoice(
        workspace=workspace, actor=owner.user, engagement=e, month=datetime.date(2026, 3, 9)
    )
    assert (invoice.month, invoice.total, invoice.currency) == (datetime.date(2026, 3, 1), D("100.00"), "GBP")
    fee_posting.post_fees(workspace=workspace, actor=owner.user)
    # A draft does not count: March still comes from the hours.
    assert {f[0] for f in _fees(workspace)} == {f"fees:hours:{e.pk}:2026-03", f"fees:hours:{e.pk}:2026-04"}
    invoicing.send_invoice(invoice=invoice, actor=owner.user, sent_on=datetime.date(2026, 4, 1))
    assert _fees(workspace) == {
        (f"fees:invoice:{invoice.pk}", datetime.date(2026, 3, 31), D("100.00"), "GBP"),
        (f"fees:hours:{e.pk}:2026-04", datetime.date(2026, 4, 5), D("30.00"), "GBP"),
    }
    invoicing.mark_paid(invoice=invoice, actor=owner.user, paid_on=datetime.date(2026, 4, 9), amount_paid=D("97.50"))
    invoice.refresh_from_db()
    assert (invoice.state, invoice.paid_on, invoice.amount_paid) == ("paid", datetime.date(2026, 4, 9), D("97.50"))
    assert (f"fees:invoice:{invoice.pk}", datetime.date(2026, 3, 31), D("97.50"), "GBP") in _fees(workspace)
    assert CostEntry.objects.filter(workspace=workspace, category="fees").count() == 2
    assert_summary_matches_entries(workspace)


def test_invoice_states_go_forward_only(workspace, owner):
    e = active_engagement(workspace)
    invoice = invoicing.create_invoice(
        workspace=workspace, actor=owner.user, engagement=e, month=datetime.date(2026, 2, 1),
        extra_description="Retainer", extra_amount=D("600.00"),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="only a sent invoice"):
        invoicing.mark_paid(invoice=invoice, actor=owner.user, paid_on=datetime.date(2026, 3, 1), amount_paid=D("1"))
    invoicing.send_invoice(invoice=invoice, actor=owner.user, sent_on=datetime.date(2026, 3, 1))
    with pytest.raises(ValidationError, match="only a draft"):
        invoicing.send_invoice(invoice=invoice, actor=owner.user)
    with pytest.raises(ValidationError, match="before the invoice was sent"):
        invoicing.mark_paid(invoice=invoice, actor=owner.user, paid_on=datetime.date(2026, 2, 1), amount_paid=D("1"))
    with pytest.raises(ValidationError, match="Only a draft"):
        invoicing.delete_invoice(invoice=invoice, actor=owner.user)
    with pytest.raises(ValidationError, match="already has an invoice"):
        invoicing.create_invoice(
            workspace=workspace, actor=owner.user, engagement=e, month=datetime.date(2026, 2, 1), extra_amount=D("1")
        )
    with pytest.raises(ValidationError, match="Nothing to invoice"):
        invoicing.create_invoice(workspace=workspace, actor=owner.user, engagement=e, month=datetime.date(2026, 5, 1))
    assert Invoice.objects.count() == 1


def test_fixed_price_fees_follow_accepted_milestones(workspace, owner):
    e = active_engagement(workspace, billing=Engagement.Billing.FIXED, budget_cap=D("1000.00"), currency="EUR")
    accepted_at = timezone.make_aware(datetime.datetime(2026, 3, 12, 12, 0))
    m1 = MilestoneFactory(engagement=e, workspace=workspace, due_date=datetime.date(2026, 3, 10),
                          status=Milestone.Status.ACCEPTED, reviewed_at=accepted_at)  # fmt: skip
    MilestoneFactory(engagement=e, workspace=workspace, due_date=datetime.date(2026, 4, 10))
    MilestoneFactory(engagement=e, workspace=workspace, due_date=datetime.date(2026, 5, 10))
    fee_posting.post_fees(workspace=workspace, actor=owner.user)
    assert _fees(workspace) == {(f"fees:milestone:{m1.pk}", datetime.date(2026, 3, 12), D("333.33"), "EUR")}
    invoice = invoicing.create_invoice(
        workspace=workspace, actor=owner.user, engagement=e, month=datetime.date(2026, 3, 1)
    )
    assert [line.amount for line in invoice.lines.all()] == [D("333.33")]


def test_post_fees_command_is_cron_safe(workspace, owner, capsys):
    e = active_engagement(workspace)
    _hours(e, datetime.date(2026, 3, 5), "1")
    call_command("post_fees", "--workspace", str(workspace.pk))
    call_command("post_fees")
    out = capsys.readouterr().out
    assert "1 added" in out and "1 already right" in out
    assert CostEntry.objects.filter(category="fees").count() == 1

"""The monthly summary equals the entries after every write path, in any order (hypothesis),
and `sourcewise rebuild_cost_summary` checks and repairs it."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcewise.costs import entry_csv, fee_posting, invoicing, ledger, manual_entries
from sourcewise.costs.models import CostEntry, CostMonth, Invoice
from sourcewise.engagements.models import TimeEntry
from tests.costs.helpers import active_engagement, usd_rate
from tests.engagements.factories import TimeEntryFactory

DAYS = st.dates(min_value=datetime.date(2025, 11, 1), max_value=datetime.date(2026, 4, 30))
AMOUNTS = st.decimals(min_value=D("0.01"), max_value=D("99999.99"), places=2, allow_nan=False, allow_infinity=False)
CATEGORIES = st.sampled_from(["tools", "licences", "training", "other", "platform_fees"])
CURRENCIES = st.sampled_from(["GBP", "USD", "EUR"])

STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), DAYS, AMOUNTS, CATEGORIES, CURRENCIES, st.booleans()),
        st.tuples(st.just("edit"), DAYS, AMOUNTS, CATEGORIES, CURRENCIES, st.booleans()),
        st.tuples(st.just("delete"), st.integers(0, 50)),
        st.tuples(st.just("import"), DAYS, AMOUNTS, CATEGORIES, CURRENCIES),
        st.tuples(st.just("hours"), DAYS, st.integers(1, 9)),
        st.tuples(st.just("invoice"), DAYS, AMOUNTS, st.sampled_from(["draft", "sent", "paid", "deleted"])),
    ),
    min_size=1,
    max_size=8,
)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_summary_equals_the_entries_after_every_write(workspace, owner, steps):
    with transaction.atomic():  # each example on its own: rolled back at the end
        _play(workspace, owner, steps)
        transaction.set_rollback(True)


def _play(workspace, owner, steps):
    usd_rate(workspace, "0.80", datetime.date(2025, 1, 1))
    usd_rate(workspace, "0.75", datetime.date(2026, 2, 15))  # starts mid-month
    e = active_engagement(workspace, start_date=datetime.date(2025, 10, 1))
    actor = owner.user
    for step in steps:
        kind = step[0]
        if kind in ("add", "edit"):
            _, day, amount, category, currency, on_engagement = step
            fields = {"date": day, "amount": amount, "category": category, "currency": currency}
            fields["engagement"] = e if on_engagement else None
            mine = CostEntry.objects.filter(workspace=workspace, source="").order_by("pk").last()
            if kind == "edit" and mine is not None:
                manual_entries.update_entry(entry=mine, actor=actor, **fields)
            else:
                manual_entries.create_entry(workspace=workspace, actor=actor, **fields)
        elif kind == "delete":
            mine = list(CostEntry.objects.filter(workspace=workspace, source="").order_by("pk"))
            if mine:
                manual_entries.delete_entry(entry=mine[step[1] % len(mine)], actor=actor)
        elif kind == "import":
            _, day, amount, category, currency = step
            csv = f"date,category,amount,currency,description\n{day},{category},{amount},{currency},imported\n"
            entry_csv.import_entries(workspace=workspace, actor=actor, file=csv)
        elif kind == "hours":
            _, day, hours = step
            TimeEntryFactory(
                engagement=e, workspace=workspace, date=day, hours=D(hours), status=TimeEntry.Status.APPROVED
            )
            fee_posting.post_fees(workspace=workspace, actor=actor)
        else:
            _, day, amount, state = step
            month = day.replace(day=1)
            invoice = Invoice.objects.filter(engagement=e, month=month).first()
            if invoice is None:
                invoice = invoicing.create_invoice(
                    workspace=workspace, actor=actor, engagement=e, month=month, extra_amount=amount
                )
            if state == "deleted" and invoice.state == Invoice.State.DRAFT:
                invoicing.delete_invoice(invoice=invoice, actor=actor)
            elif state in ("sent", "paid") and invoice.state == Invoice.State.DRAFT:
                invoicing.send_invoice(invoice=invoice, actor=actor, sent_on=day)
            if state == "paid" and Invoice.objects.filter(pk=invoice.pk, state=Invoice.State.SENT).exists():
                invoicing.mark_paid(invoice=invoice, actor=actor, paid_on=day, amount_paid=amount)
            fee_posting.post_fees(workspace=workspace, actor=actor)
        assert ledger.differences(workspace) == [], step


def test_rebuild_command_checks_and_repairs(workspace, owner):
    manual_entries.create_entry(
        workspace=workspace, actor=None, category="tools", date=datetime.date(2026, 3, 1), amount=D("10.00"),
        currency="GBP",
    )  # fmt: skip
    call_command("rebuild_cost_summary", "--check", "--workspace", str(workspace.pk))
    CostMonth.objects.filter(workspace=workspace).update(total=D("9.99"))  # written behind the services' back
    with pytest.raises(CommandError, match="differs from the entries in 1 buckets"):
        call_command("rebuild_cost_summary", "--check", "--workspace", str(workspace.pk))
    call_command("rebuild_cost_summary", "--workspace", str(workspace.pk))
    assert ledger.differences(workspace) == []
    assert CostMonth.objects.get(workspace=workspace).total == D("10.00")

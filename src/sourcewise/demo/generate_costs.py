"""Synthetic cost ledger at scale, for SPEC P2 (`sourcewise generate --cost-entries N`).

Fills a generated workspace with `count` cost entries over several years, in several
currencies, with the owner's monthly exchange rates for each (one of them starting in the
middle of a month, so the reports' day-by-day conversion is exercised), and some invoices
(draft, sent, paid; sent and paid ones posted as fees, keyed like `costs.fee_posting` does).
Bulk inserts, deterministic for a given seed. The monthly summary is then built from the
entries by the product's own `costs.ledger.rebuild`, as a restore or a repair would.

Like a real business, only part of the engagements cost money in any given month: the
engagements are taken in a window that slides over the years (about a twelfth of them in
each month), so a six-month report reads thousands of engagements, not all of them.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from sourcewise.costs import ledger
from sourcewise.costs.models import Category, CostEntry, Invoice, InvoiceLine
from sourcewise.costs.periods import add_months
from sourcewise.engagements.models import Engagement
from sourcewise.money.models import ExchangeRate
from sourcewise.tasks.models import Task
from sourcewise.workspaces.models import Workspace

YEARS = 5
BATCH = 10_000
# Entry currencies besides the workspace's own (GBP); each has a monthly owner rate into GBP.
RATES = {"USD": Decimal("0.78"), "EUR": Decimal("0.85"), "PLN": Decimal("0.19")}
CURRENCIES = ["GBP", "USD", "EUR", "PLN"]
CATEGORIES = [c.value for c in Category]
WEIGHTS = {
    "fees": 40, "platform_fees": 8, "tools": 8, "licences": 8, "hardware": 2, "training": 3,
    "communication": 5, "recruiting": 3, "management": 15, "other": 8,
}  # fmt: skip
SHARED = 10  # one entry in SHARED is the workspace's own (no engagement)

Progress = Callable[[str, int, int], None]


def first_month(today: datetime.date) -> datetime.date:
    return add_months(today.replace(day=1), -(YEARS * 12 - 1))


def exchange_rates(workspace: Workspace, today: datetime.date) -> list[ExchangeRate]:
    """A rate per currency per month from before the first entry, and one USD rate starting
    on the 15th two months ago (that month is converted day by day)."""
    start = add_months(first_month(today), -1)
    rows = []
    for i in range(YEARS * 12 + 2):
        month = add_months(start, i)
        if month > today:
            break
        for n, (currency, rate) in enumerate(RATES.items()):
            step = Decimal((i * (n + 3)) % 9 - 4) / 100 * rate  # a wobble of a few per cent
            rows.append(
                ExchangeRate(
                    workspace=workspace,
                    base_currency=workspace.base_currency,
                    currency=currency,
                    valid_from=month,
                    rate=(rate + step).quantize(Decimal("0.000001")),
                    source="generated",
                )
            )
    rows.append(
        ExchangeRate(
            workspace=workspace,
            base_currency=workspace.base_currency,
            currency="USD",
            valid_from=add_months(today.replace(day=1), -2) + datetime.timedelta(days=14),
            rate=Decimal("0.7123"),
            source="generated (mid-month)",
        )
    )
    return ExchangeRate.objects.bulk_create(rows)


ENTRY_COLUMNS = (
    "workspace_id, engagement_id, task_id, category, date, amount, currency, description, source, "
    "manager_id, hours, created_by_id, created_at, updated_at"
)


def _insert(rows: list[tuple[Any, ...]]) -> None:
    table = CostEntry._meta.db_table
    sql = f"INSERT INTO {table} ({ENTRY_COLUMNS}) VALUES ({', '.join(['%s'] * 14)})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def generate_costs(
    workspace: Workspace,
    engagements: Sequence[tuple[int, int | None]],
    tasks: Sequence[int],
    *,
    count: int,
    today: datetime.date,
    seed: int = 2026,
    progress: Progress | None = None,
) -> dict[str, int]:
    """`count` cost entries (and count // 100 invoices) for `engagements` ((pk, task pk) pairs)
    over the last YEARS years; returns what was made. Runs in the caller's transaction."""
    rng = random.Random(seed * 7 + 1)
    rates = exchange_rates(workspace, today)
    first = first_month(today)
    months = YEARS * 12
    n_eng = len(engagements)
    window = max(1, n_eng // 12)  # engagements costing money in one month
    now = timezone.now()
    categories, weights = CATEGORIES, [WEIGHTS[c] for c in CATEGORIES]

    # Invoices first: one per (engagement, month), their fees posted with the key the fee rule uses.
    invoices: list[Invoice] = []
    seen: set[tuple[int, datetime.date]] = set()
    wanted = min(count // 100, window * months // 2) if n_eng else 0  # never more than there is room for
    while len(invoices) < wanted:
        m = rng.randrange(months)
        month = add_months(first, m)
        if month > today.replace(day=1):
            continue
        pk, _task = engagements[(m * n_eng // months + rng.randrange(window)) % n_eng]
        if (pk, month) in seen:
            continue
        seen.add((pk, month))
        state = rng.choice([Invoice.State.DRAFT, Invoice.State.SENT, Invoice.State.PAID, Invoice.State.PAID])
        total = Decimal(rng.randrange(20_000, 500_000)) / 100
        end = add_months(month, 1) - datetime.timedelta(days=1)
        invoices.append(
            Invoice(
                workspace=workspace,
                engagement_id=pk,
                month=month,
                currency=workspace.base_currency,
                state=state,
                total=total,
                sent_on=end if state != Invoice.State.DRAFT else None,
                paid_on=end + datetime.timedelta(days=10) if state == Invoice.State.PAID else None,
                amount_paid=total if state == Invoice.State.PAID else None,
                sequence=len(invoices) + 1,
            )
        )
    made = Invoice.objects.bulk_create(invoices, batch_size=BATCH)
    if made and made[0].pk is None:  # a database that does not return the new ids
        made = list(Invoice.objects.filter(workspace=workspace).order_by("sequence"))
    task_of = dict(engagements)
    InvoiceLine.objects.bulk_create(
        [InvoiceLine(workspace=workspace, invoice_id=i.pk, description="Monthly fee", amount=i.total) for i in made],
        batch_size=BATCH,
    )
    rows: list[tuple[Any, ...]] = []
    for i in made:
        if i.state == Invoice.State.DRAFT:
            continue
        rows.append(
            (
                workspace.pk, i.engagement_id, task_of[i.engagement_id], Category.FEES.value,
                i.period_end, i.fee_amount, i.currency, f"Invoice {i.number}", f"fees:invoice:{i.pk}",
                None, None, None, now, now,
            )
        )  # fmt: skip
    posted = len(rows)
    _insert(rows)
    rows.clear()

    span = (today - first).days + 1
    for n in range(count - posted):
        day = first + datetime.timedelta(days=rng.randrange(span))
        m = (day.year - first.year) * 12 + day.month - first.month
        category = rng.choices(categories, weights)[0]
        engagement_id: int | None = None
        task_id: int | None = None
        if n_eng and n % SHARED:
            engagement_id, task_id = engagements[(m * n_eng // months + rng.randrange(window)) % n_eng]
            currency = CURRENCIES[engagement_id % len(CURRENCIES)]
        else:
            currency = rng.choice(["GBP", "USD"])  # the studio's own costs: local, or SaaS in dollars
            if tasks and n % 3:
                task_id = tasks[n % len(tasks)]
        amount = Decimal(rng.randrange(100, 500_000)) / 100
        rows.append(
            (workspace.pk, engagement_id, task_id, category, day, amount, currency, "", "", None, None, None, now, now)
        )
        if len(rows) == BATCH:
            _insert(rows)
            rows.clear()
            if progress:
                progress("cost entries", posted + n + 1, count)
    _insert(rows)
    if progress:
        progress("cost entries", count, count)
    summary = ledger.rebuild(workspace)
    return {"cost entries": count, "exchange rates": len(rates), "invoices": len(made), "cost summary rows": summary}


def for_workspace(
    workspace: Workspace, *, count: int, today: datetime.date, seed: int = 2026, progress: Progress | None = None
) -> dict[str, int]:
    """`generate_costs` over the workspace's engagements and tasks (what `demo.generate` calls)."""
    if count <= 0:
        return {}
    engagements = list(Engagement.objects.filter(workspace=workspace).order_by("pk").values_list("pk", "task_id"))
    tasks = list(Task.objects.filter(workspace=workspace).order_by("pk").values_list("pk", flat=True))
    return generate_costs(workspace, engagements, tasks, count=count, today=today, seed=seed, progress=progress)

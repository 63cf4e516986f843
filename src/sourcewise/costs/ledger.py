"""Keeping `CostMonth` (the monthly summary) equal to the ledger, in the writer's transaction.

Every ledger write goes through `services.py`, which calls `apply(workspace, deltas)` in
the same `transaction.atomic()` block as the change of the entries: a crash or a refusal
rolls both back. `rebuild(workspace)` recomputes the summary from the entries (used by
tests and the benchmark to prove the two agree). Both bump the workspace's `CostReportStamp`
(`stamp.py`) in that transaction: the stored reports are out of date from its commit on.

A delta is (bucket key, amount, count): +amount/+1 for a new entry, −amount/−1 for a
deleted one, both for an edit. Rows are changed with `F()` expressions (no
read-modify-write), and a summary row that drops to zero entries is removed.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth

from sourcewise.costs import stamp
from sourcewise.costs.models import CostEntry, CostMonth, cents, month_start
from sourcewise.workspaces.models import Workspace


@dataclass(frozen=True)
class Bucket:
    month: datetime.date
    category: str
    engagement_id: int | None
    task_id: int | None
    currency: str

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}|{self.category}|{self.engagement_id or ''}|{self.task_id or ''}|{self.currency}"


def bucket_of(entry: CostEntry) -> Bucket:
    return Bucket(month_start(entry.date), entry.category, entry.engagement_id, entry.task_id, entry.currency)


class Deltas:
    """Changes to the summary, collected and then applied once per bucket."""

    def __init__(self) -> None:
        self.amounts: dict[Bucket, Decimal] = defaultdict(Decimal)
        self.counts: dict[Bucket, int] = defaultdict(int)

    def add(self, entry: CostEntry) -> None:
        bucket = bucket_of(entry)
        self.amounts[bucket] += entry.amount
        self.counts[bucket] += 1

    def remove(self, entry: CostEntry) -> None:
        bucket = bucket_of(entry)
        self.amounts[bucket] -= entry.amount
        self.counts[bucket] -= 1

    def __bool__(self) -> bool:
        return any(self.counts.values()) or any(self.amounts.values())


def apply(workspace: Workspace, deltas: Deltas) -> None:
    """Add the deltas to the summary rows. Must run inside the writer's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("The cost summary must change in the same transaction as the ledger.")
    if deltas:
        stamp.bump(workspace.pk)  # the stored reports of this workspace are out of date from now on
    emptied = []
    for bucket in sorted(deltas.counts.keys() | deltas.amounts.keys(), key=lambda b: b.key):
        amount, count = deltas.amounts.get(bucket, Decimal(0)), deltas.counts.get(bucket, 0)
        if not amount and not count:
            continue
        rows = CostMonth.objects.filter(workspace=workspace, bucket=bucket.key)
        changed = rows.update(total=F("total") + amount, entries=F("entries") + count)
        if not changed:
            try:
                with transaction.atomic():
                    CostMonth.objects.create(
                        workspace=workspace,
                        bucket=bucket.key,
                        month=bucket.month,
                        category=bucket.category,
                        engagement_id=bucket.engagement_id,
                        task_id=bucket.task_id,
                        currency=bucket.currency,
                        total=amount,
                        entries=count,
                    )
            except IntegrityError:  # another writer created it first: add to theirs
                rows.update(total=F("total") + amount, entries=F("entries") + count)
        if count < 0:
            emptied.append(bucket.key)
    if emptied:
        CostMonth.objects.filter(workspace=workspace, bucket__in=emptied, entries__lte=0).delete()


def from_entries(workspace: Workspace) -> list[CostMonth]:
    """The summary as the entries say it should be (unsaved rows, 1 query)."""
    rows = (
        CostEntry.objects.filter(workspace=workspace)
        .annotate(m=TruncMonth("date"))
        .values("m", "category", "engagement_id", "task_id", "currency")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by()
    )
    summary = []
    for row in rows:
        month = row["m"].date() if isinstance(row["m"], datetime.datetime) else row["m"]
        bucket = Bucket(month, row["category"], row["engagement_id"], row["task_id"], row["currency"])
        summary.append(
            CostMonth(
                workspace=workspace,
                bucket=bucket.key,
                month=month,
                category=bucket.category,
                engagement_id=bucket.engagement_id,
                task_id=bucket.task_id,
                currency=bucket.currency,
                total=row["total"] if isinstance(row["total"], Decimal) else Decimal(str(row["total"])),
                entries=row["n"],
            )
        )
    return summary


def differences(workspace: Workspace) -> list[str]:
    """Buckets where the kept summary and the entries disagree (empty when they agree), to the cent."""
    want = {row.bucket: (cents(row.total), row.entries) for row in from_entries(workspace)}
    kept = {
        bucket: (cents(Decimal(str(total))), entries)
        for bucket, total, entries in CostMonth.objects.filter(workspace=workspace).values_list(
            "bucket", "total", "entries"
        )
    }
    return sorted(key for key in want.keys() | kept.keys() if want.get(key) != kept.get(key))


def rebuild(workspace: Workspace) -> int:
    """Recompute the whole summary of a workspace from its entries; returns the row count."""
    with transaction.atomic():
        CostMonth.objects.filter(workspace=workspace).delete()
        summary = from_entries(workspace)
        CostMonth.objects.bulk_create(summary, batch_size=1000)
        stamp.bump(workspace.pk)
    return len(summary)


def add_all(entries: Iterable[CostEntry]) -> Deltas:
    deltas = Deltas()
    for entry in entries:
        deltas.add(entry)
    return deltas

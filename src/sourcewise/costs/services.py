"""Writes of the cost ledger: entries by hand or from CSV, fees posted from the work, invoices.

Every function here runs in one transaction that also updates the monthly summary
(`ledger.apply`) and leaves an audit row.

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
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from sourcewise.audit.services import record
from sourcewise.core.access import INTERNAL
from sourcewise.core.csvio import CsvImportError, RowError, read_rows, write_rows
from sourcewise.core.validators import validate_currency
from sourcewise.costs import ledger
from sourcewise.costs.models import (
    AMOUNT_PLACES,
    CENT,
    MAX_AMOUNT,
    Category,
    CostEntry,
    Invoice,
    InvoiceLine,
    month_end,
    month_start,
)
from sourcewise.engagements.models import Engagement, Milestone, TimeEntry
from sourcewise.tasks.models import Task
from sourcewise.workspaces.models import Membership, Workspace

if TYPE_CHECKING:
    from sourcewise.accounts.models import User

ENTRY_FIELDS = ("category", "date", "amount", "currency", "description", "engagement", "task", "manager", "hours")
CSV_COLUMNS = ("date", "category", "amount", "currency", "description", "engagement", "task", "reference")
CSV_REQUIRED = ("date", "category", "amount", "currency")
FEES_BY_HAND = (
    "Fees of an engagement are posted by Sourcewise the moment hours are approved, milestones "
    "accepted or invoices sent; record the other costs of the engagement here."
)
GENERATED = "This fee was posted from hours, milestones or an invoice: change those and it follows."


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


# -- entries by hand ---------------------------------------------------------------------


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


# -- CSV import and export ---------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int

    def describe(self) -> str:
        return f"{self.added} costs added, {self.updated} updated, {self.unchanged} already in the ledger."


CATEGORY_NAMES = {
    **{value: value for value in Category.values},
    **{str(label).lower(): value for value, label in Category.choices},
}


def _category(text: str) -> str:
    value = CATEGORY_NAMES.get(text.strip().lower())
    if value is None:
        raise ValueError(f"unknown category {text!r}; use one of: {', '.join(Category.values)}.")
    return value


def _amount(text: str) -> Decimal:
    from decimal import InvalidOperation

    try:
        value = Decimal(text.replace("_", "").replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number (use a dot for decimals, e.g. 12.50).") from None
    if not value.is_finite() or value <= 0:
        raise ValueError(f"{text!r} must be more than zero.")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > AMOUNT_PLACES:
        raise ValueError(f"{text!r} has more than two decimal places.")
    if value > MAX_AMOUNT:
        raise ValueError(f"{text!r} is too large.")
    return value


@dataclass
class _Row:
    number: int
    key: str
    values: dict[str, Any]


def _parse(
    rows: Iterable[tuple[int, dict[str, str]]],
    engagements: dict[int, Engagement],
    tasks: dict[str, Task],
) -> tuple[list[_Row], list[RowError]]:
    errors: list[RowError] = []
    parsed: list[_Row] = []
    seen: Counter[str] = Counter()
    references: dict[str, int] = {}
    for number, raw in rows:
        values: dict[str, Any] = {}
        problems: list[RowError] = []

        def check(
            column: str,
            convert: Any,
            raw: dict[str, str] = raw,
            number: int = number,
            problems: list[RowError] = problems,
        ) -> Any:
            text = raw.get(column, "").strip()
            try:
                return convert(text)
            except ValueError as exc:
                problems.append(RowError(number, column, str(exc)))
                return None

        values["date"] = check("date", _date)
        values["category"] = check("category", _category)
        values["amount"] = check("amount", _amount)
        values["currency"] = check("currency", _currency)
        description = raw.get("description", "").strip()
        if len(description) > 300:
            problems.append(RowError(number, "description", "is longer than 300 characters."))
        values["description"] = description
        engagement = None
        engagement_text = raw.get("engagement", "").strip()
        if engagement_text:
            engagement = engagements.get(int(engagement_text)) if engagement_text.isdigit() else None
            if engagement is None:
                problems.append(
                    RowError(number, "engagement", f"no engagement with id {engagement_text!r} in this workspace.")
                )
        task = None
        task_text = raw.get("task", "").strip()
        if task_text:
            task = tasks.get(task_text.lower())
            if task is None:
                problems.append(RowError(number, "task", f"no task named {task_text!r} in this workspace."))
        if engagement is not None:
            task = engagement.task
        values["engagement"], values["task"] = engagement, task
        if values["category"] == Category.FEES and engagement is not None:
            problems.append(RowError(number, "category", FEES_BY_HAND))
        reference = raw.get("reference", "").strip()
        if len(reference) > 100:
            problems.append(RowError(number, "reference", "is longer than 100 characters."))
        if problems:
            errors.extend(problems)
            continue
        if reference:
            if reference in references:
                errors.append(
                    RowError(number, "reference", f"{reference!r} is already used on row {references[reference]}.")
                )
                continue
            references[reference] = number
            key = reference if reference.startswith(("fees:", "entry-")) else f"import:{reference}"
        else:
            fingerprint = "|".join(
                str(x)
                for x in (
                    values["date"],
                    values["category"],
                    values["amount"],
                    values["currency"],
                    description,
                    engagement.pk if engagement else "",
                    task.pk if task else "",
                )
            )
            seen[fingerprint] += 1
            digest = hashlib.sha256(fingerprint.encode()).hexdigest()[:40]
            key = f"import:{digest}#{seen[fingerprint]}"
        parsed.append(_Row(number, key, values))
    return parsed, errors


def _date(text: str) -> datetime.date:
    if not text:
        raise ValueError("is empty.")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date: use YYYY-MM-DD, e.g. 2026-03-01.") from None


def _currency(text: str) -> str:
    code = text.upper()
    try:
        validate_currency(code)
    except ValidationError as exc:
        raise ValueError(" ".join(exc.messages)) from None
    return code


def import_entries(
    *, workspace: Workspace, actor: User | None, file: IO[Any] | bytes | str, filename: str = ""
) -> ImportResult:
    """All or nothing: every row is checked first, errors name the row; the same file again adds nothing.

    Rows are keyed by their `reference` column, or when it is empty by their content (the
    n-th identical row of a file is the n-th such entry), so importing again finds them.
    """
    engagements = {e.pk: e for e in Engagement.objects.in_workspace(workspace).select_related("task")}
    tasks = {t.name.lower(): t for t in Task.objects.in_workspace(workspace)}
    parsed, errors = _parse(read_rows(file, required=CSV_REQUIRED, optional=CSV_COLUMNS), engagements, tasks)
    if errors:
        raise CsvImportError(errors)
    if not parsed:
        raise CsvImportError([RowError(2, "", "The file has a header but no costs.")])
    try:
        with transaction.atomic():
            return _write_import(workspace, actor, parsed, filename)
    except IntegrityError:
        raise CsvImportError(
            [RowError(0, "", "Someone else changed the ledger while the file was imported. Import it again.")]
        ) from None


def _write_import(workspace: Workspace, actor: User | None, parsed: list[_Row], filename: str) -> ImportResult:
    keys = [r.key for r in parsed]
    by_source = {
        e.source: e for e in CostEntry.objects.in_workspace(workspace).filter(source__in=keys).select_for_update()
    }
    by_pk = {
        f"entry-{e.pk}": e
        for e in CostEntry.objects.in_workspace(workspace)
        .filter(pk__in=[int(k[6:]) for k in keys if k.startswith("entry-") and k[6:].isdigit()])
        .select_for_update()
    }
    now = timezone.now()
    user = actor if getattr(actor, "is_authenticated", False) else None
    new: list[CostEntry] = []
    changed: list[CostEntry] = []
    deltas = ledger.Deltas()
    unchanged = 0
    errors: list[RowError] = []
    fields = ("date", "category", "amount", "currency", "description", "engagement", "task")
    for row in parsed:
        existing = by_source.get(row.key) or by_pk.get(row.key)
        if existing is None:
            if row.key.startswith(("fees:", "entry-")):
                errors.append(RowError(row.number, "reference", f"no cost {row.key!r} in this ledger to match."))
                continue
            entry = CostEntry(workspace=workspace, source=row.key, created_by=user, created_at=now, updated_at=now)
            for name in fields:
                setattr(entry, name, row.values[name])
            new.append(entry)
            deltas.add(entry)
            continue
        same = all(_stored(existing, name) == _given(row.values[name]) for name in fields)
        if same:
            unchanged += 1
            continue
        if existing.is_generated:
            errors.append(RowError(row.number, "reference", GENERATED))
            continue
        deltas.remove(CostEntry(**{f.attname: getattr(existing, f.attname) for f in CostEntry._meta.concrete_fields}))
        for name in fields:
            setattr(existing, name, row.values[name])
        existing.updated_at = now
        changed.append(existing)
        deltas.add(existing)
    if errors:
        raise CsvImportError(errors)
    CostEntry.objects.bulk_create(new, batch_size=1000)
    if changed:
        CostEntry.objects.bulk_update(
            changed, ["date", "category", "amount", "currency", "description", "engagement", "task", "updated_at"]
        )
    ledger.apply(workspace, deltas)
    result = ImportResult(added=len(new), updated=len(changed), unchanged=unchanged)
    record(
        actor=actor,
        workspace=workspace,
        action="costentry.import",
        changes={"file": filename[:200], "added": result.added, "updated": result.updated},
    )
    return result


def _stored(entry: CostEntry, name: str) -> Any:
    return getattr(entry, f"{name}_id") if name in ("engagement", "task") else getattr(entry, name)


def _given(value: Any) -> Any:
    return value.pk if hasattr(value, "pk") else value


def export_lines(entries: QuerySet[CostEntry]) -> Iterator[str]:
    """The ledger as CSV in the import's columns; importing it again into the same ledger adds nothing."""

    def rows() -> Iterator[list[Any]]:
        last = 0
        ordered = entries.select_related("task").order_by("pk")
        while True:
            batch = list(ordered.filter(pk__gt=last)[:2000])
            if not batch:
                return
            for e in batch:
                yield [
                    e.date.isoformat(),
                    e.category,
                    f"{e.amount:.2f}",
                    e.currency,
                    e.description,
                    e.engagement_id or "",
                    e.task.name if e.task else "",
                    e.source.removeprefix("import:") if e.source else f"entry-{e.pk}",
                ]
            last = batch[-1].pk

    return write_rows(CSV_COLUMNS, rows())


# -- fees posted from the work -------------------------------------------------------------


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


def _accepted_on(milestone: Milestone, zone: datetime.tzinfo) -> datetime.date:
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
            accepted = _accepted_on(m, zone)
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
        return _post_fees(workspace, actor, [engagement.pk] if engagement else None)


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
    return _post_fees(workspace, actor, ids)


def _post_fees(workspace: Workspace, actor: User | None, engagement_ids: list[int] | None) -> PostResult:
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


# -- invoices -----------------------------------------------------------------------------


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
        shares = milestone_shares(engagement.budget_cap, milestones)
        zone = engagement.workspace.zone
        for m in sorted(milestones, key=lambda m: (m.due_date, m.pk)):
            if m.status == Milestone.Status.ACCEPTED and month_start(_accepted_on(m, zone)) == month:
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
    return Invoice.objects.select_for_update().select_related("engagement", "workspace").get(pk=invoice.pk)


@transaction.atomic
def send_invoice(*, invoice: Invoice, actor: User | None, sent_on: datetime.date | None = None) -> Invoice:
    current = _locked(invoice)
    if current.state != Invoice.State.DRAFT:
        raise ValidationError(f"This invoice is {current.get_state_display().lower()}; only a draft can be sent.")
    current.state = Invoice.State.SENT
    current.sent_on = sent_on or current.workspace.today()
    current.full_clean()
    current.save(update_fields=["state", "sent_on", "updated_at"])
    _post_fees(current.workspace, actor, [current.engagement_id])
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
    _post_fees(current.workspace, actor, [current.engagement_id])
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

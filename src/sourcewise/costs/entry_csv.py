"""The cost ledger as CSV: import entries from a file (all or nothing, idempotent) and export them."""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from sourcewise.audit.services import record
from sourcewise.core.csvio import CsvImportError, RowError, positive_decimal, read_rows, write_rows
from sourcewise.core.validators import validate_currency
from sourcewise.costs import ledger
from sourcewise.costs.manual_entries import FEES_BY_HAND, GENERATED
from sourcewise.costs.models import (
    AMOUNT_DIGITS,
    AMOUNT_PLACES,
    Category,
    CostEntry,
)
from sourcewise.engagements.models import Engagement
from sourcewise.tasks.models import Task
from sourcewise.workspaces.models import Workspace

if TYPE_CHECKING:
    from sourcewise.accounts.models import User


CSV_COLUMNS = ("date", "category", "amount", "currency", "description", "engagement", "task", "reference")
CSV_REQUIRED = ("date", "category", "amount", "currency")


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
    # A spreadsheet may write thousands with commas: 1,234.50.
    return positive_decimal(text.replace(",", ""), places=AMOUNT_PLACES, max_digits=AMOUNT_DIGITS)


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

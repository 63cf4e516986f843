"""Writes of the money app: exchange rates and rate benchmarks, one by one or from CSV.

Every change leaves an audit row. Imports are all-or-nothing: the whole file is checked
first and any problem (listed by line) leaves the database untouched; importing the same
file again adds nothing (rows are keyed by currency + date, or skill + country + date).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from sourcewise.audit.services import record, save_audited, snapshot
from sourcewise.core.csvio import CsvImportError, RowError, read_rows
from sourcewise.core.validators import validate_country, validate_currency
from sourcewise.findings import tracking
from sourcewise.money.csv_import import LINES, RowProblem, check_with, parse_date, parse_decimal, required_text
from sourcewise.money.models import (
    MONEY_DIGITS,
    MONEY_PLACES,
    RATE_DIGITS,
    RATE_PLACES,
    ExchangeRate,
    RateBenchmark,
)
from sourcewise.talent.models import Skill
from sourcewise.workspaces.models import Workspace

if TYPE_CHECKING:
    from sourcewise.accounts.models import User

RATE_FIELDS = ("currency", "rate", "valid_from", "source")
BENCHMARK_FIELDS = ("skill", "country", "hourly_rate", "currency", "as_of", "source")
RATE_COLUMNS = ("currency", "rate", "valid_from")
BENCHMARK_COLUMNS = ("skill", "country", "hourly_rate", "currency", "as_of", "source")


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged

    def describe(self, noun: str) -> str:
        return f"{self.added} {noun} added, {self.updated} updated, {self.unchanged} already up to date."


# -- exchange rates ---------------------------------------------------------------------


@transaction.atomic
def create_exchange_rate(
    *,
    workspace: Workspace,
    actor: User | None,
    currency: str,
    rate: Decimal,
    valid_from: datetime.date,
    source: str = "",
) -> ExchangeRate:
    row = ExchangeRate(
        workspace=workspace, currency=currency, rate=rate, valid_from=valid_from, source=(source or "").strip()
    )
    return save_audited(row, actor=actor, action="exchangerate.create")


@transaction.atomic
def update_exchange_rate(*, exchange_rate: ExchangeRate, actor: User | None, **fields: Any) -> ExchangeRate:
    unknown = set(fields) - set(RATE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields {sorted(unknown)}.")
    before = snapshot(exchange_rate, fields)
    for name, value in fields.items():
        setattr(exchange_rate, name, value)
    return save_audited(
        exchange_rate,
        actor=actor,
        action="exchangerate.update",
        fields=[*fields, "base_currency", "updated_at"],
        before=before,
    )


@transaction.atomic
def delete_exchange_rate(*, exchange_rate: ExchangeRate, actor: User | None) -> None:
    record(
        actor=actor,
        workspace=exchange_rate.workspace,
        action="exchangerate.delete",
        target=exchange_rate,
        changes={
            "currency": exchange_rate.currency,
            "rate": str(exchange_rate.rate),
            "valid_from": str(exchange_rate.valid_from),
        },
    )
    exchange_rate.delete()


def _write(
    model: type[ExchangeRate] | type[RateBenchmark], new: list[Any], changed: list[Any], fields: list[str]
) -> None:
    try:
        with transaction.atomic():
            model.objects.bulk_create(new, batch_size=500)
            if changed:
                model.objects.bulk_update(changed, fields, batch_size=500)
            # Bulk writes send no signals: every rate finding of the workspace may change.
            workspaces = {row.workspace_id for row in [*new, *changed]}
            for workspace_id in workspaces:
                tracking.mark(workspace_id, [(tracking.WORKSPACE, None)])
    except IntegrityError:
        raise ValidationError(
            "Some of these rows were added by someone else while the file was imported. "
            "Nothing was imported: import the file again.",
            code="conflict",
        ) from None


def import_exchange_rates(
    *, workspace: Workspace, actor: User | None, source: bytes | str | IO[bytes] | IO[str], filename: str = ""
) -> ImportResult:
    """Columns currency, rate, valid_from (YYYY-MM-DD) and optionally source."""
    base = workspace.base_currency
    errors: list[RowError] = []
    parsed: dict[tuple[str, datetime.date], tuple[int, Decimal, str]] = {}
    for line, row in read_rows(source, required=RATE_COLUMNS, optional=("source",), wording=LINES, errors=errors):
        try:
            currency = check_with(validate_currency, required_text(row, "currency").upper())
            if currency == base:
                raise RowProblem(f"{currency} is your workspace currency: it always converts at exactly 1.")
            rate = parse_decimal(row, "rate", places=RATE_PLACES, max_digits=RATE_DIGITS)
            valid_from = parse_date(row, "valid_from")
            text = row.get("source", "")
            if len(text) > 200:
                raise RowProblem("source is longer than 200 characters.")
        except RowProblem as exc:
            errors.append(RowError(line, "", str(exc)))
            continue
        key = (currency, valid_from)
        if key in parsed:
            first = parsed[key]
            if (first[1], first[2]) != (rate, text):
                errors.append(
                    RowError(line, "", f"{currency} from {valid_from} is already on line {first[0]} with other values.")
                )
            continue
        parsed[key] = (line, rate, text)
    if errors:
        raise CsvImportError(errors, wording=LINES)
    if not parsed:
        raise CsvImportError([RowError(2, "", "The file has a header but no rates.")], wording=LINES)
    with transaction.atomic():
        existing = {
            (r.currency, r.valid_from): r
            for r in ExchangeRate.objects.in_workspace(workspace).filter(base_currency=base).select_for_update()
        }
        new: list[ExchangeRate] = []
        changed: list[ExchangeRate] = []
        for (currency, valid_from), (_line, rate, text) in parsed.items():
            current = existing.get((currency, valid_from))
            if current is None:
                new.append(
                    ExchangeRate(
                        workspace=workspace,
                        base_currency=base,
                        currency=currency,
                        rate=rate,
                        valid_from=valid_from,
                        source=text,
                    )
                )
            elif current.rate != rate or current.source != text:
                current.rate, current.source, current.updated_at = rate, text, timezone.now()
                changed.append(current)
        _write(ExchangeRate, new, changed, ["rate", "source", "updated_at"])
        result = ImportResult(added=len(new), updated=len(changed), unchanged=len(parsed) - len(new) - len(changed))
        record(
            actor=actor,
            workspace=workspace,
            action="exchangerate.import",
            changes={"file": filename[:200], "added": result.added, "updated": result.updated},
        )
    return result


# -- rate benchmarks --------------------------------------------------------------------


@transaction.atomic
def create_rate_benchmark(
    *,
    workspace: Workspace,
    actor: User | None,
    skill: Skill,
    country: str,
    hourly_rate: Decimal,
    currency: str,
    as_of: datetime.date,
    source: str,
) -> RateBenchmark:
    if skill.workspace_id != workspace.pk:
        raise ValidationError({"skill": "Unknown skill in this workspace."})
    row = RateBenchmark(
        workspace=workspace,
        skill=skill,
        country=country,
        hourly_rate=hourly_rate,
        currency=currency,
        as_of=as_of,
        source=source,
    )
    return save_audited(row, actor=actor, action="ratebenchmark.create")


@transaction.atomic
def update_rate_benchmark(*, benchmark: RateBenchmark, actor: User | None, **fields: Any) -> RateBenchmark:
    unknown = set(fields) - set(BENCHMARK_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields {sorted(unknown)}.")
    skill = fields.get("skill")
    if skill is not None and skill.workspace_id != benchmark.workspace_id:
        raise ValidationError({"skill": "Unknown skill in this workspace."})
    before = snapshot(benchmark, fields)
    for name, value in fields.items():
        setattr(benchmark, name, value)
    return save_audited(
        benchmark, actor=actor, action="ratebenchmark.update", fields=[*fields, "updated_at"], before=before
    )


@transaction.atomic
def delete_rate_benchmark(*, benchmark: RateBenchmark, actor: User | None) -> None:
    record(
        actor=actor,
        workspace=benchmark.workspace,
        action="ratebenchmark.delete",
        target=benchmark,
        changes={
            "hourly_rate": str(benchmark.hourly_rate),
            "currency": benchmark.currency,
            "as_of": str(benchmark.as_of),
        },
    )
    benchmark.delete()


def import_rate_benchmarks(
    *, workspace: Workspace, actor: User | None, source: bytes | str | IO[bytes] | IO[str], filename: str = ""
) -> ImportResult:
    """Columns skill (its name in this workspace), country (ISO code), hourly_rate, currency,
    as_of (YYYY-MM-DD), source."""
    skills = {s.name.strip().lower(): s for s in Skill.objects.in_workspace(workspace)}
    errors: list[RowError] = []
    parsed: dict[tuple[int, str, datetime.date], tuple[int, Decimal, str, str]] = {}
    for line, row in read_rows(source, required=BENCHMARK_COLUMNS, wording=LINES, errors=errors):
        try:
            name = required_text(row, "skill")
            skill = skills.get(name.lower())
            if skill is None:
                raise RowProblem(f"Unknown skill {name!r} in this workspace: add it under Talent → Skills first.")
            country = check_with(validate_country, required_text(row, "country").upper())
            hourly_rate = parse_decimal(row, "hourly_rate", places=MONEY_PLACES, max_digits=MONEY_DIGITS)
            currency = check_with(validate_currency, required_text(row, "currency").upper())
            as_of = parse_date(row, "as_of")
            text = required_text(row, "source")
            if len(text) > 200:
                raise RowProblem("source is longer than 200 characters.")
        except RowProblem as exc:
            errors.append(RowError(line, "", str(exc)))
            continue
        key = (skill.pk, country, as_of)
        values = (hourly_rate, currency, text)
        if key in parsed:
            first = parsed[key]
            if first[1:] != values:
                errors.append(
                    RowError(
                        line,
                        "",
                        f"{skill.name} in {country} on {as_of} is already on line {first[0]} with other values.",
                    )
                )
            continue
        parsed[key] = (line, *values)
    if errors:
        raise CsvImportError(errors, wording=LINES)
    if not parsed:
        raise CsvImportError([RowError(2, "", "The file has a header but no benchmarks.")], wording=LINES)
    by_pk = {s.pk: s for s in skills.values()}
    with transaction.atomic():
        existing = {
            (b.skill_id, b.country, b.as_of): b
            for b in RateBenchmark.objects.in_workspace(workspace).select_for_update()
        }
        new_benchmarks: list[RateBenchmark] = []
        changed_benchmarks: list[RateBenchmark] = []
        for (skill_id, country, as_of), (_line, hourly_rate, currency, text) in parsed.items():
            found = existing.get((skill_id, country, as_of))
            if found is None:
                new_benchmarks.append(
                    RateBenchmark(
                        workspace=workspace,
                        skill=by_pk[skill_id],
                        country=country,
                        hourly_rate=hourly_rate,
                        currency=currency,
                        as_of=as_of,
                        source=text,
                    )
                )
            elif (found.hourly_rate, found.currency, found.source) != (hourly_rate, currency, text):
                found.hourly_rate, found.currency, found.source = hourly_rate, currency, text
                found.updated_at = timezone.now()
                changed_benchmarks.append(found)
        _write(RateBenchmark, new_benchmarks, changed_benchmarks, ["hourly_rate", "currency", "source", "updated_at"])
        added, updated = len(new_benchmarks), len(changed_benchmarks)
        result = ImportResult(added=added, updated=updated, unchanged=len(parsed) - added - updated)
        record(
            actor=actor,
            workspace=workspace,
            action="ratebenchmark.import",
            changes={"file": filename[:200], "added": result.added, "updated": result.updated},
        )
    return result

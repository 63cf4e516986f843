"""CSV import and export of tasks: validated, all-or-nothing per file, re-import idempotent.

Rows are matched to existing tasks by name (case-insensitive). A row equal to the
stored task changes nothing, so importing the same file twice adds and changes nothing.
Deliverables are not part of the CSV; they are managed on the task page or the API.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from sourcewise.core.csvio import CsvImportError, RowError, read_rows, write_rows
from sourcewise.talent.models import Skill
from sourcewise.tasks import services
from sourcewise.tasks.models import CORE_QUESTION_FIELDS, MAX_HOURLY_COST, MAX_HOURS, Task
from sourcewise.tasks.selectors import with_skills
from sourcewise.workspaces.models import Workspace

COLUMNS = (
    "name",
    "description",
    "frequency",
    "hours",
    "inhouse_hourly_cost",
    "currency",
    "sourcing",
    "justification",
    "checkpoint_every_days",
    "differentiates",
    "proprietary",
    "revenue_critical",
    "must_own",
    "core_choice",
    "skills",
)
QUESTION_COLUMNS = dict(
    zip(("differentiates", "proprietary", "revenue_critical", "must_own"), CORE_QUESTION_FIELDS, strict=True)
)
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _yes_no(value: str) -> bool | None:
    if not value:
        return None
    lowered = value.lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    raise ValueError("use yes, no or leave empty")


def _decimal(value: str, maximum: Decimal, places: int) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number (use a dot for decimals, e.g. 12.5)") from None
    if not number.is_finite() or number < 0 or number > maximum:
        raise ValueError(f"must be between 0 and {maximum}")
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValueError(f"at most {places} decimal places")
    return number


def _parse(number: int, row: dict[str, str], skills: dict[str, Skill], errors: list[RowError]) -> dict[str, Any]:
    parsed: dict[str, Any] = {}

    def fail(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    name = row.get("name", "")
    if not name:
        fail("name", "a task needs a name")
    elif len(name) > 150:
        fail("name", "at most 150 characters")
    parsed["name"] = name
    parsed["description"] = row.get("description", "")
    frequency = row.get("frequency", "") or "recurring"
    if frequency not in Task.Frequency.values:
        fail("frequency", "use recurring or one_off")
    parsed["frequency"] = frequency
    sourcing = row.get("sourcing", "") or "in_house"
    if sourcing not in Task.Sourcing.values:
        fail("sourcing", "use in_house or outsource")
    parsed["sourcing"] = sourcing
    parsed["justification"] = row.get("justification", "")
    core_choice = row.get("core_choice", "")
    if core_choice not in Task.CoreChoice.values:
        fail("core_choice", "use core, non_core or leave empty")
    parsed["core_choice"] = core_choice
    try:
        parsed["hours"] = _decimal(row.get("hours", ""), MAX_HOURS, 2) or Decimal("0")
    except ValueError as exc:
        fail("hours", str(exc))
    try:
        parsed["inhouse_hourly_cost"] = _decimal(row.get("inhouse_hourly_cost", ""), MAX_HOURLY_COST, 2)
    except ValueError as exc:
        fail("inhouse_hourly_cost", str(exc))
    parsed["inhouse_cost_currency"] = row.get("currency", "").upper()
    cadence = row.get("checkpoint_every_days", "")
    parsed["checkpoint_every_days"] = None
    if cadence:
        if not cadence.isdigit() or not 1 <= int(cadence) <= 365:
            fail("checkpoint_every_days", "a whole number of days from 1 to 365, or empty")
        else:
            parsed["checkpoint_every_days"] = int(cadence)
    for column, field in QUESTION_COLUMNS.items():
        try:
            parsed[field] = _yes_no(row.get(column, ""))
        except ValueError as exc:
            fail(column, str(exc))
    needs: dict[Skill, int] = {}
    for item in filter(None, (p.strip() for p in row.get("skills", "").split(";"))):
        skill_name, _, level = item.rpartition(":")
        skill = skills.get(skill_name.strip().lower())
        if not skill_name or skill is None:
            fail("skills", f"unknown skill {item!r}: add it under Talent → Skills first (format 'Skill:3; Other:2')")
        elif not level.strip().isdigit() or not 1 <= int(level) <= 5:
            fail("skills", f"level of {skill_name.strip()} must be 1 to 5")
        else:
            needs[skill] = int(level)
    parsed["skills"] = needs
    return parsed


def _differs(task: Task, fields: dict[str, Any], needs: dict[Skill, int]) -> bool:
    if any(getattr(task, k) != v for k, v in fields.items()):
        return True
    return {ts.skill_id: ts.level for ts in task.skill_needs.all()} != {s.pk: lvl for s, lvl in needs.items()}


def import_tasks(*, workspace: Workspace, actor: Any, file: IO[Any] | bytes | str) -> ImportResult:
    """Import a whole file or nothing; errors name the row and column."""
    skills = {s.name.lower(): s for s in Skill.objects.in_workspace(workspace)}
    errors: list[RowError] = []
    rows: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for number, row in read_rows(file, required=("name",), optional=COLUMNS):
        parsed = _parse(number, row, skills, errors)
        key = parsed["name"].lower()
        if key and key in seen:
            errors.append(RowError(number, "name", f"the task {parsed['name']!r} is already on row {seen[key]}"))
        seen[key] = number
        rows.append((number, parsed))
    if errors:
        raise CsvImportError(errors)
    existing = {t.name.lower(): t for t in with_skills(Task.objects.in_workspace(workspace))}
    created = updated = unchanged = 0
    with transaction.atomic():
        for number, parsed in rows:
            needs = parsed.pop("skills")
            if not parsed["inhouse_cost_currency"] and parsed["inhouse_hourly_cost"] is not None:
                parsed["inhouse_cost_currency"] = workspace.base_currency
            task = existing.get(parsed["name"].lower())
            try:
                if task is None:
                    services.create_task(workspace=workspace, actor=actor, skills=needs, **parsed)
                    created += 1
                elif _differs(task, parsed, needs):
                    parsed.pop("name")  # matched by name; keep the stored spelling
                    services.update_task(task=task, actor=actor, skills=needs, **parsed)
                    updated += 1
                else:
                    unchanged += 1
            except ValidationError as exc:
                errors.extend(
                    RowError(number, "" if field == "__all__" else field, message)
                    for field, messages in (
                        exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
                    )
                    for message in messages
                )
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise CsvImportError(errors)
    return ImportResult(created, updated, unchanged)


def _yn(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def export_tasks(tasks: QuerySet[Task]) -> Iterator[str]:
    """CSV lines of the tasks (the same columns the import reads)."""

    def rows() -> Iterator[list[Any]]:
        for task in with_skills(tasks).order_by("name", "id").iterator(chunk_size=500):
            yield [
                task.name,
                task.description,
                task.frequency,
                task.hours,
                task.inhouse_hourly_cost,
                task.inhouse_cost_currency,
                task.sourcing,
                task.justification,
                task.checkpoint_every_days,
                *(_yn(getattr(task, f)) for f in CORE_QUESTION_FIELDS),
                task.core_choice,
                "; ".join(f"{ts.skill.name}:{ts.level}" for ts in task.skill_needs.all()),
            ]

    return write_rows(COLUMNS, rows())

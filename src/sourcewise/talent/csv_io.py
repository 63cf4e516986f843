"""CSV import and export of freelancers.

Columns (header names, any order; only name, email, country and timezone are required):

    name, email, country, timezone, work_start, work_end, work_days, languages, skills,
    hourly_rate, currency, availability_hours, notes

* `work_days`: day names separated by spaces or semicolons, e.g. `Mon Tue Wed Thu Fri`;
* `languages`: `en:C1; es:B2` (ISO 639-1 code : CEFR level);
* `skills`: `Copywriting:4; SEO:3` (skill name of this workspace : level 1–5).

Import is all-or-nothing per file: a first pass reads the file row by row and checks
every value by name (an unknown country, zone, language, currency or skill is an error
naming the row and the value); only a file without errors is written, in one
transaction, chunk by chunk with bulk operations. Rows are matched by email, so
importing the same file again changes nothing. The file is streamed: memory stays flat.
Status and vetting records are not imported; new people start as prospects.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import IO, Any

import pycountry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from sourcewise.audit.services import record
from sourcewise.core.validators import CEFR_LEVELS
from sourcewise.talent.models import WEEKDAY_NAMES, Freelancer, FreelancerLanguage, FreelancerSkill, Skill

COLUMNS = (
    "name", "email", "country", "timezone", "work_start", "work_end", "work_days", "languages", "skills",
    "hourly_rate", "currency", "availability_hours", "notes",
)  # fmt: skip
REQUIRED = ("name", "email", "country", "timezone")
CHUNK = 2000
# The shape Django's EmailField accepts for ordinary addresses, checked without its per-call cost.
EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
MAX_ERRORS = 200
Progress = Callable[[str, int], None]


@cache
def _countries() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


@cache
def _currencies() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


@cache
def _languages() -> frozenset[str]:
    return frozenset(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


DAY_INDEX = {name.lower(): i for i, name in enumerate(WEEKDAY_NAMES)}


@dataclass
class Row:
    number: int
    fields: dict[str, Any]
    skills: dict[int, int]
    languages: dict[str, str]


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRefused(ValidationError):
    def __init__(self, result: ImportResult) -> None:
        super().__init__(result.errors)
        self.result = result


def _time(value: str, default: datetime.time) -> datetime.time:
    if not value:
        return default
    return datetime.time.fromisoformat(value if len(value) > 2 else f"{int(value):02d}:00")


def parse_row(number: int, raw: dict[str, str], skills_by_name: dict[str, int]) -> tuple[Row | None, list[str]]:
    problems: list[str] = []
    get = lambda key: (raw.get(key) or "").strip()  # noqa: E731
    for key in REQUIRED:
        if not get(key):
            problems.append(f"{key} is empty")
    name, email = get("name"), get("email").lower()
    if email and (len(email) > 254 or not EMAIL.match(email)):
        problems.append(f"email {email!r} is not an email address")
    country = get("country").upper()
    if country and country not in _countries():
        problems.append(f"unknown country {country!r} (use an ISO 3166 code such as DE)")
    zone = get("timezone")
    if zone and zone not in _zones():
        problems.append(f"unknown time zone {zone!r} (use an IANA name such as Europe/Berlin)")
    try:
        start = _time(get("work_start"), datetime.time(9, 0))
        end = _time(get("work_end"), datetime.time(17, 0))
        if start == end:
            problems.append("working hours start and end at the same time")
    except ValueError:
        problems.append(f"working hours {get('work_start')!r}–{get('work_end')!r} are not times like 09:00")
        start = end = datetime.time(9, 0)
    days: list[int] = []
    for token in get("work_days").replace(";", " ").replace(",", " ").split() or ["mon", "tue", "wed", "thu", "fri"]:
        index = DAY_INDEX.get(token[:3].lower())
        if index is None:
            problems.append(f"unknown working day {token!r} (use Mon … Sun)")
        else:
            days.append(index)
    languages: dict[str, str] = {}
    for item in filter(None, (p.strip() for p in get("languages").split(";"))):
        code, _, level = (x.strip() for x in item.partition(":"))
        code, level = code.lower(), level.upper()
        if code not in _languages():
            problems.append(f"unknown language {code!r} (use an ISO 639-1 code such as en)")
        elif level not in CEFR_LEVELS:
            problems.append(f"unknown level {level!r} for language {code} (use A1 … C2)")
        else:
            languages[code] = level
    skills: dict[int, int] = {}
    for item in filter(None, (p.strip() for p in get("skills").split(";"))):
        skill, _, level = (x.strip() for x in item.rpartition(":"))
        skill_id = skills_by_name.get(skill.lower())
        if skill_id is None:
            problems.append(f"unknown skill {skill or item!r} (add it under Skills first)")
        elif level not in {"1", "2", "3", "4", "5"}:
            problems.append(f"skill level {level!r} for {skill} must be 1 to 5")
        else:
            skills[skill_id] = int(level)
    rate: Decimal | None = None
    currency = get("currency").upper()
    if get("hourly_rate"):
        try:
            rate = Decimal(get("hourly_rate"))
            if rate < 0 or rate != rate.quantize(Decimal("0.01")) or rate >= Decimal("1e8"):
                raise InvalidOperation
        except InvalidOperation:
            problems.append(f"hourly rate {get('hourly_rate')!r} is not an amount like 25.00")
        if not currency:
            problems.append("hourly rate without a currency")
    if currency and currency not in _currencies():
        problems.append(f"unknown currency {currency!r} (use an ISO 4217 code such as EUR)")
    availability = 40
    if get("availability_hours"):
        try:
            availability = int(get("availability_hours"))
            if not 0 <= availability <= 168:
                raise ValueError
        except ValueError:
            problems.append(f"availability {get('availability_hours')!r} must be 0 to 168 hours a week")
    if len(name) > 150:
        problems.append("name is longer than 150 characters")
    if problems:
        return None, [f"Row {number}: " + "; ".join(problems) + "."]
    fields = {
        "name": name,
        "email": email,
        "country": country,
        "timezone": zone,
        "work_start": start,
        "work_end": end,
        "work_days": sorted(set(days)),
        "hourly_rate": rate,
        "rate_currency": currency,
        "availability_hours": availability,
        "notes": get("notes"),
    }
    return Row(number, fields, skills, languages), []


def _reader(stream: IO[bytes] | IO[str]) -> Iterator[dict[str, str]]:
    text: IO[str] = (
        io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")  # type: ignore[arg-type,type-var]
        if not isinstance(stream, io.TextIOBase)
        else stream
    )
    reader = csv.DictReader(text)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportRefused(ImportResult(errors=[f"The header row lacks the column(s): {', '.join(missing)}."]))
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise ImportRefused(
            ImportResult(errors=[f"Unknown column(s): {', '.join(unknown)}. Known: {', '.join(COLUMNS)}."])
        )
    reader.fieldnames = header
    yield from reader


def _chunks(rows: Iterable[Row], size: int | None = None) -> Iterator[list[Row]]:
    size = size or CHUNK
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def check_file(open_file: Callable[[], IO[Any]], workspace: Any, progress: Progress | None = None) -> ImportResult:
    """Pass 1: every row checked by name, without writing. Duplicated emails are errors too."""
    skills = _skill_ids(workspace)
    result = ImportResult()
    seen: dict[str, int] = {}
    with open_file() as stream:
        for number, raw in enumerate(_reader(stream), start=2):
            result.rows += 1
            row, problems = parse_row(number, raw, skills)
            if row is not None:
                first = seen.setdefault(row.fields["email"], number)
                if first != number:
                    problems = [f"Row {number}: email {row.fields['email']!r} already appears on row {first}."]
            if problems and len(result.errors) < MAX_ERRORS:
                result.errors.extend(problems)
            if progress and result.rows % CHUNK == 0:
                progress("checking", result.rows)
    if not result.rows and not result.errors:
        result.errors.append("The file has a header but no rows.")
    return result


def _skill_ids(workspace: Any) -> dict[str, int]:
    return {name.lower(): pk for pk, name in Skill.objects.in_workspace(workspace).values_list("pk", "name")}


def _compare(fields: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(fields[k] for k in sorted(fields))


def import_freelancers(
    open_file: Callable[[], IO[Any]], *, workspace: Any, actor: Any, progress: Progress | None = None
) -> ImportResult:
    """Check the whole file, then write it in one transaction. Raises ImportRefused with row errors."""
    checked = check_file(open_file, workspace, progress)
    if checked.errors:
        raise ImportRefused(checked)
    if progress:
        progress("saving", 0)
    result = ImportResult(rows=checked.rows)
    skills = _skill_ids(workspace)
    with transaction.atomic(), open_file() as stream:
        rows = (parse_row(n, raw, skills)[0] for n, raw in enumerate(_reader(stream), start=2))
        done = 0
        for chunk in _chunks(r for r in rows if r is not None):
            _write_chunk(chunk, workspace, result)
            done += len(chunk)
            if progress:
                progress("saving", done)
        record(
            actor=actor,
            workspace=workspace,
            action="freelancer.import",
            changes={"rows": result.rows, "created": result.created, "updated": result.updated},
        )
    return result


def _write_chunk(chunk: list[Row], workspace: Any, result: ImportResult) -> None:
    emails = [r.fields["email"] for r in chunk]
    field_names = list(chunk[0].fields)
    existing = {
        f["email_lower"]: f
        for f in Freelancer.objects.in_workspace(workspace)
        .annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .values("id", "email_lower", *field_names)
    }
    ids = [f["id"] for f in existing.values()]
    skills: dict[int, dict[int, int]] = {}
    for fid, sid, level in FreelancerSkill.objects.filter(freelancer_id__in=ids).values_list(
        "freelancer_id", "skill_id", "level"
    ):
        skills.setdefault(fid, {})[sid] = level
    languages: dict[int, dict[str, str]] = {}
    for owner_id, code, cefr in FreelancerLanguage.objects.filter(freelancer_id__in=ids).values_list(
        "freelancer_id", "language", "level"
    ):
        languages.setdefault(owner_id, {})[code] = cefr

    now = timezone.now()
    to_create: list[Row] = []
    to_update: list[Freelancer] = []
    relink: list[tuple[int, Row]] = []
    for row in chunk:
        current = existing.get(row.fields["email"])
        if current is None:
            to_create.append(row)
            continue
        fid = current["id"]
        stored = {k: current[k] for k in field_names}
        same_fields = _compare({**stored, "email": row.fields["email"]}) == _compare(row.fields)
        same_links = skills.get(fid, {}) == row.skills and languages.get(fid, {}) == row.languages
        if same_fields and same_links:
            result.unchanged += 1
            continue
        result.updated += 1
        if not same_fields:
            to_update.append(Freelancer(pk=fid, workspace=workspace, updated_at=now, **row.fields))
        if not same_links:
            relink.append((fid, row))
    created = Freelancer.objects.bulk_create(
        [Freelancer(workspace=workspace, created_at=now, updated_at=now, **r.fields) for r in to_create]
    )
    result.created += len(created)
    if to_update:
        Freelancer.objects.bulk_update(to_update, [*field_names, "updated_at"])
    if relink:
        relinked = [fid for fid, _ in relink]
        FreelancerSkill.objects.filter(freelancer_id__in=relinked).delete()
        FreelancerLanguage.objects.filter(freelancer_id__in=relinked).delete()
    pairs = [(f.pk, r) for f, r in zip(created, to_create, strict=True)] + relink
    FreelancerSkill.objects.bulk_create(
        [
            FreelancerSkill(freelancer_id=fid, skill_id=sid, level=lvl)
            for fid, r in pairs
            for sid, lvl in r.skills.items()
        ]
    )
    FreelancerLanguage.objects.bulk_create(
        [
            FreelancerLanguage(workspace=workspace, freelancer_id=fid, language=code, level=lvl)
            for fid, r in pairs
            for code, lvl in r.languages.items()
        ]
    )


def export_rows(workspace: Any, freelancers: Any = None) -> Iterator[list[str]]:
    """The header, then one row per freelancer, in chunks (memory stays flat)."""
    yield list(COLUMNS)
    queryset = freelancers if freelancers is not None else Freelancer.objects.in_workspace(workspace)
    queryset = queryset.order_by("pk")
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).prefetch_related("skill_levels__skill", "languages")[:CHUNK])
        if not batch:
            return
        for f in batch:
            yield [
                f.name,
                f.email,
                f.country,
                f.timezone,
                f.work_start.strftime("%H:%M"),
                f.work_end.strftime("%H:%M"),
                " ".join(WEEKDAY_NAMES[d] for d in f.work_days),
                "; ".join(f"{lang.language}:{lang.level}" for lang in f.languages.all()),
                "; ".join(f"{fs.skill.name}:{fs.level}" for fs in f.skill_levels.all()),
                "" if f.hourly_rate is None else f"{f.hourly_rate:.2f}",
                f.rate_currency,
                str(f.availability_hours),
                f.notes,
            ]
        last = batch[-1].pk


class Echo:
    def write(self, value: str) -> str:
        return value


def export_lines(workspace: Any, freelancers: Any = None) -> Iterator[str]:
    writer = csv.writer(Echo())
    for row in export_rows(workspace, freelancers):
        yield writer.writerow(row)

"""CSV import and export of freelancers.

Columns (header names, any order; only name, email, country and timezone are required):

    name, email, country, timezone, work_start, work_end, work_days, languages, skills,
    hourly_rate, currency, availability_hours, notes

* `work_days`: day names separated by spaces or semicolons, e.g. `Mon Tue Wed Thu Fri`;
* `languages`: `en:C1; es:B2` (ISO 639-1 code : CEFR level);
* `skills`: `Copywriting:4; SEO:3` (skill name of this workspace : level 1–5).

Import is all-or-nothing per file: a first pass reads the file row by row and checks
every value by name (an unknown country, zone, language, currency or skill is an error
naming the row and the value), spooling the parsed rows to a temporary file; only a
file without errors is written, in ONE transaction, chunk by chunk with multi-row
INSERTs (SPEC P4: 100 000 rows ≤ 15 s on SQLite, ≤ 30 s on PostgreSQL; `bench/talent_import.py`).
Rows are matched by email, so importing the same file again changes nothing. The file
is streamed: memory stays flat (a set of the emails is all that grows with the file).
Status and vetting records are not imported; new people start as prospects.

Files are read by the shared `core.csvio.read_rows` (streamed, no size cap) and written
by `core.csvio.write_rows` (spreadsheet formulas neutralised); errors say "Row 3: …".
"""

from __future__ import annotations

import datetime
import pickle
import re
import tempfile
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import IO, Any

import pycountry
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.utils import timezone

from sourcewise.audit.services import record
from sourcewise.core.csvio import CsvImportError, RowError, Wording, read_rows, write_rows
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
WORDING = Wording(
    noun="Row",
    empty="The header row lacks the column(s): {missing}.",
    missing="The header row lacks the column(s): {missing}.",
    unknown="Unknown column(s): {unknown}. Known: {allowed}.",
)
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


def _hours(start_text: str, end_text: str) -> tuple[datetime.time, datetime.time, list[str]]:
    try:
        start = _time(start_text, datetime.time(9, 0))
        end = _time(end_text, datetime.time(17, 0))
    except ValueError:
        return (
            datetime.time(9, 0),
            datetime.time(9, 0),
            [f"working hours {start_text!r}–{end_text!r} are not times like 09:00"],
        )
    return start, end, ["working hours start and end at the same time"] if start == end else []


def _days(text: str) -> tuple[list[int], list[str]]:
    days: list[int] = []
    problems: list[str] = []
    for token in text.replace(";", " ").replace(",", " ").split() or ["mon", "tue", "wed", "thu", "fri"]:
        index = DAY_INDEX.get(token[:3].lower())
        if index is None:
            problems.append(f"unknown working day {token!r} (use Mon … Sun)")
        else:
            days.append(index)
    return sorted(set(days)), problems


def _language_levels(text: str) -> tuple[dict[str, str], list[str]]:
    languages: dict[str, str] = {}
    problems: list[str] = []
    for item in filter(None, (p.strip() for p in text.split(";"))):
        code, _, level = (x.strip() for x in item.partition(":"))
        code, level = code.lower(), level.upper()
        if code not in _languages():
            problems.append(f"unknown language {code!r} (use an ISO 639-1 code such as en)")
        elif level not in CEFR_LEVELS:
            problems.append(f"unknown level {level!r} for language {code} (use A1 … C2)")
        else:
            languages[code] = level
    return languages, problems


def _skill_levels(text: str, skills_by_name: dict[str, int]) -> tuple[dict[int, int], list[str]]:
    skills: dict[int, int] = {}
    problems: list[str] = []
    for item in filter(None, (p.strip() for p in text.split(";"))):
        skill, _, level = (x.strip() for x in item.rpartition(":"))
        skill_id = skills_by_name.get(skill.lower())
        if skill_id is None:
            problems.append(f"unknown skill {skill or item!r} (add it under Skills first)")
        elif level not in {"1", "2", "3", "4", "5"}:
            problems.append(f"skill level {level!r} for {skill} must be 1 to 5")
        else:
            skills[skill_id] = int(level)
    return skills, problems


def _rate(text: str) -> tuple[Decimal | None, list[str]]:
    if not text:
        return None, []
    try:
        rate = Decimal(text)
        if rate < 0 or rate != rate.quantize(Decimal("0.01")) or rate >= Decimal("1e8"):
            raise InvalidOperation
    except InvalidOperation:
        return None, [f"hourly rate {text!r} is not an amount like 25.00"]
    return rate, []


def _availability(text: str) -> tuple[int, list[str]]:
    if not text:
        return 40, []
    try:
        availability = int(text)
        if not 0 <= availability <= 168:
            raise ValueError
    except ValueError:
        return 40, [f"availability {text!r} must be 0 to 168 hours a week"]
    return availability, []


def _cached(cache: dict[Any, Any], key: Any, make: Callable[[], Any]) -> Any:
    """Most columns repeat (zones, hours, days, skills, rates): each distinct text is parsed once
    per file. The cache stays small; a file of all-distinct values only fills it up to a bound."""
    found = cache.get(key)
    if found is None:
        found = make()
        if len(cache) < 50_000:
            cache[key] = found
    return found


def parse_row(
    number: int, raw: dict[str, str], skills_by_name: dict[str, int], cache: dict[Any, Any] | None = None
) -> tuple[Row | None, RowError | None]:
    """One row as `read_rows` gives it (stripped text by column): the parsed row, or every problem of it."""
    cache = {} if cache is None else cache
    get = raw.get
    problems: list[str] = [f"{key} is empty" for key in REQUIRED if not get(key)]
    name, email = get("name", ""), get("email", "").lower()
    if email and (len(email) > 254 or not EMAIL.match(email)):
        problems.append(f"email {email!r} is not an email address")
    country = get("country", "").upper()
    if country and country not in _countries():
        problems.append(f"unknown country {country!r} (use an ISO 3166 code such as DE)")
    zone = get("timezone", "")
    if zone and zone not in _zones():
        problems.append(f"unknown time zone {zone!r} (use an IANA name such as Europe/Berlin)")
    start_text, end_text = get("work_start", ""), get("work_end", "")
    start, end, found = _cached(cache, ("hours", start_text, end_text), lambda: _hours(start_text, end_text))
    problems += found
    days_text = get("work_days", "")
    days, found = _cached(cache, ("days", days_text), lambda: _days(days_text))
    problems += found
    languages_text = get("languages", "")
    languages, found = _cached(cache, ("languages", languages_text), lambda: _language_levels(languages_text))
    problems += found
    skills_text = get("skills", "")
    skills, found = _cached(cache, ("skills", skills_text), lambda: _skill_levels(skills_text, skills_by_name))
    problems += found
    currency = get("currency", "").upper()
    rate_text = get("hourly_rate", "")
    rate, found = _cached(cache, ("rate", rate_text), lambda: _rate(rate_text))
    problems += found
    if rate_text and not currency:
        problems.append("hourly rate without a currency")
    if currency and currency not in _currencies():
        problems.append(f"unknown currency {currency!r} (use an ISO 4217 code such as EUR)")
    availability_text = get("availability_hours", "")
    availability, found = _cached(cache, ("available", availability_text), lambda: _availability(availability_text))
    problems += found
    if len(name) > 150:
        problems.append("name is longer than 150 characters")
    if problems:
        return None, RowError(number, "", "; ".join(problems) + ".")
    fields = {
        "name": name,
        "email": email,
        "country": country,
        "timezone": zone,
        "work_start": start,
        "work_end": end,
        "work_days": days,
        "hourly_rate": rate,
        "rate_currency": currency,
        "availability_hours": availability,
        "notes": get("notes", ""),
    }
    return Row(number, fields, skills, languages), None


def _message(error: RowError) -> str:
    """A problem as the import lists it: "Row 3: …"; the file's and its header's without a number."""
    return error.message if error.row <= 1 else error.describe(WORDING.noun)


def _spool_rows(
    open_file: Callable[[], IO[Any]], workspace: Any, spool: IO[bytes], progress: Progress | None
) -> ImportResult:
    """Pass 1: read the file once, check every row by name (duplicated emails too), and write the
    parsed rows, chunk by chunk, to `spool` (a temporary file): memory stays flat and no row is
    parsed twice. Nothing touches the database."""
    skills = _skill_ids(workspace)
    result = ImportResult()
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    cache: dict[Any, Any] = {}
    chunk: list[tuple[Any, ...]] = []
    with open_file() as stream:
        rows = read_rows(stream, required=REQUIRED, optional=COLUMNS, max_bytes=None, wording=WORDING, errors=errors)
        try:
            for number, raw in rows:
                result.rows += 1
                row, problem = parse_row(number, raw, skills, cache)
                if row is not None:
                    first = seen.setdefault(row.fields["email"], number)
                    if first != number:
                        problem = RowError(number, "", f"email {row.fields['email']!r} already appears on row {first}.")
                if problem is not None:
                    if len(errors) < MAX_ERRORS:
                        errors.append(problem)
                elif row is not None and not errors:
                    chunk.append(
                        (tuple(row.fields[k] for k in FIELDS), tuple(row.skills.items()), tuple(row.languages.items()))
                    )
                    if len(chunk) >= CHUNK:
                        pickle.dump(chunk, spool, protocol=pickle.HIGHEST_PROTOCOL)
                        chunk = []
                if progress and result.rows % CHUNK == 0:
                    progress("checking", result.rows)
        except CsvImportError as refused:
            raise ImportRefused(ImportResult(errors=[_message(e) for e in refused.errors])) from None
    result.errors = [_message(e) for e in errors[:MAX_ERRORS]]
    if chunk and not errors:
        pickle.dump(chunk, spool, protocol=pickle.HIGHEST_PROTOCOL)
    if not result.rows and not errors:
        result.errors.append("The file has a header but no rows.")
    return result


def check_file(open_file: Callable[[], IO[Any]], workspace: Any, progress: Progress | None = None) -> ImportResult:
    """Every row checked by name, without writing. Duplicated emails are errors too."""
    with tempfile.TemporaryFile() as spool:
        return _spool_rows(open_file, workspace, spool, progress)


def _skill_ids(workspace: Any) -> dict[str, int]:
    return {name.lower(): pk for pk, name in Skill.objects.in_workspace(workspace).values_list("pk", "name")}


def import_freelancers(
    open_file: Callable[[], IO[Any]], *, workspace: Any, actor: Any, progress: Progress | None = None
) -> ImportResult:
    """Check the whole file, then write it in one transaction. Raises ImportRefused with row errors.

    Pass 1 parses and checks the streamed file into a spool of ready rows; pass 2 writes
    the spool in ONE transaction — new people with multi-row INSERTs (their skills and
    languages with executemany), changed people with bulk updates — so a crash or a
    `kill -9` at any point leaves all rows of the file or none. Emails already in the
    workspace are read once; importing the same file again writes nothing.
    """
    with tempfile.TemporaryFile() as spool:
        checked = _spool_rows(open_file, workspace, spool, progress)
        if checked.errors:
            raise ImportRefused(checked)
        if progress:
            progress("saving", 0)
        result = ImportResult(rows=checked.rows)
        spool.seek(0)
        with transaction.atomic():
            writer = _Writer(workspace)
            done = 0
            while True:
                try:
                    chunk = pickle.load(spool)  # noqa: S301 — our own spool, written above
                except EOFError:
                    break
                writer.write(chunk, result)
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


FIELDS = (
    "name", "email", "country", "timezone", "work_start", "work_end", "work_days", "hourly_rate", "rate_currency",
    "availability_hours", "notes",
)  # fmt: skip
INSERT_BATCH = 500  # rows per multi-row INSERT: 16 parameters each, well under SQLite's limit
Spooled = tuple[tuple[Any, ...], tuple[tuple[int, int], ...], tuple[tuple[str, str], ...]]


def _ids_in(model: Any, column: str, ids: Iterable[int]) -> RawSQL:
    """`column IN (1, 2, …)` with the integers written out (Django's `__in` costs ~10 µs a value)."""
    qn = connection.ops.quote_name
    listed = ",".join(str(int(i)) for i in ids)
    return RawSQL(f"{qn(model._meta.db_table)}.{qn(column)} IN ({listed})", [], output_field=BooleanField())  # noqa: S611


def _insert_many(cursor: Any, insert: str, rows: list[tuple[Any, ...]]) -> None:
    """Multi-row INSERTs of up to INSERT_BATCH × 4 rows (one round trip each, on PostgreSQL too)."""
    size = INSERT_BATCH * 4
    for first in range(0, len(rows), size):
        batch = rows[first : first + size]
        one = "(" + ", ".join(["%s"] * len(batch[0])) + ")"
        cursor.execute(insert + ", ".join([one] * len(batch)), [v for row in batch for v in row])


class _Writer:
    """Writes spooled rows with plain SQL; values are prepared by the model fields themselves,
    each distinct value once (times, days, rates and codes repeat a lot)."""

    def __init__(self, workspace: Any) -> None:
        self.workspace = workspace
        self.now = timezone.now()
        self.existing: dict[str, int] = dict(
            Freelancer.objects.in_workspace(workspace)
            .annotate(email_lower=Lower("email"))
            .values_list("email_lower", "id")
            .iterator(chunk_size=10_000)
        )
        meta = Freelancer._meta
        fields = {f.name: f for f in meta.concrete_fields}
        self.prep = [fields[name].get_db_prep_save for name in FIELDS]
        self.memo: list[dict[Any, Any]] = [{} for _ in FIELDS]
        qn = connection.ops.quote_name
        now = fields["created_at"].get_db_prep_save(self.now, connection)
        self.fixed = (workspace.pk, Freelancer.Status.PROSPECT.value, now, now)
        columns = [*FIELDS, "workspace", "status", "created_at", "updated_at"]
        self.columns = ", ".join(qn(str(fields[c].column)) for c in columns)
        self.table = qn(meta.db_table)
        # Table and column names from the models, values as parameters.
        self.skill_sql = (
            f"INSERT INTO {qn(FreelancerSkill._meta.db_table)} ({qn('freelancer_id')}, {qn('skill_id')}, "  # noqa: S608
            f"{qn('level')}) VALUES "
        )
        self.language_sql = (
            f"INSERT INTO {qn(FreelancerLanguage._meta.db_table)} ({qn('workspace_id')}, {qn('freelancer_id')}, "  # noqa: S608
            f"{qn('language')}, {qn('level')}) VALUES "
        )

    def _prepared(self, values: tuple[Any, ...]) -> list[Any]:
        out = []
        for i, value in enumerate(values):
            key = tuple(value) if isinstance(value, list) else value
            if i in (0, 1, 10):  # name, email, notes: text as is
                out.append(value)
                continue
            memo = self.memo[i]
            if key not in memo:
                memo[key] = self.prep[i](value, connection)
            out.append(memo[key])
        return out

    def write(self, chunk: list[Spooled], result: ImportResult) -> None:
        new = [row for row in chunk if row[0][1] not in self.existing]
        known = [row for row in chunk if row[0][1] in self.existing]
        with connection.cursor() as cursor:
            copy = connection.vendor == "postgresql"
            pairs = self._copy_new(cursor, new) if copy else self._insert_new(cursor, new)
            self.existing.update((row[0][1], fid) for fid, row in pairs)
            result.created += len(new)
            self._link(cursor, pairs)
        if known:
            self._update(known, result)

    def _insert_new(self, cursor: Any, new: list[Spooled]) -> list[tuple[int, Spooled]]:
        """Multi-row INSERT … RETURNING: each new person's id, matched back by email."""
        ids: dict[str, int] = {}
        for first in range(0, len(new), INSERT_BATCH):
            batch = new[first : first + INSERT_BATCH]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * (len(FIELDS) + 4)) + ")"] * len(batch))
            params = [v for fields, _, _ in batch for v in (*self._prepared(fields), *self.fixed)]
            cursor.execute(
                f"INSERT INTO {self.table} ({self.columns}) VALUES {placeholders} RETURNING id, email",  # noqa: S608
                params,
            )
            ids.update((email, pk) for pk, email in cursor.fetchall())
        return [(ids[row[0][1]], row) for row in new]

    def _copy_new(self, cursor: Any, new: list[Spooled]) -> list[tuple[int, Spooled]]:
        """PostgreSQL: ids drawn from the table's sequence, rows sent with COPY (no SQL to parse)."""
        from psycopg.types.json import Jsonb

        if not new:
            return []
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Freelancer._meta.db_table, len(new)],
        )
        pairs = [(int(pk), row) for (pk,), row in zip(cursor.fetchall(), new, strict=True)]
        days = FIELDS.index("work_days")
        fixed = (self.workspace.pk, Freelancer.Status.PROSPECT.value, self.now, self.now)
        with cursor.cursor.copy(f"COPY {self.table} (id, {self.columns}) FROM STDIN") as copy:
            for pk, (fields, _, _) in pairs:
                values = list(fields)
                values[days] = Jsonb(values[days])
                copy.write_row((pk, *values, *fixed))
        return pairs

    def _link(self, cursor: Any, pairs: list[tuple[int, Spooled]]) -> None:
        skills = [(fid, sid, level) for fid, (_, links, _) in pairs for sid, level in links]
        languages = [(self.workspace.pk, fid, code, level) for fid, (_, _, langs) in pairs for code, level in langs]
        if connection.vendor == "postgresql":
            for insert, rows in ((self.skill_sql, skills), (self.language_sql, languages)):
                if rows:
                    with cursor.cursor.copy(
                        insert.replace("INSERT INTO", "COPY").replace(" VALUES ", " FROM STDIN")
                    ) as copy:
                        for row in rows:
                            copy.write_row(row)
            return
        _insert_many(cursor, self.skill_sql, skills)
        _insert_many(cursor, self.language_sql, languages)

    def _update(self, known: list[Spooled], result: ImportResult) -> None:
        """People already in the workspace: unchanged ones are left alone, changed ones updated."""
        by_id = {self.existing[row[0][1]]: row for row in known}
        stored = {
            values[0]: values[1:]
            for values in Freelancer.objects.filter(_ids_in(Freelancer, "id", by_id)).values_list("id", *FIELDS)
        }
        skills: dict[int, dict[int, int]] = {}
        for fid, sid, level in FreelancerSkill.objects.filter(
            _ids_in(FreelancerSkill, "freelancer_id", by_id)
        ).values_list("freelancer_id", "skill_id", "level"):
            skills.setdefault(fid, {})[sid] = level
        languages: dict[int, dict[str, str]] = {}
        for owner, code, cefr in FreelancerLanguage.objects.filter(
            _ids_in(FreelancerLanguage, "freelancer_id", by_id)
        ).values_list("freelancer_id", "language", "level"):
            languages.setdefault(owner, {})[code] = cefr
        to_update: list[Freelancer] = []
        relink: list[tuple[int, Spooled]] = []
        for fid, row in by_id.items():
            fields, links, langs = row
            current = stored[fid]
            # Matched by email without case: the stored email's case is kept.
            same_fields = (current[0], *current[2:]) == (fields[0], *fields[2:])
            same_links = skills.get(fid, {}) == dict(links) and languages.get(fid, {}) == dict(langs)
            if same_fields and same_links:
                result.unchanged += 1
                continue
            result.updated += 1
            if not same_fields:
                to_update.append(
                    Freelancer(
                        pk=fid, workspace=self.workspace, updated_at=self.now, **dict(zip(FIELDS, fields, strict=True))
                    )
                )
            if not same_links:
                relink.append((fid, row))
        if to_update:
            Freelancer.objects.bulk_update(to_update, [*FIELDS, "updated_at"])
        if relink:
            relinked = [fid for fid, _ in relink]
            FreelancerSkill.objects.filter(freelancer_id__in=relinked).delete()
            FreelancerLanguage.objects.filter(freelancer_id__in=relinked).delete()
            with connection.cursor() as cursor:
                self._link(cursor, relink)


def export_rows(workspace: Any, freelancers: Any = None) -> Iterator[list[str]]:
    """One row per freelancer in COLUMNS, in chunks (memory stays flat)."""
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


def export_lines(workspace: Any, freelancers: Any = None) -> Iterator[str]:
    """The CSV the import reads, line by line, spreadsheet formulas neutralised."""
    return write_rows(COLUMNS, export_rows(workspace, freelancers))

"""Hot reads whose SQL the ORM writes once, then runs with new values (SPEC §6 P1, P7).

On the API's hottest paths (the token check, the engagements list and detail) building and
compiling a queryset costs several times more than running it: about 0.5 ms of Python
against 0.05 ms of SQL for one engagement. A `PreparedValues` builds its queryset once per
thread, database and key (e.g. the member's role, since scoping depends on it) from
*marks* — placeholder values that stand for what changes between calls — keeps the SQL
and the converters Django would apply, and each call runs that same SQL with the real
values put where the marks were.

So the statement is still written by the ORM from the same queryset (`for_member`
scoping included), and the dicts are those `.values()` would give, converters and all
(unless the caller asks for the driver's values, `converted=False`); only the compiling is
not repeated. The statement is kept with named placeholders
(`%(p0)s`): SQLite's backend turns those into its own with one `%` formatting, where
positional ones cost a regular expression over the whole statement on every call. A mark
must be a value no query would hold by itself
(a negative id, a string that cannot be a token prefix); a mark a key's queryset does not
use is simply not sent.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import QuerySet

from sourcewise.workspaces.models import Membership, Workspace

_PLACEHOLDER = re.compile(r"%%|%s")


def _named(sql: str) -> str:
    """`%s` placeholders as `%(p0)s`, `%(p1)s`, ... in order (`%%` stays a literal percent)."""
    counter = iter(range(1_000_000))

    def name(match: re.Match[str]) -> str:
        return "%%" if match.group() == "%%" else f"%(p{next(counter)})s"

    return _PLACEHOLDER.sub(name, sql)


@dataclass(frozen=True)
class _Statement:
    sql: str  # with named placeholders
    params: dict[str, Any]  # the constant ones; the marks' are replaced on each call
    slots: tuple[tuple[str, str], ...]  # (placeholder, mark name)
    names: tuple[str, ...]
    compiler: Any
    converters: dict[int, Any]


class PreparedValues:
    """`build(key, marks)` returns a `.values(...)` queryset; `rows(key, values)` runs its SQL."""

    def __init__(
        self,
        build: Callable[[Hashable, Mapping[str, Any]], QuerySet[Any]],
        *,
        marks: Mapping[str, Any],
        converted: bool = True,
    ) -> None:
        self._build = build
        self._marks = dict(marks)
        # converted=False: `tuples` gives the values as the database driver returns them (on
        # SQLite, naive UTC datetimes and decimals as floats) for a caller that writes them out
        # as text anyway (api.rendered's *_text): on SQLite the ORM's converters would make
        # each an aware datetime or a Decimal only for it to be formatted back.
        self._converted = converted
        self._local = threading.local()  # a connection (and its converters) belongs to one thread

    def _statement(self, key: Hashable, using: str) -> _Statement:
        cache: dict[tuple[Hashable, str], _Statement] = self._local.__dict__.setdefault("cache", {})
        found = cache.get((key, using))
        if found is not None:
            return found
        queryset = self._build(key, self._marks)
        query = queryset.query
        if query.low_mark or query.high_mark is not None:
            raise ValueError("slice in rows(limit=...), not in the prepared queryset")
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = tuple(
            (f"p{position}", name)
            for position, param in enumerate(params)
            for name, mark in self._marks.items()
            if type(param) is type(mark) and param == mark
        )
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(fields)
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
        constants = {f"p{position}": param for position, param in enumerate(params)}
        statement = _Statement(_named(sql), constants, slots, names, compiler, converters)
        cache[(key, using)] = statement
        return statement

    def tuples(
        self, key: Hashable, values: Mapping[str, Any], *, limit: int | None = None, using: str = "default"
    ) -> list[Any]:
        """The rows as sequences, in the order of `.values(...)`, converted as the ORM would
        (unless made with converted=False)."""
        statement = self._statement(key, using)
        params = dict(statement.params)
        for placeholder, name in statement.slots:
            params[placeholder] = values[name]
        sql = statement.sql
        if limit is not None:
            sql = f"{sql} LIMIT %(limit)s"
            params["limit"] = int(limit)
        with hot_cursor(using) as cursor:
            cursor.execute(sql, params)
            fetched: list[Any] = cursor.fetchall()
        if statement.converters and self._converted:
            return list(statement.compiler.apply_converters(fetched, statement.converters))
        return fetched

    def rows(
        self, key: Hashable, values: Mapping[str, Any], *, limit: int | None = None, using: str = "default"
    ) -> list[dict[str, Any]]:
        """The rows as `.values(...)` would give them."""
        names = self._statement(key, using).names
        return [dict(zip(names, row, strict=True)) for row in self.tuples(key, values, limit=limit, using=using)]


def hot_cursor(using: str = "default") -> Any:
    """Django's cursor (health check, query log, execute wrappers), binding its values on the
    server on PostgreSQL with prepared statements on (settings: DB_PREPARED_STATEMENTS), so
    psycopg prepares these statements, the same few on every request, instead of PostgreSQL
    planning each again. Only here: a statement bound on the server takes at most 65,535
    values, and the rest of the product's queries may send more."""
    connection = connections[using]
    cursor = connection.cursor()
    if connection.vendor == "postgresql" and connection.settings_dict["OPTIONS"].get("prepare_threshold") is not None:
        from django.db.backends.postgresql.base import ServerBindingCursor

        cursor.cursor.close()
        cursor.cursor = ServerBindingCursor(connection.connection)  # type: ignore[call-arg]  # psycopg 3 Cursor(connection)
    return cursor


def placeholder_member(role: str, marks: Mapping[str, Any]) -> Membership:
    """A membership made of marks, for `for_member(...)` in a prepared queryset: its workspace
    is the mark "workspace", its user the mark "user", its role the key."""
    return Membership(role=role, user_id=marks["user"], workspace=Workspace(pk=marks["workspace"]))


# Marks for ids: negative, so no real id or flag (True == 1) is ever taken for one.
MEMBER_MARKS: dict[str, Any] = {"workspace": -914_001, "user": -914_002}

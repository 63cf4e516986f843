"""Keyset pages for the long engagement lists: any page costs what the first one does.

A numbered page (`?page=2000`) makes the database read and throw away every row before it
(OFFSET), so the 2,000th page of 100,000 engagements is slow. A keyset page instead starts
after the last row shown (`?after=<cursor>`) or ends before the first (`?before=<cursor>`):
an index walk of one page, whatever the depth. The list keeps its order (newest start date
first, then the highest id; hours to approve: oldest day first), which is what the cursor
holds: `2026-03-02.1234`.

What a keyset page cannot say cheaply is its number; the list shows how many rows match
instead (one indexed COUNT), with "First", "Previous" and "Next" links.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, QueryDict

PAGE_SIZE = 50


class InvalidCursor(ValueError):
    pass


def encode(row: Any, key: str) -> str:
    return f"{getattr(row, key).isoformat()}.{row.pk}"


def decode(cursor: str) -> tuple[datetime.date, int]:
    try:
        day, pk = cursor.split(".", 1)
        return datetime.date.fromisoformat(day), int(pk)
    except ValueError as exc:
        raise InvalidCursor(cursor) from exc


@dataclass
class KeysetPage:
    """One page of rows, newest start date first, and the links around it."""

    items: list[Any]
    count: int | None  # None: not counted (too many to count cheaply)
    query: str  # the list's other parameters (filters), to keep in the links
    next_cursor: str | None = None
    previous_cursor: str | None = None
    first: bool = True

    def __iter__(self) -> Any:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)

    def _link(self, **cursor: str) -> str:
        params = [p for p in (self.query, "&".join(f"{k}={v}" for k, v in cursor.items())) if p]
        return "?" + "&".join(params)

    @property
    def first_url(self) -> str:
        return self._link()

    @property
    def next_url(self) -> str | None:
        return self._link(after=self.next_cursor) if self.next_cursor else None

    @property
    def previous_url(self) -> str | None:
        return self._link(before=self.previous_cursor) if self.previous_cursor else None


def _other_params(params: QueryDict) -> str:
    kept = params.copy()
    for name in ("after", "before", "page"):
        kept.pop(name, None)
    return kept.urlencode()


def _beyond(key: str, day: datetime.date, pk: int, *, later: bool) -> Q:
    """Rows after (`later`) or before the row (day, pk) in (key, pk) order; the plain bound on
    `key` lets the index seek to it instead of walking from the start."""
    op = "gt" if later else "lt"
    return Q(**{f"{key}__{op}e": day}) & (Q(**{f"{key}__{op}": day}) | Q(**{key: day, f"pk__{op}": pk}))


def keyset_page(
    request: HttpRequest,
    rows: QuerySet[Any],
    *,
    key: str = "start_date",
    descending: bool = True,
    per_page: int = PAGE_SIZE,
    count: bool = True,
) -> KeysetPage:
    """The page of `rows` in (`key`, pk) order (newest first when `descending`) that `?after=`
    or `?before=` asks for; `key` is a date field.

    Two queries: the page (one more row than shown, to know whether another follows) and
    the count (none with `count=False`: a broad search, the page says "many"). A cursor
    that is not one (edited by hand, or stale) gives the first page.
    """
    total = rows.order_by().count() if count else None
    query = _other_params(request.GET)
    forward = [f"-{key}", "-pk"] if descending else [key, "pk"]
    backward = [key, "pk"] if descending else [f"-{key}", "-pk"]
    after, before = request.GET.get("after", ""), request.GET.get("before", "")
    try:
        if before:
            day, pk = decode(before)
            # The rows just above the first one shown, read upwards, then turned round.
            found = list(rows.filter(_beyond(key, day, pk, later=descending)).order_by(*backward)[: per_page + 1])
            if found:  # else nothing is above it any more: the first page
                more_above = len(found) > per_page
                items = found[:per_page][::-1]
                page = KeysetPage(items, total, query, first=not more_above, next_cursor=encode(items[-1], key))
                page.previous_cursor = encode(items[0], key) if more_above else None
                return page
        if after:
            day, pk = decode(after)
            rows = rows.filter(_beyond(key, day, pk, later=not descending))
    except InvalidCursor:
        after = ""
    found = list(rows.order_by(*forward)[: per_page + 1])
    items = found[:per_page]
    page = KeysetPage(items, total, query, first=not after)
    if len(found) > per_page:
        page.next_cursor = encode(items[-1], key)
    if after and items:
        page.previous_cursor = encode(items[0], key)
    return page

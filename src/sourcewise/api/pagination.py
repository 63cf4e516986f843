"""Keyset (cursor) pagination: no OFFSET, no COUNT, the same cost on page 1 and page 1000.

The cursor is the id of the last row of the previous page; pass `next_cursor` back as
`cursor`. Rows are ordered by id, so rows added while paging are never skipped.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
CURSOR_PATTERN = r"^[0-9]{1,18}$"


class PageParams(Schema):
    cursor: str | None = Field(
        None, pattern=CURSOR_PATTERN, description="next_cursor of the previous page; leave out for the first page."
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page (1–200).")


def keyset_page(queryset: QuerySet[Any], cursor: str | None, limit: int) -> dict[str, Any]:
    """One page ordered by id, plus the cursor of the next page (None on the last page)."""
    limit = max(1, min(limit, MAX_LIMIT))
    queryset = queryset.order_by("pk")
    if cursor:
        queryset = queryset.filter(pk__gt=int(cursor))
    rows = list(queryset[: limit + 1])
    next_cursor = None
    if len(rows) > limit:  # rows are model instances, or dicts from .values() that include "id"
        last = rows[limit - 1]
        next_cursor = str(last["id"] if isinstance(last, dict) else last.pk)
    return {"items": rows[:limit], "next_cursor": next_cursor}

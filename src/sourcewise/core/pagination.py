"""Pagination for web lists: every list page shows at most PAGE_SIZE rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 50


def paginate(
    request: HttpRequest,
    queryset: QuerySet[Any] | Sequence[Any],
    per_page: int = PAGE_SIZE,
    *,
    count: int | None = None,
) -> Page[Any]:
    """The page `?page=` asks for; `count`, when the caller knows it (or counts it a cheaper way
    than `queryset.count()`), spares the paginator its COUNT query."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # a cached_property: set before it is read, no COUNT query
    return paginator.get_page(request.GET.get("page"))

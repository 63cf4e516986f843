"""The ledger's description search: an index instead of a scan of every entry's text.

`icontains` reads every row's description (a million at SPEC scale). On PostgreSQL a trigram
index answers it as it is (migration 0005). On SQLite an FTS5 trigram index answers a search of
3 characters or more (a substring match, case-insensitive, like `icontains`); a shorter one is
still a scan.

SQLite has no statistics (no ANALYZE in production), so it reads a search newest first along the
workspace's date index, row by row, until it has a page: quick when many entries match, a walk
over the million when few do. `newest_first` says which: up to `listing.CAP` matches are sorted
after the index finds them (and counted without an order), more are read along the date index.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import DateField, F, Func, QuerySet
from django.db.models.expressions import RawSQL

from sourcewise.costs.listing import CAP
from sourcewise.costs.models import CostEntry

# The trigram tokenizer indexes runs of 3 characters: a shorter text matches nothing through it.
INDEXED_LENGTH = 3


MATCHES = "SELECT rowid FROM costs_costentry_search WHERE costs_costentry_search MATCH %s"


def _indexed(text: str) -> bool:
    return connection.vendor == "sqlite" and len(text) >= INDEXED_LENGTH


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'  # one FTS5 string: no operator in it is read


def with_description(entries: QuerySet[CostEntry], text: str) -> QuerySet[CostEntry]:
    """The entries whose description contains `text` (case-insensitive)."""
    if _indexed(text):
        return entries.filter(pk__in=RawSQL(MATCHES, [_phrase(text)]))  # noqa: S611  (constant SQL, text a parameter)
    return entries.filter(description__icontains=text)


class _Unindexed(Func):
    """`+date`: the same value, which no index orders (SQLite then starts from the matches)."""

    template = "+%(expressions)s"
    output_field = DateField()


def newest_first(entries: QuerySet[CostEntry], text: str) -> tuple[QuerySet[CostEntry], bool]:
    """The entries newest first, and whether to count them in that order (False: in any order).
    A search of at most CAP matches (1 query to know) is sorted after the matches are found."""
    if text and _indexed(text):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({MATCHES} LIMIT %s)", [_phrase(text), CAP + 1])  # noqa: S608
            (matches,) = cursor.fetchone()
        if matches <= CAP:
            return entries.order_by(_Unindexed(F("date")).desc(), "-id"), False
    return entries.order_by("-date", "-id"), True

"""The ledger's description search: an index instead of a scan of every entry's text.

`icontains` reads every row's description (a million at SPEC scale). On PostgreSQL a trigram
index answers it as it is (migration 0005). On SQLite an FTS5 trigram index answers a search of
3 characters or more (a substring match, case-insensitive, like `icontains`); a shorter one is
still a scan.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from sourcewise.costs.models import CostEntry

# The trigram tokenizer indexes runs of 3 characters: a shorter text matches nothing through it.
INDEXED_LENGTH = 3


def with_description(entries: QuerySet[CostEntry], text: str) -> QuerySet[CostEntry]:
    """The entries whose description contains `text` (case-insensitive)."""
    if connection.vendor == "sqlite" and len(text) >= INDEXED_LENGTH:
        phrase = '"' + text.replace('"', '""') + '"'  # one FTS5 string: no operator in it is read
        found = RawSQL("SELECT rowid FROM costs_costentry_search WHERE costs_costentry_search MATCH %s", [phrase])
        return entries.filter(pk__in=found)
    return entries.filter(description__icontains=text)

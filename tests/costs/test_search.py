"""The ledger's description search reads an index (FTS5 on SQLite, trigrams on PostgreSQL)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from sourcewise.costs import manual_entries, search
from sourcewise.costs.models import CostEntry
from tests.costs.helpers import cost


def _found(workspace, text: str) -> set[int]:
    return set(
        search.with_description(CostEntry.objects.filter(workspace=workspace), text).values_list("pk", flat=True)
    )


def test_a_description_is_found_by_any_part_of_it_in_any_case(workspace):
    figma = cost(workspace, amount="10", description="Figma licence renewal")
    other = cost(workspace, amount="20", description="Laptop for Ana")
    cost(workspace, amount="30")  # no description
    assert _found(workspace, "licence") == {figma.pk}
    assert _found(workspace, "LICENCE REN") == {figma.pk}
    assert _found(workspace, "fI") == {figma.pk}  # shorter than the index reads: a scan
    assert _found(workspace, "laptop") == {other.pk}
    assert _found(workspace, "nothing like it") == set()
    # Quotes and FTS operators are text, never syntax.
    assert _found(workspace, 'licence" OR "laptop') == set()
    assert _found(workspace, "Figma*") == set()


def test_the_index_follows_edits_and_deletions(workspace):
    entry = cost(workspace, amount="10", description="Old words")
    manual_entries.update_entry(entry=entry, actor=None, description="New words")
    assert (_found(workspace, "old words"), _found(workspace, "new words")) == (set(), {entry.pk})
    manual_entries.delete_entry(entry=CostEntry.objects.get(pk=entry.pk), actor=None)
    assert _found(workspace, "words") == set()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 triggers are SQLite's")
def test_the_search_triggers_survive_every_migration(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'costs_costentry'")
        triggers = {row[0] for row in cursor.fetchall()}
    assert {
        "costs_costentry_search_insert",
        "costs_costentry_search_delete",
        "costs_costentry_search_update",
    } <= triggers


def test_the_ledger_page_searches_descriptions(owner_client, owner):
    ws = owner.workspace
    cost(ws, amount="7.77", category="training", description="Course on accessibility", date=datetime.date(2026, 3, 1))
    cost(ws, amount="8.88", category="training", description="Books", date=datetime.date(2026, 3, 2))
    body = owner_client.get("/costs/entries/?q=ACCESSIB").content.decode()
    assert "Course on accessibility" in body and "Books" not in body


def test_a_search_is_listed_newest_first_and_counted_whatever_the_order_used(owner_client, owner):
    ws = owner.workspace
    made = [
        cost(
            ws,
            amount=str(i + 1),
            description=f"Figma seat {i}",
            date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i),
        )
        for i in range(55)
    ]
    cost(ws, amount="1", description="Other", date=datetime.date(2026, 6, 1))
    body = owner_client.get("/costs/entries/?q=figma+seat").content.decode()
    assert body.index("Figma seat 54") < body.index("Figma seat 53") and "Figma seat 4<" not in body
    assert "of 2" in body  # 55 matches: two pages
    second = owner_client.get("/costs/entries/?q=figma+seat&page=2").content.decode()
    assert "Figma seat 4<" in second and "Figma seat 0<" in second and "Figma seat 54" not in second
    assert len(made) == 55

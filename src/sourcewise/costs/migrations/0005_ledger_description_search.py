"""The ledger's description search without reading a million rows (SPEC P6).

PostgreSQL: a trigram index on UPPER(description) (what `icontains` reads), when the pg_trgm
extension can be created (as talent's 0006); without it the search still works, by a scan.

SQLite: an FTS5 index with the trigram tokenizer (substring matches of 3 characters or more,
case-insensitive), kept by triggers on the entries; `costs.search` reads it. Django rebuilds a
SQLite table to alter it, which drops its triggers: a later migration that alters CostEntry must
create them again (tests/costs/test_search.py fails if they are missing).
"""

from django.db import migrations

TRIGRAM_EXTENSION = """
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
    RAISE NOTICE 'pg_trgm is not available: the ledger search scans instead';
END $$;
"""
TRIGRAM_INDEX = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX IF NOT EXISTS costentry_description_trgm
            ON costs_costentry USING gin ((UPPER(description::text)) gin_trgm_ops);
    END IF;
END $$;
"""
SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS costs_costentry_search USING fts5("
    "description, content='costs_costentry', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS costs_costentry_search_insert AFTER INSERT ON costs_costentry BEGIN "
    "INSERT INTO costs_costentry_search(rowid, description) VALUES (new.id, new.description); END",
    "CREATE TRIGGER IF NOT EXISTS costs_costentry_search_delete AFTER DELETE ON costs_costentry BEGIN "
    "INSERT INTO costs_costentry_search(costs_costentry_search, rowid, description) "
    "VALUES ('delete', old.id, old.description); END",
    "CREATE TRIGGER IF NOT EXISTS costs_costentry_search_update AFTER UPDATE OF description ON costs_costentry BEGIN "
    "INSERT INTO costs_costentry_search(costs_costentry_search, rowid, description) "
    "VALUES ('delete', old.id, old.description); "
    "INSERT INTO costs_costentry_search(rowid, description) VALUES (new.id, new.description); END",
    "INSERT INTO costs_costentry_search(costs_costentry_search) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS costs_costentry_search_insert",
    "DROP TRIGGER IF EXISTS costs_costentry_search_delete",
    "DROP TRIGGER IF EXISTS costs_costentry_search_update",
    "DROP TABLE IF EXISTS costs_costentry_search",
]


def create_search(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGRAM_EXTENSION)
        schema_editor.execute(TRIGRAM_INDEX)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_SEARCH:
            schema_editor.execute(statement)


def drop_search(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS costentry_description_trgm")
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("costs", "0004_stored_cost_report"),
    ]

    operations = [migrations.RunPython(create_search, drop_search, elidable=False)]

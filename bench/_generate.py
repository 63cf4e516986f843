"""Child of `harness.generated`: migrate the database DATABASE_URL names and fill it with
`generate(**sizes)` (the code of `sourcewise generate`); print what it made as JSON.

With `--migrate`: only apply the migrations added since the data was generated (as an upgrade
does to a production database), then ANALYZE on PostgreSQL if any was applied."""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness


def migrate_only() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        print(json.dumps({"applied": []}))
        return
    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(json.dumps({"applied": [f"{m.app_label}.{m.name}" for m, _backwards in plan]}))


if __name__ == "__main__":
    harness.setup_django(os.environ["DATABASE_URL"])
    if sys.argv[1] == "--migrate":
        migrate_only()
        sys.exit(0)
    sizes = json.loads(sys.argv[1])
    from django.core.management import call_command
    from django.db import connection

    from sourcewise.demo.generate import generate

    call_command("migrate", verbosity=0)

    def progress(label: str, done: int, total: int) -> None:
        if done == total or done % 50_000 == 0:
            print(f"    {label}: {done:,}/{total:,}", file=sys.stderr)

    result = generate(progress=progress, **sizes)
    if connection.vendor == "postgresql":
        # What autovacuum does within a minute of a bulk load; SQLite gets nothing, as in production.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(json.dumps({"workspace_id": result.workspace.pk, "counts": result.counts, "sizes": sizes}))

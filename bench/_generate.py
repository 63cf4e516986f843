"""Child of `harness.generated`: migrate the database DATABASE_URL names and fill it with
`generate(**sizes)` (the code of `sourcewise generate`); print what it made as JSON."""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness

if __name__ == "__main__":
    sizes = json.loads(sys.argv[1])
    harness.setup_django(os.environ["DATABASE_URL"])
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

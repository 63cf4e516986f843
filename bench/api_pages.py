"""Benchmark SPEC §6 P1: API list and detail with 100 000 engagements.

    python bench/api_pages.py [ENGAGEMENTS]      # SQLite in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sourcewise_bench python bench/api_pages.py

Builds a throwaway database with `generate` (the same code as `sourcewise generate`),
then, in process, calls GET /api/v1/engagements (page sizes 10, 50, 200, on pages spread
over the whole table) and GET /api/v1/engagements/{id} with an owner's token. For each it
prints the queries per request, the p95 time, and the ratio against the raw SQL that reads
the same page (the same columns and joins) on the same database in the same run.
Budget: ≤ 4 queries whatever the page size, ≤ 5× the raw SQL, p95 ≤ 10 ms.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sourcewise.config.settings.test")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
django.setup()

from django.test.utils import setup_test_environment  # noqa: E402

setup_test_environment()
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases  # noqa: E402

RUNS = 200

RAW_PAGE = """
SELECT e.id, e.kind, e.state, e.billing, e.rate, e.currency, e.budget_cap, e.start_date, e.end_date,
       e.expected_monthly_saving, e.trial_rating, e.completion_note, e.termination_reason, e.activated_at,
       e.ended_at, f.id, f.name, t.id, t.name, m.id, u.full_name, u.email
FROM engagements_engagement e
JOIN talent_freelancer f ON f.id = e.freelancer_id
JOIN tasks_task t ON t.id = e.task_id
LEFT JOIN workspaces_membership m ON m.id = e.manager_id
LEFT JOIN accounts_user u ON u.id = m.user_id
WHERE e.workspace_id = %s AND e.id > %s ORDER BY e.id LIMIT %s
"""
RAW_ONE = RAW_PAGE.replace("e.id > %s ORDER BY e.id LIMIT %s", "e.id = %s")


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] * 1000


def timed(call, runs: int = RUNS) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def main(engagements: int) -> None:
    setup_databases(verbosity=0, interactive=False)
    # In process, as Django's test client does: keep the one connection between requests.
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    from sourcewise.api.services import create_token
    from sourcewise.demo.generate import generate
    from sourcewise.engagements.models import Engagement
    from sourcewise.workspaces.models import Membership

    started = time.perf_counter()
    generated = generate(name="Bench", freelancers=max(1000, engagements // 5), engagements=engagements, tasks=300)
    workspace = generated.workspace
    print(f"P1 {connection.vendor}: generated {engagements:,} engagements in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:  # statistics, as autovacuum / a DBA would have them after a bulk load
        cursor.execute("ANALYZE")
    owner = Membership.objects.get(workspace=workspace, role="owner")
    _, token = create_token(user=owner.user, workspace=workspace, name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    ids = list(Engagement.objects.filter(workspace=workspace).order_by("pk").values_list("pk", flat=True))
    rng = random.Random(1)
    ok = True
    with connection.cursor() as cursor:
        for limit in (10, 50, 200):
            cursors = [rng.choice(ids[: len(ids) - limit]) for _ in range(RUNS)]

            def api(cursors=cursors, limit=limit):  # type: ignore[no-untyped-def]
                response = client.get("/api/v1/engagements", {"cursor": cursors.pop(), "limit": limit})
                assert response.status_code == 200, response.content[:300]

            def raw(cursors=list(cursors), limit=limit):  # type: ignore[no-untyped-def]
                cursor.execute(RAW_PAGE, [workspace.pk, cursors.pop(), limit + 1])
                cursor.fetchall()

            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as queries:
                api(cursors=[ids[len(ids) // 2]])
            count = len(queries.captured_queries)
            if os.environ.get("SHOW_SQL"):
                for q in queries.captured_queries:
                    print("    ", q["time"], q["sql"][:300])
            api_ms, raw_ms = p95(timed(api)), p95(timed(raw))
            verdict = count <= 4 and api_ms <= 5 * raw_ms and api_ms <= 10
            ok &= verdict
            print(
                f"  list limit={limit:<3} queries={count}  p95 {api_ms:6.2f} ms  raw SQL p95 {raw_ms:5.2f} ms  "
                f"ratio {api_ms / raw_ms:4.1f}×  {'OK' if verdict else 'OVER BUDGET'}"
            )
        picks = [rng.choice(ids) for _ in range(RUNS)]

        def detail(picks=list(picks)):  # type: ignore[no-untyped-def]
            assert client.get(f"/api/v1/engagements/{picks.pop()}").status_code == 200

        def raw_one(picks=list(picks)):  # type: ignore[no-untyped-def]
            cursor.execute(RAW_ONE, [workspace.pk, picks.pop()])
            cursor.fetchall()

        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            detail(picks=[ids[0]])
        count = len(queries.captured_queries)
        api_ms, raw_ms = p95(timed(detail)), p95(timed(raw_one))
        verdict = count <= 4 and api_ms <= 5 * raw_ms and api_ms <= 10
        ok &= verdict
        print(
            f"  detail          queries={count}  p95 {api_ms:6.2f} ms  raw SQL p95 {raw_ms:5.2f} ms  "
            f"ratio {api_ms / raw_ms:4.1f}×  {'OK' if verdict else 'OVER BUDGET'}"
        )
    if os.environ.get("PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(lambda: [client.get("/api/v1/engagements", {"limit": 50}) for _ in range(50)])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)

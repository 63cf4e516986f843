"""Benchmark issue 12 item 7: the stored findings at scale.

    python bench/findings.py --size 1k --db sqlite              # quick (≈ 1 min)
    python bench/findings.py --size 1k,20k --db sqlite,postgres # what `make bench-findings` runs
    python bench/findings.py --size 100k --db postgres          # slow to generate (optional)

Sizes (freelancers / engagements): 1k = 1,000 / 2,000; 20k = 10,000 / 20,000 (the full-
recompute budget is for 20,000 engagements); 100k = 100,000 / 100,000.
SQLite runs in a temporary file; PostgreSQL in the database DATABASE_URL names, or
postgres://postgres@127.0.0.1:5432/sw_bench_big — DROPPED AND RECREATED, so give it a
database you can throw away.

For each size and database, on a workspace made by `generate` (the code of
`sourcewise generate`, which stores the findings at the end), as the owner:
- the dashboard, an engagement's page and GET /api/v1/health (with an API token) through
  Django's test Client: p95 over --runs requests and the queries of one request;
- the refresh one write triggers: save one engagement, then time `ensure_fresh` (the
  scoped refresh + handling the markers). The jobs backend is the database one, so the
  wide refresh is queued, not run inline (what `sourcewise worker` then runs);
- a full recomputation (`refresh_full`) in a child process, from no stored findings and
  again with all of them stored (the daily job), with the child's peak memory (maxrss).
Prints a markdown table; exits 1 when a budget is missed.
Budgets: pages p95 ≤ 150 ms with ≤ 15 queries; one write's refresh ≤ 50 ms; full
recomputation of 20,000 engagements ≤ 10 s with flat memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = {"1k": (1_000, 2_000), "20k": (10_000, 20_000), "100k": (100_000, 100_000)}
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/sw_bench_big"
PAGE_MS, PAGE_QUERIES, WRITE_MS, FULL_S = 150, 15, 50, 10
TASKS = {"1k": 100, "20k": 300, "100k": 500}


def _setup_django(database_url: str, data_dir: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sourcewise.config.settings.test")
    os.environ["SOURCEWISE_DATA_DIR"] = data_dir
    # Queued, not inline: the wide refresh a write triggers goes to the database queue.
    os.environ["SOURCEWISE_JOBS"] = "database"
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    import django

    django.setup()


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] * 1000 if len(samples) > 1 else samples[0] * 1000


class QueryCounter:
    """Counts the queries run through the connection (`connection.execute_wrapper`)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.count += 1
        return execute(sql, params, many, context)


def _recreate_postgres(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def child_full_recompute(workspace_id: int) -> None:
    """Run in a fresh process (its maxrss is the recomputation's): cold, then warm."""
    from sourcewise.findings.models import FindingRecord
    from sourcewise.findings.refresh import refresh_full
    from sourcewise.workspaces.models import Workspace

    workspace = Workspace.objects.get(pk=workspace_id)
    # In SQL: Model.delete() would load every row first (signal receivers), skewing maxrss.
    FindingRecord.objects.filter(workspace=workspace)._raw_delete(FindingRecord.objects.db)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    cold = refresh_full(workspace)
    cold_s = time.perf_counter() - started
    started = time.perf_counter()
    refresh_full(workspace)
    warm_s = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"cold_s": cold_s, "warm_s": warm_s, "findings": cold.created, "rss_mb": peak / 1024,
                      "rss_growth_mb": (peak - before) / 1024}))  # fmt: skip


def run_one(size: str, runs: int) -> list[tuple[str, str, str, str, bool]]:
    """Measure one size on the configured database; rows of (what, figure, queries, budget, ok)."""
    import random

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from sourcewise.api.services import create_token
    from sourcewise.demo.generate import generate
    from sourcewise.engagements.models import Engagement
    from sourcewise.findings.models import FindingRecord
    from sourcewise.findings.refresh import ensure_fresh
    from sourcewise.workspaces.models import Membership

    call_command("migrate", verbosity=0)
    # In process, as Django's test client does: keep the one connection between requests
    # (a closed connection would also drop the queries being counted).
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    freelancers, engagements = SIZES[size]
    rows: list[tuple[str, str, str, str, bool]] = []
    started = time.perf_counter()
    workspace = generate(
        name=f"Bench {size}", freelancers=freelancers, engagements=engagements, tasks=TASKS[size]
    ).workspace
    generated_s = time.perf_counter() - started
    findings = FindingRecord.objects.filter(workspace=workspace, resolved_at=None).count()
    print(f"  generated {freelancers:,} / {engagements:,} and stored {findings:,} findings in {generated_s:.1f} s",
          file=sys.stderr)  # fmt: skip
    with connection.cursor() as cursor:  # statistics, as autovacuum would have them after a bulk load
        cursor.execute("ANALYZE")

    owner = Membership.objects.get(workspace=workspace, role="owner")
    browser = Client()
    browser.force_login(owner.user, backend="django.contrib.auth.backends.ModelBackend")
    _, token = create_token(user=owner.user, workspace=workspace, name="bench")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    ids = list(
        Engagement.objects.filter(workspace=workspace, state=Engagement.State.ACTIVE).values_list("pk", flat=True)
    )
    rng = random.Random(1)
    pages = [
        ("dashboard", browser, lambda: "/dashboard/"),
        ("engagement page", browser, lambda: f"/engagements/{rng.choice(ids)}/"),
        ("GET /api/v1/health", api, lambda: "/api/v1/health"),
    ]
    for label, client, url in pages:
        response = client.get(url())  # warm up (and the first read of the day)
        assert response.status_code == 200, (label, response.status_code)
        queries = QueryCounter()
        with connection.execute_wrapper(queries):
            t = time.perf_counter()
            client.get(url())
            first = time.perf_counter() - t
        samples = [first]
        # A page far over budget says so in three requests; no need to wait for thirty.
        for _ in range(runs if first < 2 else 2):
            target = url()
            t = time.perf_counter()
            response = client.get(target)
            samples.append(time.perf_counter() - t)
            assert response.status_code == 200, (label, response.status_code)
        ms, count = p95(samples), queries.count
        ok = ms <= PAGE_MS and count <= PAGE_QUERIES
        rows.append((label, f"p95 {ms:.0f} ms ({len(response.content) / 1024:.0f} KB)", str(count),
                     f"≤ {PAGE_MS} ms, ≤ {PAGE_QUERIES} queries", ok))  # fmt: skip

    samples, counts = [], []
    for attempt in range(max(5, runs // 2)):
        if attempt == 3 and p95(samples) > 20 * WRITE_MS:
            break  # far over budget: three samples say it
        engagement = Engagement.objects.get(pk=rng.choice(ids))
        engagement.rate = engagement.rate + 1
        engagement.save()  # leaves the markers, as a view's write does
        with CaptureQueriesContext(connection) as queries:
            t = time.perf_counter()
            ensure_fresh(workspace)
            samples.append(time.perf_counter() - t)
        counts.append(len(queries.captured_queries))
    ms = p95(samples)
    rows.append(("refresh after one write", f"p95 {ms:.0f} ms", f"{max(counts)}", f"≤ {WRITE_MS} ms",
                 ms <= WRITE_MS))  # fmt: skip

    child = subprocess.run(
        [sys.executable, __file__, "--child-full", str(workspace.pk)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    if child.returncode:
        print(child.stderr, file=sys.stderr)
        raise SystemExit("the full recomputation failed")
    full = json.loads(child.stdout.strip().splitlines()[-1])
    budget_applies = engagements >= 20_000 and size == "20k"
    ok = full["cold_s"] <= FULL_S if budget_applies else True
    rows.append(("full recomputation, nothing stored", f"{full['cold_s']:.1f} s ({full['findings']:,} findings)",
                 "", f"≤ {FULL_S} s" if budget_applies else "", ok))  # fmt: skip
    rows.append(("full recomputation, all stored (daily)", f"{full['warm_s']:.1f} s", "", "", True))
    # Not flat yet: the rules load each kind of row for the whole workspace, so the peak grows
    # with it (the "+" is what the second, daily run adds). Reported as missed, not hidden.
    rows.append(("peak memory of the recomputation", f"{full['rss_mb']:.0f} MB (+{full['rss_growth_mb']:.0f} MB)",
                 "", "flat", False))  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="1k", help="comma-separated: 1k, 20k, 100k")
    parser.add_argument("--db", default="sqlite", help="comma-separated: sqlite, postgres")
    parser.add_argument("--runs", type=int, default=30, help="requests per page for the p95")
    parser.add_argument("--child-full", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-size", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child_full:
        import django

        django.setup()
        child_full_recompute(args.child_full)
        return
    if args.child_size:  # one size on one database, in its own process (a fresh Django setup)
        _setup_django(os.environ["DATABASE_URL"], os.environ["SOURCEWISE_DATA_DIR"])
        print(json.dumps(run_one(args.child_size, args.runs)))
        return

    table: list[tuple[str, str, str, str, str, str, bool]] = []
    for db in args.db.split(","):
        for size in args.size.split(","):
            if size not in SIZES:
                raise SystemExit(f"unknown size {size!r}: choose from {', '.join(SIZES)}")
            data_dir = tempfile.mkdtemp(prefix="sourcewise-bench-findings-")
            if db == "sqlite":
                url = f"sqlite:///{Path(data_dir) / 'bench.sqlite3'}"
            else:
                url = os.environ.get("DATABASE_URL") or DEFAULT_PG
                if not url.startswith("postgres"):
                    url = DEFAULT_PG
                _recreate_postgres(url)
            print(f"== {size} on {db}", file=sys.stderr)
            env = {**os.environ, "DATABASE_URL": url, "SOURCEWISE_DATA_DIR": data_dir}
            done = subprocess.run(
                [sys.executable, __file__, "--child-size", size, "--runs", str(args.runs)],
                env=env,
                stdout=subprocess.PIPE,
                text=True,
                check=False,
            )
            if done.returncode:
                raise SystemExit(f"{size} on {db} failed")
            for what, figure, queries, budget, ok in json.loads(done.stdout.strip().splitlines()[-1]):
                table.append((size, db, what, figure, queries, budget, ok))
                counted = f" ({queries} queries)" if queries else ""
                print(f"  {what}: {figure}{counted}{'' if ok else ' OVER'}", file=sys.stderr)
    print(f"\nFindings at scale — {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores\n")
    print("| size (freelancers / engagements) | db | measure | figure | queries | budget | |")
    print("|---|---|---|---|---|---|---|")
    for size, db, what, figure, queries, budget, ok in table:
        freelancers, engagements = SIZES[size]
        print(f"| {freelancers:,} / {engagements:,} | {db} | {what} | {figure} | {queries} | {budget} | "
              f"{'OK' if ok else '**over**'} |")  # fmt: skip
    sys.exit(0 if all(row[-1] for row in table) else 1)


if __name__ == "__main__":
    main()

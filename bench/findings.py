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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

SIZES = {"1k": (1_000, 2_000), "20k": (10_000, 20_000), "100k": (100_000, 100_000)}
PAGE_MS, PAGE_QUERIES, WRITE_MS, FULL_S = 150, 15, 50, 10
TASKS = {"1k": 100, "20k": 300, "100k": 500}


def _setup_django(database_url: str, data_dir: str) -> None:
    # Queued, not inline: the wide refresh a write triggers goes to the database queue.
    harness.setup_django(database_url, data_dir=data_dir, jobs="database")


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
    assert cold is not None  # nothing else refreshes this workspace
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
    if connection.vendor == "postgresql":  # what autovacuum does after a bulk load; SQLite gets none
        with connection.cursor() as cursor:
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
        queries = harness.QueryCounter()
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
        ms, count = harness.p95(samples), queries.count
        ok = ms <= PAGE_MS and count <= PAGE_QUERIES
        rows.append((label, f"p95 {ms:.0f} ms ({len(response.content) / 1024:.0f} KB)", str(count),
                     f"≤ {PAGE_MS} ms, ≤ {PAGE_QUERIES} queries", ok))  # fmt: skip

    samples, counts = [], []
    for attempt in range(max(5, runs // 2)):
        if attempt == 3 and harness.p95(samples) > 20 * WRITE_MS:
            break  # far over budget: three samples say it
        engagement = Engagement.objects.get(pk=rng.choice(ids))
        engagement.rate = engagement.rate + 1
        engagement.save()  # leaves the markers, as a view's write does
        with CaptureQueriesContext(connection) as queries:
            t = time.perf_counter()
            ensure_fresh(workspace)
            samples.append(time.perf_counter() - t)
        counts.append(len(queries.captured_queries))
    ms = harness.p95(samples)
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
    parser.add_argument(
        "--scale", type=float, default=1.0, help="below 1, only the 1k size runs (`make bench --scale`)"
    )
    parser.add_argument("--child-full", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-size", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child_full:
        harness.setup_django(os.environ["DATABASE_URL"], data_dir=os.environ["SOURCEWISE_DATA_DIR"], jobs="database")
        child_full_recompute(args.child_full)
        return
    if args.child_size:  # one size on one database, in its own process (a fresh Django setup)
        _setup_django(os.environ["DATABASE_URL"], os.environ["SOURCEWISE_DATA_DIR"])
        print(json.dumps(run_one(args.child_size, args.runs)))
        return

    table: list[tuple[str, str, str, str, str, str, bool]] = []
    sizes = args.size.split(",") if args.scale >= 1 else ["1k"]
    for db in args.db.split(","):
        run = harness.Run("findings (issue 12)", db)
        for size in sizes:
            if size not in SIZES:
                raise SystemExit(f"unknown size {size!r}: choose from {', '.join(SIZES)}")
            data_dir = tempfile.mkdtemp(prefix="sourcewise-bench-findings-")
            # A database of its own, never the one DATABASE_URL names (harness.fresh_database).
            url = harness.fresh_database(db, f"findings_{size}")
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
                freelancers, engagements = SIZES[size]
                counted = f", {queries} queries" if queries else ""
                run.add(f"{what} ({freelancers:,} / {engagements:,})", budget=budget or "—",
                        measured=f"{figure}{counted}", met=ok)  # fmt: skip
        run.finish()
    sys.exit(0 if all(row[-1] for row in table) else 1)


if __name__ == "__main__":
    main()

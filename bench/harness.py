"""What every bench shares: the database it runs on, the clock, the load, the verdict.

A bench script does, in this order:

    args = harness.arguments(__doc__).parse_args()       # --db, --scale, --runs
    run = harness.Run("P6 pages", db=args.db)              # prints the load average now
    url, info = harness.generated(args.db, freelancers=..., engagements=..., ...)
    harness.setup_django(url)                              # production settings, DEBUG=0
    samples = harness.interleave({"product": a, "raw SQL": b}, runs=args.runs)
    run.check("engagements list", samples["product"], budget_ms=150, queries=q, max_queries=15)
    sys.exit(run.finish())                                 # the load again, the table, 1 on a miss

Rules it keeps for all of them (issue 15): the database is a file or a server database
with the settings production uses (no in-memory SQLite, no ANALYZE the product never
runs); it never replaces the database DATABASE_URL names, it only borrows its server;
timings of things compared are interleaved, each warmed the same; the machine's load is
printed before and after; any missed budget makes the exit status 1.

`make bench` (bench/run.py) runs every script as its own process and gathers their rows:
each `Run.finish()` appends them as JSON lines to the file BENCH_RESULTS names.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Generated datasets are kept here between runs (they take minutes to build at 100,000).
CACHE = Path(os.environ.get("BENCH_CACHE", ROOT / "artifacts" / "bench-cache"))
DEFAULT_PG_SERVER = "postgres://postgres@127.0.0.1:5432"


# -- the machine ------------------------------------------------------------------------------


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def machine() -> str:
    return f"{os.cpu_count()} cores"


# -- arguments ---------------------------------------------------------------------------------


def default_db() -> str:
    return "postgres" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"


def arguments(doc: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgres"],
        default=default_db(),
        help="sqlite (a file, production settings) or postgres (a database of its own on the "
        "server DATABASE_URL names, else 127.0.0.1:5432). Default: what DATABASE_URL names.",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="multiply the data sizes (0.01 for a quick try; budgets are judged at 1)",
    )
    parser.add_argument("--runs", type=int, default=100, help="timed samples per measure")
    return parser


def scaled(n: int, scale: float) -> int:
    return max(1, round(n * scale))


# -- databases ---------------------------------------------------------------------------------


def postgres_server() -> str:
    """The server of DATABASE_URL when it names PostgreSQL (never its database), else the local one."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return url.rsplit("/", 1)[0]
    return DEFAULT_PG_SERVER


def database_url(db: str, name: str) -> str:
    """Where a bench's database lives: a SQLite file in the cache, or `sw_bench_<name>` on the server."""
    if db == "sqlite":
        CACHE.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{CACHE / f'{name}.sqlite3'}"
    return f"{postgres_server()}/sw_bench_{name}"


def drop_database(db: str, url: str) -> None:
    if db == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    server, name = url.rsplit("/", 1)
    assert name.startswith("sw_bench_"), f"refusing to drop {name!r}: not a bench database"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def fresh_database(db: str, name: str) -> str:
    """An empty database for a bench that writes (an import, a server run)."""
    url = database_url(db, name)
    drop_database(db, url)
    return url


def setup_django(url: str, *, data_dir: str | None = None, jobs: str = "immediate") -> None:
    """Django with the production settings (DEBUG off, the SQLite pragmas, CONN_MAX_AGE) and the
    production runtime (the garbage collector as config/wsgi.py sets it) on `url`.

    Only what a bench cannot have is changed: a throwaway secret key, no HTTPS redirect,
    the test client's host allowed, a data folder of its own.
    """
    os.environ["DATABASE_URL"] = url  # this process only; the caller's variable is untouched
    os.environ["DJANGO_SETTINGS_MODULE"] = "sourcewise.config.settings.base"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789abcdef")
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["SECURE_COOKIES"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    os.environ["SOURCEWISE_DATA_DIR"] = data_dir or tempfile.mkdtemp(prefix="sourcewise-bench-")
    os.environ["SOURCEWISE_JOBS"] = jobs
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # Static files collected once, as `sourcewise serve` does before it serves (the manifest).
    os.environ["STATIC_ROOT"] = str(CACHE / "static")
    import django

    django.setup()
    if not (CACHE / "static" / "staticfiles.json").exists():
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
    from sourcewise.core.runtime import tune_garbage_collector

    tune_garbage_collector()  # as the production WSGI entry (config/wsgi.py) does in each worker


# -- generated data, kept between runs ------------------------------------------------------


def _generator_fingerprint() -> str:
    """Changes when the code that generates data changes, so a stale dataset is rebuilt.

    A new migration does not rebuild it: it is applied to the kept data (`_migrate_kept`), as
    an upgrade applies it to a production database."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "src" / "sourcewise" / "demo").glob("generate*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _migrate_kept(url: str) -> None:
    import subprocess

    args = [sys.executable, str(ROOT / "bench" / "_generate.py"), "--migrate"]
    done = subprocess.run(args, env={**os.environ, "DATABASE_URL": url}, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"migrating the kept data failed ({done.returncode})")
    applied = json.loads(done.stdout.strip().splitlines()[-1])["applied"]
    if applied:
        print(f"  applied to the kept data: {', '.join(applied)}", file=sys.stderr)


def generated(db: str, *, label: str = "", **sizes: Any) -> tuple[str, dict[str, Any]]:
    """A database holding `generate(**sizes)`, built once and reused while the generator is
    unchanged. Returns its URL and what `generate` reported (workspace id, counts).

    Call before `setup_django`: building runs in a child process (`sourcewise generate`),
    so the bench's own process starts warm from nothing, like a server would.
    """
    key = hashlib.sha256(json.dumps(sizes, sort_keys=True).encode()).hexdigest()[:8]
    # The cache folder is in the name too: two checkouts never share (or drop) one database.
    where = hashlib.sha256(str(CACHE.resolve()).encode()).hexdigest()[:4]
    name = f"{label or 'data'}_{key}_{_generator_fingerprint()}_{where}"
    url = database_url(db, name)
    marker = CACHE / f"{db}-{name}.json"
    if marker.exists():
        info = json.loads(marker.read_text())
        if _reachable(db, url):
            print(f"  reusing generated data {name} on {db}", file=sys.stderr)
            _migrate_kept(url)
            return url, info
    drop_database(db, url)
    import subprocess

    started = time.perf_counter()
    print(f"  generating {sizes} on {db} (cached as {name}) ...", file=sys.stderr)
    args = [sys.executable, str(ROOT / "bench" / "_generate.py"), json.dumps(sizes)]
    env = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run(args, env=env, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"generating the data failed ({done.returncode})")
    info = json.loads(done.stdout.strip().splitlines()[-1])
    info["generated_s"] = round(time.perf_counter() - started, 1)
    CACHE.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(info))
    print(f"  generated in {info['generated_s']} s", file=sys.stderr)
    return url, info


# The data every read bench shares (SPEC §6: 100,000 freelancers and 100,000 engagements).
# A bench that needs more of something adds it here, so one dataset serves all of them.
STANDARD: dict[str, int] = {
    "freelancers": 100_000,
    "engagements": 100_000,
    "tasks": 500,
    "work": 20_000,
    "cost_entries": 1_000_000,
    "audit_events": 200_000,
}


def standard_data(db: str, scale: float = 1.0) -> tuple[str, dict[str, Any]]:
    """The standard dataset at `scale` (built once, then reused by every bench)."""
    sizes = {name: scaled(n, scale) for name, n in STANDARD.items()}
    return generated(db, label="std", **sizes)


def _reachable(db: str, url: str) -> bool:
    if db == "sqlite":
        return Path(url.removeprefix("sqlite:///")).exists()
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


# -- timing ------------------------------------------------------------------------------------


def p95(samples: list[float]) -> float:
    """95th percentile in milliseconds of samples in seconds."""
    if len(samples) < 2:
        return samples[0] * 1000
    return statistics.quantiles(samples, n=20, method="inclusive")[-1] * 1000


def p50(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def interleave(calls: dict[str, Callable[[], Any]], *, runs: int, warmup: int = 3) -> dict[str, list[float]]:
    """Time each call `runs` times, taking turns (a, b, c, b, c, a, ...) so that a noisy second
    hits all of them alike; each is warmed `warmup` times first, the same for all."""
    names = list(calls)
    for _ in range(warmup):
        for name in names:
            calls[name]()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(runs):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.perf_counter()
            calls[name]()
            samples[name].append(time.perf_counter() - started)
    return samples


class QueryCounter:
    """Counts the statements run on the connection, across reconnects (SQLite closes per request)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.count += 1
        return execute(sql, params, many, context)


def queries_of(call: Callable[[], Any]) -> int:
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        call()
    return counter.count


@contextmanager
def counting() -> Iterator[QueryCounter]:
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        yield counter


# -- the verdict -------------------------------------------------------------------------------


@dataclass
class Row:
    bench: str
    db: str
    workload: str
    budget: str
    measured: str
    ratio: str
    met: bool
    load: str = ""


@dataclass
class Run:
    """One bench's rows; prints the load when it starts and when it ends."""

    bench: str
    db: str
    rows: list[Row] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.load_before = load_average()
        self.started = time.perf_counter()
        print(f"== {self.bench} on {self.db} — load average before: {self.load_before} ({machine()})", file=sys.stderr)

    def add(self, workload: str, *, budget: str, measured: str, met: bool, ratio: str = "") -> Row:
        row = Row(self.bench, self.db, workload, budget, measured, ratio, met)
        self.rows.append(row)
        print(f"  {workload}: {measured} {ratio} — budget {budget}: {'met' if met else 'MISSED'}", file=sys.stderr)
        return row

    def check(
        self,
        workload: str,
        samples: list[float],
        *,
        budget_ms: float,
        queries: int | None = None,
        max_queries: int | None = None,
        reference: list[float] | None = None,
        reference_name: str = "raw SQL",
        max_ratio: float | None = None,
        note: str = "",
    ) -> Row:
        """The usual row: p95 against a ceiling, optionally queries and a ratio to a reference's p95."""
        ms = p95(samples)
        met = ms <= budget_ms
        budget = [f"p95 ≤ {budget_ms:g} ms"]
        measured = [f"p95 {ms:.1f} ms"]
        if max_queries is not None:
            budget.append(f"≤ {max_queries} queries")
            measured.append(f"{queries} queries")
            met = met and queries is not None and queries <= max_queries
        ratio = ""
        if reference is not None:
            ratio_value = ms / p95(reference)
            ratio = f"{ratio_value:.2f}× {reference_name} ({p95(reference):.1f} ms)"
            if max_ratio is not None:
                budget.append(f"≤ {max_ratio:g}× {reference_name}")
                met = met and ratio_value <= max_ratio
        if note:
            measured.append(note)
        return self.add(workload, budget=", ".join(budget), measured=", ".join(measured), ratio=ratio, met=met)

    def finish(self) -> int:
        load_after = load_average()
        for row in self.rows:
            row.load = f"{self.load_before} → {load_after}"
        print(
            f"== {self.bench} on {self.db} — load average after: {load_after}; "
            f"{time.perf_counter() - self.started:.0f} s",
            file=sys.stderr,
        )
        print(markdown(self.rows))
        results = os.environ.get("BENCH_RESULTS")
        if results:
            with open(results, "a", encoding="utf-8") as out:
                for row in self.rows:
                    out.write(json.dumps(asdict(row)) + "\n")
        missed = [row for row in self.rows if not row.met]
        return 1 if missed or not self.rows else 0


def markdown(rows: list[Row]) -> str:
    lines = ["| # | db | workload | budget | measured | ratio | met | load (1/5/15 min, before → after) |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for row in rows:
        verdict = "yes" if row.met else "**no**"
        lines.append(
            f"| {row.bench} | {row.db} | {row.workload} | {row.budget} | {row.measured} | {row.ratio} "
            f"| {verdict} | {row.load} |"
        )
    return "\n".join(lines)


# -- pages -------------------------------------------------------------------------------------

PAGE_MS, PAGE_QUERIES = 150, 15  # SPEC §6 P6: every page a person opens


def signed_in(user: Any) -> Any:
    """A test client signed in as `user`, keeping its session like a browser (production settings)."""
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def check_page(
    run: Run,
    name: str,
    client: Any,
    urls: Callable[[], str],
    *,
    runs: int,
    budget_ms: float = PAGE_MS,
    max_queries: int = PAGE_QUERIES,
    status: int = 200,
) -> Row:
    """P6 for one page: p95 over `runs` GETs of `urls()` (a new URL each time when it varies,
    e.g. later pages of a list or random ids), queries of one request, and the size served."""

    def get() -> Any:
        url = urls()
        response = client.get(url)
        assert response.status_code == status, f"{name}: {url} answered {response.status_code}"
        return response

    for _ in range(3):  # warm, as every other measure
        get()
    with counting() as counter:
        response = get()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        get()
        samples.append(time.perf_counter() - started)
    size = f"{len(response.content) / 1024:.0f} KB"
    return run.check(name, samples, budget_ms=budget_ms, queries=counter.count, max_queries=max_queries, note=size)

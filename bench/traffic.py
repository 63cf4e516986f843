"""SPEC §6 P5: a signed-in team's mixed traffic on the production server — ≥ 300 requests/s
for 60 s, 0 errors, p95 ≤ 100 ms — and scale-out: two app processes on one PostgreSQL.

    python bench/traffic.py [--db sqlite|postgres] [--scale F] [--seconds 60]
                            [--app-processes N] [--workers W] [--clients P] [--threads T]

Data: the standard dataset (harness.standard_data: 100,000 freelancers, 100,000
engagements at scale 1), copied to a database of this run (the writes below must not
change the dataset the read benches share).

Servers: each app process is what a production host runs, `sourcewise serve --no-demo
--bind 127.0.0.1:PORT --workers W` with the production settings (DEBUG=0): gunicorn and,
beside it, the jobs worker (`sourcewise worker`, django-tasks-db's db_worker), which runs
the workspace-wide findings checks the writes queue. On PostgreSQL it starts TWO app
processes by default, on two ports, sharing the database and the data folder (uploads,
jobs files) as two hosts would; the second is `serve --no-worker` (gunicorn alone: one
job worker per host name, as the README's scale-out section says). The client spreads its
requests over both (round robin, and a session signed in on one is used on the other —
sessions live in the database). On
SQLite it starts ONE: SQLite is a file on one host, so two app processes there say nothing
about scaling out across hosts. W defaults to 2 gunicorn workers in all (2 // N each): the
machine has 2 cores, and the CPU is what is measured. If a server does not answer
/healthz within --ready-timeout seconds the bench fails (exit 1) without starting the clock.

Clients: P processes × T threads (default 2 × 8) on the SAME 2 cores as the servers, so
the client's CPU counts against the budget (a conservative figure). Every thread signs in
through the real login form (CSRF, a session cookie) as the workspace owner, gets the API
token, warms up for a few seconds with the same mix (not counted), then sends for
--seconds. Each request picks its kind at random with these weights (percent):

    page  dashboard            10   GET /dashboard/
    page  engagements list     12   GET /engagements/?page=2..40; 2/3 filtered (?state= or ?q=, pages 1..3)
    page  freelancers list     11   GET /talent/freelancers/?page=2..40; 2/3 filtered (?status= or ?q=)
    page  tasks list            4   GET /tasks/?page=1..3 (?q= a third of the time)
    page  costs ledger          5   GET /costs/entries/?page=1..3, half with ?category=
    page  audit log             3   GET /audit/?page=1..3, a third with ?action=
    page  engagement detail    11   GET /engagements/{id}/
    page  freelancer detail     9   GET /talent/freelancers/{id}/
    page  task detail           4   GET /tasks/{id}/
    api   engagements list      8   GET /api/v1/engagements?limit=50&offset=0..5000 (token)
    api   engagement detail     7   GET /api/v1/engagements/{id} (token)
    api   freelancers list      5   GET /api/v1/freelancers?limit=50 (token)
    write add a cost (form)     5   POST /costs/entries/new/ with CSRF (302 to the ledger)
    write edit an engagement    3   PUT /api/v1/engagements/{draft id}, a new expected saving (token)
    write add a cost (API)      2   POST /api/v1/cost-entries (token)
    probe healthz               1   GET /healthz (a load balancer's check)

An error is any other status than the one expected (200; 302 to the ledger for the form;
201 for the API create) or a failed connection. After the run the costs added are counted
in the database: they must equal the creates answered as done.

Prints requests/s, errors and p50/p95/p99 per kind, per app process and overall; one row
"P5 traffic" judged on the overall figures. --runs is not used (the measure is a duration).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import multiprocessing
import os
import random
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))
import harness

BUDGET_RPS, BUDGET_P95_MS = 300, 100
MIX: list[tuple[str, int]] = [
    ("dashboard", 10),
    ("engagements list", 12),
    ("freelancers list", 11),
    ("tasks list", 4),
    ("costs ledger", 5),
    ("audit log", 3),
    ("engagement detail", 11),
    ("freelancer detail", 9),
    ("task detail", 4),
    ("api engagements list", 8),
    ("api engagement detail", 7),
    ("api freelancers list", 5),
    ("add a cost (form)", 5),
    ("edit an engagement (api)", 3),
    ("add a cost (api)", 2),
    ("healthz", 1),
]
assert sum(w for _, w in MIX) == 100
WRITES = {"add a cost (form)", "edit an engagement (api)", "add a cost (api)"}
PASSWORD = "traffic-bench-" + secrets.token_hex(8)
MARK = f"traffic bench {secrets.token_hex(4)}"  # the description of every cost the measured run adds
WARM_MARK = MARK + " (warm-up)"
WARMUP_S = 5.0


def checkout() -> str:
    """This checkout's mark in a database name: two checkouts' runs never drop each other's."""
    return hashlib.sha256(str(harness.CACHE.resolve()).encode()).hexdigest()[:4]


# -- the run's own database: a copy of the standard dataset -------------------------------------


def copy_database(db: str, source: str, name: str) -> str:
    """A copy of `source` that this run may write to (the shared dataset stays untouched)."""
    target = harness.database_url(db, name)
    if db == "sqlite":
        harness.drop_database(db, target)
        src = sqlite3.connect(source.removeprefix("sqlite:///"))
        dst = sqlite3.connect(target.removeprefix("sqlite:///"))
        with dst:
            src.backup(dst)
        src.close()
        dst.execute("PRAGMA journal_mode=WAL")
        dst.close()
        return target
    import psycopg

    server, source_name = source.rsplit("/", 1)
    target_name = target.rsplit("/", 1)[1]
    assert target_name.startswith("sw_bench_"), target_name
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)')
        # A template copy keeps the planner statistics of the VACUUM ANALYZE after the load.
        conn.execute(f'CREATE DATABASE "{target_name}" TEMPLATE "{source_name}"')
    return target


def prepare(workspace_id: int) -> dict[str, Any]:
    """In this process (Django on the copy): the owner's password and token, ids to visit."""
    from django.db import connection

    from sourcewise.api.services import create_token
    from sourcewise.core.dates import server_today
    from sourcewise.engagements.models import Engagement
    from sourcewise.findings.refresh import ensure_fresh
    from sourcewise.talent.models import Freelancer
    from sourcewise.tasks.models import Task
    from sourcewise.workspaces.models import Membership, Workspace

    workspace = Workspace.objects.get(pk=workspace_id)
    # What production's daily cron (`sourcewise health --refresh`) has done before the day's
    # traffic: a dataset generated on another day would otherwise make the first request
    # recompute every finding of the workspace.
    started = time.perf_counter()
    ensure_fresh(workspace)
    print(f"  findings fresh for today ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    owner = Membership.objects.select_related("user").get(workspace=workspace, role="owner")
    owner.user.set_password(PASSWORD)
    owner.user.save(update_fields=["password"])
    _, token = create_token(user=owner.user, workspace=workspace, name="traffic bench")
    rng = random.Random(5)

    def sample(queryset: Any, n: int = 5000) -> list[Any]:
        values = list(queryset)
        return rng.sample(values, min(n, len(values)))

    engagements = Engagement.objects.filter(workspace=workspace)
    drafts = list(
        engagements.filter(state=Engagement.State.DRAFT).values(
            "pk", "freelancer_id", "task_id", "manager_id", "kind", "billing", "rate", "currency", "budget_cap",
            "start_date", "end_date",
        )[:2000]
    )  # fmt: skip
    payloads = {
        d["pk"]: {
            "freelancer_id": d["freelancer_id"],
            "task_id": d["task_id"],
            "manager_id": d["manager_id"],
            "kind": d["kind"],
            "billing": d["billing"],
            "rate": str(d["rate"]),
            "currency": d["currency"],
            "budget_cap": None if d["budget_cap"] is None else str(d["budget_cap"]),
            "start_date": d["start_date"].isoformat(),
            "end_date": None if d["end_date"] is None else d["end_date"].isoformat(),
        }
        for d in drafts
    }
    names = sample(Freelancer.objects.filter(workspace=workspace).values_list("name", flat=True)[:20000], 200)
    data = {
        "email": owner.user.email,
        "password": PASSWORD,
        "token": token,
        "currency": workspace.base_currency,
        "engagements": sample(engagements.values_list("pk", flat=True)),
        "freelancers": sample(Freelancer.objects.filter(workspace=workspace).values_list("pk", flat=True)),
        "tasks": sample(Task.objects.filter(workspace=workspace).values_list("pk", flat=True)),
        "drafts": payloads,
        "words": sorted({n.split()[0] for n in names if n.split()}) or ["a"],
        "engagement_states": list(Engagement.State.values),
        "freelancer_statuses": list(Freelancer.Status.values),
        "today": server_today().isoformat(),
    }
    for what in ("engagements", "freelancers", "tasks", "drafts"):
        assert data[what], f"the dataset has no {what}"
    connection.close()
    return data


# -- the servers -----------------------------------------------------------------------------


def server_env(url: str, data_dir: Path, static_root: Path) -> dict[str, str]:
    """Production settings: DEBUG off, the database queue for jobs; only what a bench on
    127.0.0.1 cannot have is changed (no HTTPS redirect, cookies over plain HTTP)."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="sourcewise.config.settings.base",
        DEBUG="0",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-only-secret-key-not-for-production-0123456789abcdef",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        ALLOWED_HOSTS="localhost,127.0.0.1",
        SOURCEWISE_DATA_DIR=str(data_dir),  # shared by the app processes, as shared storage would be
        STATIC_ROOT=str(static_root),  # each host collects its own static files at start
        SOURCEWISE_JOBS="database",
        LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join(filter(None, [str(harness.ROOT / "src"), os.environ.get("PYTHONPATH")])),
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def start_servers(url: str, ports: list[int], workers: int, workdir: Path) -> list[subprocess.Popen[bytes]]:
    servers = []
    for port in ports:
        log = (workdir / f"serve-{port}.log").open("wb")
        command = [sys.executable, "-m", "sourcewise.cli", "serve", "--no-demo"]
        command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
        if port != ports[0]:  # one job worker per host name: the others serve web requests only
            command.append("--no-worker")
        env = server_env(url, workdir / "data", workdir / f"static-{port}")
        servers.append(subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True))
    return servers


def free_ports(count: int, first: int | None) -> list[int]:
    """`count` ports nobody listens on (another run on this machine may hold the usual ones)."""
    if first:
        return [first + i for i in range(count)]
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def wait_ready(servers: list[subprocess.Popen[bytes]], ports: list[int], timeout: float, workdir: Path) -> str:
    """'' when every server of this run listens and answers /healthz with 200 in time, else
    what went wrong (an answer from another process holding the port does not count)."""
    deadline = time.monotonic() + timeout
    waiting = set(ports)
    while waiting:
        for server, port in zip(servers, ports, strict=True):
            if port not in waiting:
                continue
            if server.poll() is not None:
                return f"the server on port {port} exited ({server.returncode}) before answering"
            log = (workdir / f"serve-{port}.log").read_text(errors="replace")
            if "Address already in use" in log:
                return f"port {port} is held by another process"
            if f"Listening at: http://127.0.0.1:{port}" not in log:
                continue
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz", headers={"Host": "localhost"})
                if conn.getresponse().status == 200:
                    waiting.discard(port)
                conn.close()
            except OSError:
                pass
        if waiting and time.monotonic() > deadline:
            return f"no answer from port(s) {sorted(waiting)} within {timeout:.0f} s"
        if waiting:
            time.sleep(0.5)
    return ""


def stop_servers(servers: list[subprocess.Popen[bytes]]) -> None:
    for server in servers:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
    for server in servers:
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# -- the client ------------------------------------------------------------------------------

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """One signed-in person: cookies of its own, a keep-alive connection per app process."""

    def __init__(self, ports: list[int], data: dict[str, Any], rng: random.Random) -> None:
        self.ports = ports
        self.data = data
        self.rng = rng
        self.cookies: dict[str, str] = {}
        self.conns = {port: http.client.HTTPConnection("127.0.0.1", port, timeout=30) for port in ports}
        self.turn = 0
        self.drafts = list(data["drafts"].items())

    def next_port(self) -> int:
        self.turn += 1
        return self.ports[self.turn % len(self.ports)]

    def send(self, port: int, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        headers = {"Host": "localhost", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = self.conns[port]
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response, content

    def sign_in(self) -> None:
        port = self.ports[0]
        response, content = self.send(port, "GET", "/accounts/login/")
        match = CSRF_INPUT.search(content)
        assert response.status == 200, f"login form: {response.status}"
        assert match, "no CSRF token in the login form"
        form = {"username": self.data["email"], "password": self.data["password"]}
        form["csrfmiddlewaretoken"] = match.group(1).decode()
        body = urllib.parse.urlencode(form).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        response, _ = self.send(port, "POST", "/accounts/login/", body, headers)
        assert response.status == 302, f"sign-in answered {response.status}"
        assert "sessionid" in self.cookies, "no session cookie after signing in"

    # One request of each kind: (method, path, body, headers, expected status, check of the location)
    def request_for(self, kind: str, mark: str = MARK) -> tuple[str, str, bytes | None, dict[str, str], int]:
        rng, data = self.rng, self.data
        token = {"Authorization": f"Bearer {data['token']}"}
        page = rng.randint(2, 40)
        if kind == "dashboard":
            return "GET", "/dashboard/", None, {}, 200
        if kind == "engagements list":
            extra = rng.choice(
                ["", f"&state={rng.choice(data['engagement_states'])}", f"&q={rng.choice(data['words'])}"]
            )
            return "GET", f"/engagements/?page={page if not extra else rng.randint(1, 3)}{extra}", None, {}, 200
        if kind == "freelancers list":
            extra = rng.choice(
                ["", f"&status={rng.choice(data['freelancer_statuses'])}", f"&q={rng.choice(data['words'])}"]
            )
            return "GET", f"/talent/freelancers/?page={page if not extra else rng.randint(1, 3)}{extra}", None, {}, 200
        if kind == "tasks list":
            extra = rng.choice(["", "", "&q=a"])
            return "GET", f"/tasks/?page={rng.randint(1, 3)}{extra}", None, {}, 200
        if kind == "costs ledger":
            extra = rng.choice(["", "&category=tools"])
            return "GET", f"/costs/entries/?page={rng.randint(1, 3)}{extra}", None, {}, 200
        if kind == "audit log":
            extra = rng.choice(["", "", "&action=cost"])
            return "GET", f"/audit/?page={rng.randint(1, 3)}{extra}", None, {}, 200
        if kind == "engagement detail":
            return "GET", f"/engagements/{rng.choice(data['engagements'])}/", None, {}, 200
        if kind == "freelancer detail":
            return "GET", f"/talent/freelancers/{rng.choice(data['freelancers'])}/", None, {}, 200
        if kind == "task detail":
            return "GET", f"/tasks/{rng.choice(data['tasks'])}/", None, {}, 200
        if kind == "api engagements list":
            return "GET", f"/api/v1/engagements?limit=50&offset={50 * rng.randint(0, 100)}", None, token, 200
        if kind == "api engagement detail":
            return "GET", f"/api/v1/engagements/{rng.choice(data['engagements'])}", None, token, 200
        if kind == "api freelancers list":
            return "GET", "/api/v1/freelancers?limit=50", None, token, 200
        if kind == "add a cost (form)":
            form = {
                "category": "tools",
                "date": data["today"],
                "amount": f"{rng.randint(100, 99999) / 100:.2f}",
                "currency": data["currency"],
                "engagement": str(rng.choice(data["engagements"])),
                "description": mark,
                "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
            }
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            return "POST", "/costs/entries/new/", urllib.parse.urlencode(form).encode(), headers, 302
        if kind == "edit an engagement (api)":
            pk, payload = rng.choice(self.drafts)
            payload = {**payload, "expected_monthly_saving": f"{rng.randint(0, 500000) / 100:.2f}"}
            headers = {**token, "Content-Type": "application/json"}
            return "PUT", f"/api/v1/engagements/{pk}", json.dumps(payload).encode(), headers, 200
        if kind == "add a cost (api)":
            payload = {
                "category": "licences",
                "date": data["today"],
                "amount": f"{rng.randint(100, 99999) / 100:.2f}",
                "currency": data["currency"],
                "description": mark,
            }
            headers = {**token, "Content-Type": "application/json"}
            return "POST", "/api/v1/cost-entries", json.dumps(payload).encode(), headers, 201
        if kind == "healthz":
            return "GET", "/healthz", None, {}, 200
        raise ValueError(kind)

    def one(self, kind: str, mark: str = MARK) -> tuple[int, float, bool, int]:
        method, path, body, headers, expected = self.request_for(kind, mark)
        port = self.next_port()
        started = time.perf_counter()
        try:
            response, _ = self.send(port, method, path, body, headers)
            status = response.status
            ok = status == expected
            if ok and expected == 302:  # the form was accepted: back to the ledger, not the form again
                ok = response.getheader("Location", "").rstrip("/").endswith("/costs/entries")
        except (OSError, http.client.HTTPException):
            status, ok = 0, False
            elapsed = time.perf_counter() - started
            time.sleep(0.05)  # back off: spinning on a refused connection would only add failures
            return port, elapsed, ok, status
        return port, time.perf_counter() - started, ok, status


def client_process(ports, data, threads, seed, ready, go, start_at, out):  # type: ignore[no-untyped-def]
    kinds = [kind for kind, weight in data["mix"] for _ in range(weight)]
    results: list[tuple[str, int, float, bool, int]] = []
    lock = threading.Lock()
    signed_in = threading.Barrier(threads + 1)
    failures: list[str] = []

    def worker(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        browser = Browser(ports, data, rng)
        browser.turn = index
        try:
            browser.sign_in()
        except Exception as exc:  # reported, and the run fails
            failures.append(f"sign-in: {exc!r}")
        signed_in.wait()
        go.wait()
        warm_until = start_at.value
        while time.time() < warm_until:  # warm: the same mix, not counted
            browser.one(rng.choice(kinds), WARM_MARK)
        deadline = warm_until + data["seconds"]
        local = []
        while time.time() < deadline:
            kind = rng.choice(kinds)
            port, seconds, ok, status = browser.one(kind)
            local.append((kind, port, seconds, ok, status))
        with lock:
            results.extend(local)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    signed_in.wait()
    ready.put(failures)
    for t in pool:
        t.join()
    out.put(results)


# -- the report ------------------------------------------------------------------------------


def percentiles(times: list[float]) -> tuple[float, float, float]:
    if len(times) < 2:
        value = times[0] * 1000 if times else 0.0
        return value, value, value
    q = statistics.quantiles(times, n=100, method="inclusive")
    return q[49] * 1000, q[94] * 1000, q[98] * 1000


def line(label: str, rows: list[tuple[str, int, float, bool, int]], seconds: float) -> str:
    p50, p95, p99 = percentiles([r[2] for r in rows])
    errors = [r for r in rows if not r[3]]
    statuses = sorted({r[4] for r in errors})
    return (
        f"  {label:<26} {len(rows):>7} {len(rows) / seconds:7.1f}/s  errors {len(errors):<4}"
        f"{' ' + str(statuses) if statuses else ''}  p50 {p50:6.1f}  p95 {p95:6.1f}  p99 {p99:6.1f} ms"
    )


def main() -> int:
    parser = harness.arguments(__doc__)
    parser.add_argument("--seconds", type=float, default=60.0, help="the measured duration (60 for the budget)")
    parser.add_argument(
        "--app-processes",
        type=int,
        default=None,
        help="app processes (hosts) on one database: default 2 on PostgreSQL, 1 on SQLite",
    )
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers per app process (2 in all)")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per client process")
    parser.add_argument("--ready-timeout", type=float, default=180.0, help="seconds a server may take to answer")
    parser.add_argument(
        "--reads-only",
        action="store_true",
        help="a diagnostic: the mix without its writes (never the P5 figure; the row says so)",
    )
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("BENCH_PORT", "0")), help="first port (default: free ones)"
    )
    args = parser.parse_args()
    apps = args.app_processes or (2 if args.db == "postgres" else 1)
    workers = args.workers or max(1, 2 // apps)
    ports = free_ports(apps, args.port)

    run = harness.Run("P5 traffic", db=args.db)
    if args.db == "sqlite" and apps == 1:
        print(
            "  SQLite: one app process (a file on one host; the scale-out run is the PostgreSQL one)", file=sys.stderr
        )
    source, info = harness.standard_data(args.db, args.scale)
    workdir = Path(tempfile.mkdtemp(prefix="sourcewise-traffic-"))
    (workdir / "data").mkdir()
    url = copy_database(args.db, source, f"traffic_{checkout()}")
    harness.setup_django(url, data_dir=str(workdir / "data"))
    data = prepare(info["workspace_id"])
    data["seconds"] = args.seconds
    data["mix"] = [(k, w) for k, w in MIX if not (args.reads_only and k in WRITES)]
    counts = info.get("counts", {})
    print(
        f"  data: {counts.get('freelancers', '?')} freelancers, {counts.get('engagements', '?')} engagements "
        f"(a copy of the standard dataset at scale {args.scale:g})",
        file=sys.stderr,
    )
    print(f"  mix (percent): {', '.join(f'{k} {w}' for k, w in data['mix'])}", file=sys.stderr)

    try:
        return serve_and_measure(run, url, data, args, apps, workers, ports, workdir)
    finally:
        logs = harness.CACHE / "traffic-logs"  # the servers' logs of the last run, to read after a miss
        shutil.rmtree(logs, ignore_errors=True)
        logs.mkdir(parents=True)
        for log in workdir.glob("serve-*.log"):
            shutil.copy(log, logs / log.name)
        print(f"  servers' logs: {logs}", file=sys.stderr)
        shutil.rmtree(workdir, ignore_errors=True)
        harness.drop_database(args.db, url)  # the copy this run wrote to


def serve_and_measure(
    run: harness.Run,
    url: str,
    data: dict[str, Any],
    args: Any,
    apps: int,
    workers: int,
    ports: list[int],
    workdir: Path,
) -> int:
    servers = start_servers(url, ports, workers, workdir)
    try:
        trouble = wait_ready(servers, ports, args.ready_timeout, workdir)
        if trouble:  # the clock never starts
            for port in ports:
                tail = (workdir / f"serve-{port}.log").read_text(errors="replace")[-2000:]
                print(f"  --- serve on {port}, last lines:\n{tail}", file=sys.stderr)
            budget = f"answer /healthz within {args.ready_timeout:g} s"
            run.add("servers ready", budget=budget, measured=trouble, met=False)
            return run.finish()
        results = drive(ports, data, args)
    finally:
        stop_servers(servers)
    if isinstance(results, str):
        run.add("sign-in", budget="every client thread signs in", measured=results, met=False)
        return run.finish()
    return report(run, results, data, args, apps, workers, ports)


def drive(ports: list[int], data: dict[str, Any], args: Any) -> list[tuple[str, int, float, bool, int]] | str:
    context = multiprocessing.get_context("fork")
    ready, out = context.Queue(), context.Queue()
    go = context.Event()
    start_at = context.Value("d", 0.0)
    clients = [
        context.Process(target=client_process, args=(ports, data, args.threads, n + 1, ready, go, start_at, out))
        for n in range(args.clients)
    ]
    for p in clients:
        p.start()
    failures = [f for _ in clients for f in ready.get()]
    start_at.value = time.time() + WARMUP_S  # the clock starts when every thread is signed in and warm
    go.set()
    results = [row for _ in clients for row in out.get()]
    for p in clients:
        p.join()
    if failures:
        return "; ".join(sorted(set(failures)))[:300]
    return results


def report(
    run: harness.Run, results: list[Any], data: dict[str, Any], args: Any, apps: int, workers: int, ports: list[int]
) -> int:
    from django.db import connection

    from sourcewise.costs.models import CostEntry

    seconds = args.seconds
    print(
        f"  {seconds:g} s measured after {WARMUP_S:g} s warm-up; {apps} app process(es) × {workers} gunicorn "
        f"worker(s), one jobs worker beside the first; client {args.clients} processes × {args.threads} threads "
        f"on the same "
        f"{os.cpu_count()} cores",
        file=sys.stderr,
    )
    print(f"  {'kind':<26} {'count':>7} {'rate':>9}", file=sys.stderr)
    for kind, _ in data["mix"]:
        print(line(kind, [r for r in results if r[0] == kind], seconds), file=sys.stderr)
    for port in ports:
        print(line(f"app process :{port}", [r for r in results if r[1] == port], seconds), file=sys.stderr)
    print(line("all", results, seconds), file=sys.stderr)

    created = sum(1 for r in results if r[3] and r[0] in ("add a cost (form)", "add a cost (api)"))
    stored = CostEntry.objects.filter(description=MARK).count()
    connection.close()
    # Only answered requests count towards the rate: a refused connection is an error, not traffic.
    rps = sum(1 for r in results if r[4]) / seconds
    errors = sum(1 for r in results if not r[3])
    p50, p95, p99 = percentiles([r[2] for r in results])
    spread = " / ".join(str(sum(1 for r in results if r[1] == port)) for port in ports)
    served = f"{apps} app process{'es' if apps > 1 else ''} × {workers} worker{'s' if workers > 1 else ''}"
    measured = (
        f"{rps:.0f} req/s, {errors} errors, p50 {p50:.1f} / p95 {p95:.1f} / p99 {p99:.1f} ms; "
        f"{served}{f' (requests {spread})' if apps > 1 else ''}; "
        f"{args.clients}×{args.threads} client threads on the same cores"
    )
    met = rps >= BUDGET_RPS and errors == 0 and p95 <= BUDGET_P95_MS and seconds >= 60
    if seconds < 60:
        measured += f"; only {seconds:g} s"
    label = "mixed traffic, signed in" if not args.reads_only else "READS ONLY (a diagnostic, not the P5 mix)"
    run.add(
        f"{label} ({len(results):,} requests)",
        budget=f"≥ {BUDGET_RPS} req/s for 60 s, 0 errors, p95 ≤ {BUDGET_P95_MS} ms",
        measured=measured,
        ratio=f"{rps / BUDGET_RPS:.2f}× the rate",
        met=met,
    )
    run.add(
        "costs added = costs stored",
        budget="every create answered as done is in the database",
        measured=f"{created} answered, {stored} stored",
        met=created == stored,
    )
    return run.finish()


if __name__ == "__main__":
    sys.exit(main())

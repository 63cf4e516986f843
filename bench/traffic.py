"""Benchmark SPEC §6 P5: mixed traffic on gunicorn, 2 cores — ≥ 300 requests/s for 60 s,
0 errors, p95 ≤ 100 ms.

    python bench/traffic.py [SECONDS] [CLIENT_PROCESSES] [THREADS_PER_PROCESS]

Generates a workspace (10 000 freelancers, 20 000 engagements) in a temporary SQLite
database (or the PostgreSQL database DATABASE_URL names — it must be empty), starts
`sourcewise serve --no-demo` (gunicorn, WEB_CONCURRENCY workers, default 2), and sends a
mix of requests over keep-alive connections from client processes on the same machine
(so the client's CPU time counts against the 2 cores, which makes the figure conservative):

    30 %  GET /api/v1/engagements?limit=20     (token)
    25 %  GET /api/v1/engagements/{id}         (token)
    20 %  GET /api/v1/freelancers?limit=20     (token)
    15 %  GET /healthz
    10 %  GET /accounts/login/                 (an HTML page)

Prints requests/s, errors and latency percentiles per kind and overall.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PORT = int(os.environ.get("BENCH_PORT", "8765"))
MIX = [("list", 30), ("detail", 25), ("freelancers", 20), ("healthz", 15), ("login", 10)]


def _prepare(env: dict[str, str]) -> tuple[str, list[int]]:
    code = (
        "import django, json; django.setup()\n"
        "from sourcewise.demo.generate import generate\n"
        "from sourcewise.api.services import create_token\n"
        "from sourcewise.workspaces.models import Membership\n"
        "from sourcewise.engagements.models import Engagement\n"
        "g = generate(name='Traffic', freelancers=10000, engagements=20000, tasks=200)\n"
        "owner = Membership.objects.get(workspace=g.workspace, role='owner')\n"
        "_, token = create_token(user=owner.user, workspace=g.workspace, name='bench')\n"
        "ids = list(Engagement.objects.filter(workspace=g.workspace).values_list('pk', flat=True)[:5000])\n"
        "print(json.dumps({'token': token, 'ids': ids}))\n"
    )
    subprocess.run([sys.executable, "-m", "sourcewise.cli", "migrate", "-v0"], env=env, check=True)
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True).stdout
    import json

    data = json.loads(out.strip().splitlines()[-1])
    return data["token"], data["ids"]


def _client(deadline: float, token: str, ids: list[int], threads: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    results: list[tuple[str, float, bool]] = []
    lock = threading.Lock()
    kinds = [k for k, w in MIX for _ in range(w)]

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
        auth = {"Authorization": f"Bearer {token}"}
        local = []
        while time.time() < deadline:
            kind = rng.choice(kinds)
            path, headers = {
                "list": ("/api/v1/engagements?limit=20", auth),
                "detail": (f"/api/v1/engagements/{rng.choice(ids)}", auth),
                "freelancers": ("/api/v1/freelancers?limit=20", auth),
                "healthz": ("/healthz", {}),
                "login": ("/accounts/login/", {}),
            }[kind]
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={**headers, "Host": "localhost"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
            local.append((kind, time.perf_counter() - started, ok))
        with lock:
            results.extend(local)

    pool = [threading.Thread(target=worker, args=(os.getpid() * 100 + i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    queue.put(results)


def main(seconds: int, processes: int, threads: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="sourcewise-traffic-"))
    env = dict(os.environ, SOURCEWISE_DATA_DIR=str(workdir), DJANGO_SETTINGS_MODULE="sourcewise.config.settings.base")
    env.setdefault("DEBUG", "0")
    env.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    env.update(SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0", ALLOWED_HOSTS="localhost,127.0.0.1")
    token, ids = _prepare(env)
    server = subprocess.Popen(
        [sys.executable, "-m", "sourcewise.cli", "serve", "--no-demo", "--bind", f"127.0.0.1:{PORT}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(100):  # wait until it answers
            try:
                c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1)
                c.request("GET", "/healthz", headers={"Host": "localhost"})
                c.getresponse().read()
                break
            except OSError:
                time.sleep(0.3)
        deadline = time.time() + seconds
        queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
        clients = [
            multiprocessing.Process(target=_client, args=(deadline, token, ids, threads, queue))
            for _ in range(processes)
        ]
        for p in clients:
            p.start()
        results = [row for _ in clients for row in queue.get()]
        for p in clients:
            p.join()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    def line(label: str, rows: list[tuple[str, float, bool]]) -> str:
        times = sorted(t for _, t, _ in rows)
        errors = sum(1 for *_, ok in rows if not ok)
        q = statistics.quantiles(times, n=100) if len(times) > 1 else [times[0]] * 99
        return (
            f"  {label:<12} {len(rows) / seconds:7.1f} req/s  errors {errors:<4} "
            f"p50 {q[49] * 1000:6.1f} ms  p95 {q[94] * 1000:6.1f} ms  p99 {q[98] * 1000:6.1f} ms"
        )

    print(f"P5: {seconds} s, {processes}×{threads} client threads, gunicorn workers {env.get('WEB_CONCURRENCY', '2')}")
    for kind, _ in MIX:
        print(line(kind, [r for r in results if r[0] == kind]))
    print(line("all", results))
    rps = len(results) / seconds
    p95 = statistics.quantiles(sorted(t for _, t, _ in results), n=100)[94] * 1000
    errors = sum(1 for *_, ok in results if not ok)
    verdict = rps >= 300 and errors == 0 and p95 <= 100
    print(f"  budget ≥ 300 req/s, 0 errors, p95 ≤ 100 ms: {'OK' if verdict else 'OVER BUDGET'}")
    sys.exit(0 if verdict else 1)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*(args + [60, 2, 8][len(args) :]))

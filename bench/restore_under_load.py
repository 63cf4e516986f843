"""Benchmark SPEC §7 / issue 10: a large restore does not give other workspaces any 5xx.

    python bench/restore_under_load.py [MEGABYTES] [WRITERS]      (defaults: 64 MB, 20 writers)

In a temporary SQLite database it generates a workspace ("Source": generated freelancers,
tasks and engagements plus PDF documents) and backs it up to a file of about MEGABYTES,
and a second workspace ("Writers") with an API token. It starts `sourcewise serve`
(gunicorn plus the background-jobs worker), signs in as Source's owner and uploads the
backup on the restore page, which starts the restore job. While the job runs, WRITERS
threads each post new skills into the Writers workspace over the API, one after another.

Prints the writers' requests, status codes, 5xx count and p50/p95/max latency, and the
restore's duration (upload to job done). Exits 1 when any writer got a 5xx or the
restore did not finish as "done".
"""

from __future__ import annotations

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

PORT = int(os.environ.get("BENCH_PORT", "8767"))
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "bench-restore-password-1"  # noqa: S105 (a throwaway account in a temporary database)

PREPARE = """
import django, json, os
django.setup()
from django.core.files.base import ContentFile
from sourcewise.api.services import create_token
from sourcewise.demo.generate import generate
from sourcewise.guidance.models import DocumentType, FreelancerDocument
from sourcewise.talent.models import Freelancer
from sourcewise.workspaces.models import Membership

rows, documents, doc_bytes = (int(v) for v in os.environ["BENCH_SHAPE"].split(","))
source = generate(name="Source", freelancers=rows, engagements=rows * 2, tasks=max(20, rows // 20)).workspace
owner = Membership.objects.filter(workspace=source, role="owner").select_related("user").first()
owner.user.set_password(os.environ["BENCH_PASSWORD"])
owner.user.save()
kind = DocumentType.objects.create(workspace=source, name="Signed contract", expires=False)
people = list(Freelancer.objects.filter(workspace=source).order_by("pk")[:documents])
filler = os.urandom(doc_bytes)
for number, person in enumerate(people):
    body = b"%PDF-1.4\\n" + filler[number:] + filler[:number] + b"\\n%%EOF\\n"
    document = FreelancerDocument(
        workspace=source, freelancer=person, document_type=kind, original_name=f"contract-{number}.pdf",
        content_type="application/pdf", size=len(body),
    )
    document.file.save(f"contract-{number}.pdf", ContentFile(body), save=False)
    document.save()
writers = generate(name="Writers", freelancers=20, engagements=20, tasks=20).workspace
writer = Membership.objects.filter(workspace=writers, role="owner").first()
_, token = create_token(user=writer.user, workspace=writers, name="bench")
print(json.dumps({"source": source.pk, "email": owner.user.email, "token": token}))
"""


def _cli(env: dict[str, str], *args: str, capture: bool = False) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "sourcewise.cli", *args], env=env, check=True, capture_output=capture, text=True
    )
    return done.stdout if capture else ""


def _prepare(env: dict[str, str], target_mb: int, folder: Path) -> tuple[dict[str, object], Path]:
    # About a fifth of the file is rows, the rest uploaded documents (as in the reported attack:
    # a 64 MB file of which 39 MB were documents).
    rows = max(200, target_mb * 100)
    documents = 40
    doc_bytes = int(target_mb * 1024 * 1024 * 0.8 / documents * 3 / 4)  # base64 grows by 4/3
    env = {**env, "BENCH_SHAPE": f"{rows},{documents},{doc_bytes}", "BENCH_PASSWORD": PASSWORD}
    _cli(env, "migrate", "-v0")
    done = subprocess.run([sys.executable, "-c", PREPARE], env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"Preparing failed:\n{done.stderr[-3000:]}")
    out = done.stdout.strip()
    info = json.loads(out.splitlines()[-1])
    backup = folder / "source-backup.json"
    _cli(env, "backup", "--workspace", str(info["source"]), "-o", str(backup))
    return info, backup


def _wait_for_server(deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{BASE}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit("The server did not start.")


def _sign_in(email: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{BASE}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the login page"
    answer = session.post(
        f"{BASE}/accounts/login/",
        data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{BASE}/accounts/login/"},
        timeout=30,
    )
    assert answer.ok, "could not sign in"
    assert "/accounts/login/" not in answer.url, "could not sign in"
    return session


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main() -> int:
    target_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 64
    writers = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    folder = Path(tempfile.mkdtemp(prefix="sourcewise-restore-bench-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        SOURCEWISE_DATA_DIR=str(folder),
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",  # noqa: S106  # a bench's throwaway server
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SOURCEWISE_JOBS="database",
        DJANGO_SETTINGS_MODULE="sourcewise.config.settings.base",
        LOG_LEVEL="WARNING",
    )
    print(f"Preparing {target_mb} MB backup and the writers' workspace in {folder} …", flush=True)
    started = time.monotonic()
    info, backup = _prepare(env, target_mb, folder)
    size_mb = backup.stat().st_size / 1024 / 1024
    print(f"Backup: {size_mb:.1f} MB ({time.monotonic() - started:.0f} s to prepare)", flush=True)

    try:
        requests.get(f"{BASE}/healthz", timeout=2)
        raise SystemExit(f"Something already answers on port {PORT}; stop it or set BENCH_PORT.")
    except requests.RequestException:
        pass
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))  # so the server is stopped too
    log = (folder / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "sourcewise.cli", "serve", "--no-demo", "--bind", f"127.0.0.1:{PORT}"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_for_server(time.monotonic() + 120)
        session = _sign_in(str(info["email"]))
        page = session.get(f"{BASE}/backup/", timeout=30)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert csrf, "no CSRF token on the backup page"

        stop = threading.Event()
        latencies: list[float] = []
        statuses: Counter[int] = Counter()
        lock = threading.Lock()
        headers = {"Authorization": f"Bearer {info['token']}"}

        def writer(number: int) -> None:
            http = requests.Session()
            count = 0
            while not stop.is_set():
                count += 1
                began = time.monotonic()
                try:
                    status = http.post(
                        f"{BASE}/api/v1/skills",
                        json={"name": f"Skill {number}-{count}", "description": "written during a restore"},
                        headers=headers,
                        timeout=120,
                    ).status_code
                except requests.RequestException:
                    status = 599  # no answer at all counts as a server error
                with lock:
                    latencies.append(time.monotonic() - began)
                    statuses[status] += 1

        pool = [threading.Thread(target=writer, args=(i,), daemon=True) for i in range(writers)]
        for thread in pool:
            thread.start()
        time.sleep(2)  # the writers are up to speed before the restore starts

        restore_began = time.monotonic()
        with backup.open("rb") as handle:
            answer = session.post(
                f"{BASE}/backup/",
                data={"csrfmiddlewaretoken": csrf.group(1), "name": "Restored under load"},
                files={"file": ("source-backup.json", handle, "application/json")},
                headers={"Referer": f"{BASE}/backup/"},
                allow_redirects=False,
                timeout=300,
            )
        uploaded = time.monotonic() - restore_began
        assert answer.status_code == 302, f"the restore did not start: {answer.status_code} {answer.text[:500]}"
        assert "/jobs/" in answer.headers.get("Location", ""), (
            f"the restore did not start: {answer.status_code} {answer.text[:500]}"
        )
        job_url = BASE + answer.headers["Location"]
        state = "queued"
        while time.monotonic() - restore_began < 900:
            fragment = session.get(job_url, headers={"HX-Request": "true"}, timeout=60).text
            found = re.search(r'data-state="(\w+)"', fragment)
            state = found.group(1) if found else state
            if state in {"done", "failed"}:
                break
            time.sleep(0.5)
        restore_seconds = time.monotonic() - restore_began
        time.sleep(1)
        stop.set()
        for thread in pool:
            thread.join(timeout=150)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()

    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    message = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()[:300]
    print()
    print(f"Restore of {size_mb:.1f} MB: {state} in {restore_seconds:.1f} s (upload {uploaded:.1f} s) — {message}")
    print(
        f"Writers: {writers} threads, {sum(statuses.values())} requests, status codes {dict(sorted(statuses.items()))}"
    )
    print(
        f"Writer latency: p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {_percentile(latencies, 0.95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )
    print(f"5xx answers to writers: {server_errors}")
    print(f"(server log: {folder / 'serve.log'})")
    return 1 if server_errors or state != "done" else 0


if __name__ == "__main__":
    print(f"Load average before: {' '.join(f'{n:.2f}' for n in os.getloadavg())} ({os.cpu_count()} cores)")
    status = main()
    print(f"Load average after: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    raise SystemExit(status)

"""SPEC §7: an import killed with `kill -9` at any point leaves all rows of the file or none,
and running it again gives exactly the file's rows.

The import command runs as a real subprocess on a real database — a SQLite file, or the
PostgreSQL database DATABASE_URL names when the suite runs on PostgreSQL (in a fresh
workspace, removed afterwards) — and is killed with SIGKILL once it has printed a given
progress figure: while checking, as saving starts, and between chunks of the one transaction.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.talent_import import SKILLS, write_csv

ROWS = 5000  # chunks of 2000: progress at 2000 and 4000 while checking and while saving
PROGRESS = re.compile(r"(checking|saving)\s+\[[#-]*\]\s+(\d+)/")
KILL_POINTS = [("checking", 2000), ("saving", 0), ("saving", 2000), ("saving", 4000)]
SETUP = """
from sourcewise.talent.models import Skill
from sourcewise.workspaces.models import Workspace
ws = Workspace.objects.create(name="Kill -9", home_country="GB", base_currency="GBP", timezone="Europe/London")
Skill.objects.bulk_create([Skill(workspace=ws, name=n) for n in {skills!r}])
print(ws.pk)
"""


def environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="sourcewise.config.settings.test")
    return env


def sourcewise(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "sourcewise", *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def import_until(env: dict[str, str], csv: Path, workspace: int, phase: str, done: int) -> bool:
    """Start the import, SIGKILL it once it printed `phase done/…`; True when it was killed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sourcewise", "import_freelancers", str(csv), "--workspace", str(workspace)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    seen = b""
    while True:
        byte = process.stderr.read(1)
        if not byte:  # finished before reaching the point
            process.wait(timeout=60)
            return False
        seen += byte
        if any((p, int(n)) == (phase, done) for p, n in PROGRESS.findall(seen.decode(errors="replace"))):
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=60)
            assert process.returncode == -signal.SIGKILL
            return True


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.env = environment(url)

    def create(self) -> None:
        """The PostgreSQL database itself (not the test run's copy), created when missing."""
        if self.url.startswith("sqlite"):
            return
        import psycopg

        base, name = self.url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchall():
                connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]

    def query(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        if self.url.startswith("sqlite"):
            with sqlite3.connect(self.url.removeprefix("sqlite:///")) as connection:
                return connection.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(self.url.replace("postgres://", "postgresql://", 1)) as connection:
            return connection.execute(sql, params).fetchall()  # type: ignore[arg-type]

    def people(self, workspace: int) -> tuple[int, int]:
        (count, emails), = self.query(
            "SELECT COUNT(*), COUNT(DISTINCT LOWER(email)) FROM talent_freelancer WHERE workspace_id = %s", workspace
        )  # fmt: skip
        return int(count), int(emails)  # type: ignore[call-overload]


def databases() -> list[object]:
    """The database of this run: a SQLite file, or the PostgreSQL one DATABASE_URL names (`make test`
    runs the suite on both, so each is killed once)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return [pytest.param(url, id="postgresql")]
    return ["sqlite"]


@pytest.mark.slow
@pytest.mark.parametrize("target", databases())
def test_kill_9_leaves_all_rows_or_none_and_a_rerun_imports_exactly_the_file(target, tmp_path):
    url = f"sqlite:///{tmp_path / 'kill.sqlite3'}" if target == "sqlite" else target
    db = Database(url)
    db.create()
    sourcewise(db.env, "migrate", "--verbosity", "0")
    workspace = int(sourcewise(db.env, "shell", "-c", SETUP.format(skills=SKILLS)).stdout.strip().splitlines()[-1])
    csv = tmp_path / "people.csv"
    write_csv(csv, ROWS)
    try:
        killed_inside = 0
        for phase, done in KILL_POINTS:
            killed = import_until(db.env, csv, workspace, phase, done)
            count, distinct = db.people(workspace)
            assert count in (0, ROWS), f"partial import after kill at {phase} {done}: {count} rows"
            assert count == distinct
            if killed and phase == "saving" and done < 4000:
                killed_inside += count == 0
            if count == ROWS:
                break
        assert killed_inside, "no kill landed inside the transaction"
        started = time.monotonic()
        sourcewise(db.env, "import_freelancers", str(csv), "--workspace", str(workspace))
        assert db.people(workspace) == (ROWS, ROWS)
        assert db.query(
            "SELECT COUNT(*) FROM talent_freelancerskill s JOIN talent_freelancer f ON f.id = s.freelancer_id "
            "WHERE f.workspace_id = %s", workspace
        ) == [(2 * ROWS,)]  # fmt: skip
        sourcewise(db.env, "import_freelancers", str(csv), "--workspace", str(workspace))  # again: adds nothing
        assert db.people(workspace) == (ROWS, ROWS)
        assert time.monotonic() - started < 120
    finally:
        if target != "sqlite":
            sourcewise(db.env, "shell", "-c", f"from sourcewise.workspaces.models import Workspace; "
                                              f"Workspace.objects.filter(pk={workspace}).delete()")  # fmt: skip

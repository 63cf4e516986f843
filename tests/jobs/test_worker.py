"""The queue in the database: jobs wait for `sourcewise worker`, which `serve` runs beside gunicorn."""

from __future__ import annotations

import sys
import time
from io import StringIO

import pytest
from django.core.management import call_command

from sourcewise.jobs.models import Job
from sourcewise.jobs.services import save_upload, start_job
from sourcewise.ops.management.commands.serve import run_beside_worker
from tests.jobs.test_jobs import _count  # noqa: F401 (registers the test job kinds)

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_a_queued_job_waits_for_the_worker_which_first_fails_interrupted_ones(owner, settings):
    settings.TASKS = DATABASE_QUEUE  # django-tasks resets its backends when TASKS changes
    left_over = save_upload([b"half"], suffix=".csv")
    interrupted = Job.objects.create(
        workspace=owner.workspace, kind="test.count", title="Killed", state="running", temp_path=str(left_over)
    )
    path = save_upload([b"a\nb\n"], suffix=".txt")
    job = start_job(workspace=owner.workspace, actor=owner.user, kind="test.count", title="Count", temp_path=path)
    assert job.state == "queued" and path.exists()  # nothing runs inside the request

    out = StringIO()
    call_command("worker", "--batch", stdout=out)

    job.refresh_from_db()
    interrupted.refresh_from_db()
    assert (job.state, job.result["lines"]) == ("done", 2) and not path.exists()
    assert interrupted.state == "failed" and not left_over.exists()
    assert "Marked 1 interrupted job(s) as failed." in out.getvalue()


def test_serve_stops_the_worker_when_the_web_server_stops():
    began = time.monotonic()
    web = [sys.executable, "-c", "import time; time.sleep(0.5)"]
    worker = [sys.executable, "-c", "import time; time.sleep(60)"]
    assert run_beside_worker(web, worker) == 0
    assert time.monotonic() - began < 20


def test_the_worker_starts_again_after_a_database_error_instead_of_dying():
    """SQLite's "database is locked" (a burst of writes held the lock past busy_timeout) used to
    end the worker, and with it `sourcewise serve`: now it pauses and starts again."""
    from django.db import OperationalError

    from sourcewise.ops.management.commands.worker import PAUSES, run_until_stopped

    runs, said, pauses = [], [], []

    def work():
        runs.append(1)
        if len(runs) < 4:
            raise OperationalError("database is locked")

    run_until_stopped(work, say=said.append, sleep=pauses.append, clock=lambda: 0.0)
    assert len(runs) == 4
    assert pauses == list(PAUSES[:3])  # longer each time in a row
    assert all("database is locked" in line and "starts again" in line for line in said)


def test_a_batch_worker_gives_up_after_a_few_database_errors_and_other_errors_are_not_swallowed():
    from django.db import OperationalError

    from sourcewise.ops.management.commands.worker import BATCH_ATTEMPTS, run_until_stopped

    runs = []

    def locked():
        runs.append(1)
        raise OperationalError("database is locked")

    with pytest.raises(OperationalError):
        run_until_stopped(locked, say=lambda _: None, attempts=BATCH_ATTEMPTS, sleep=lambda _: None, clock=lambda: 0.0)
    assert len(runs) == BATCH_ATTEMPTS

    def broken():
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        run_until_stopped(broken, say=lambda _: None, sleep=lambda _: None)


def test_an_error_after_a_long_steady_run_starts_the_pauses_again():
    from django.db import OperationalError

    from sourcewise.ops.management.commands.worker import PAUSES, STEADY_SECONDS, run_until_stopped

    now = [0.0]
    pauses = []

    def work():
        if len(pauses) < 3:
            raise OperationalError("locked")
        if len(pauses) == 3:
            now[0] += STEADY_SECONDS + 1  # ran for a while, then failed again
            raise OperationalError("locked")

    run_until_stopped(work, say=lambda _: None, sleep=pauses.append, clock=lambda: now[0])
    assert pauses == [PAUSES[0], PAUSES[1], PAUSES[2], PAUSES[0]]

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

"""Background jobs: start one, report its progress, finish or fail it, recover after a crash.

A job is a row (`Job`) plus one task of Django's tasks framework (`django-tasks`, the
backport of Django 6's `django.tasks`) that runs it. Every kind of job registers a handler
with `@job_kind("<app>.<what>")` in its app's `jobs.py`; `run_job` looks the handler up,
gives it a `Progress` to call, and records how it ended. A handler raises `JobRefused`
for input a person must fix (the message and the list of errors are shown as they are);
any other exception fails the job with a generic message and is logged.
"""

from __future__ import annotations

import datetime
import logging
import secrets
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from sourcewise.jobs.models import Job

if TYPE_CHECKING:
    from sourcewise.accounts.models import User
    from sourcewise.workspaces.models import Workspace

logger = logging.getLogger(__name__)

Handler = Callable[[Job, "Progress"], dict[str, Any]]

CRASHED_MESSAGE = (
    "The server stopped while this job was running, so it did not finish and nothing of it was kept. Start it again."
)
UNEXPECTED_MESSAGE = "The job stopped on an unexpected error; nothing of it was kept. Try again."


@dataclass(frozen=True)
class JobKind:
    kind: str
    handler: Handler


_KINDS: dict[str, JobKind] = {}


def job_kind(kind: str) -> Callable[[Handler], Handler]:
    """Register `handler` as the code that runs jobs of `kind`."""

    def register(handler: Handler) -> Handler:
        _KINDS[kind] = JobKind(kind=kind, handler=handler)
        return handler

    return register


class JobRefused(Exception):
    """The job's input was refused: `message` for the page, `errors` one line each."""

    def __init__(self, message: str, errors: Iterable[str] = (), *, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.errors = [str(e) for e in errors]
        self.status = status  # what the API answers for this refusal (400 unreadable, 422 refused)

    @classmethod
    def rows(cls, errors: Iterable[object], *, noun: str = "rows") -> JobRefused:
        """An all-or-nothing import refused by its rows: the first 100 problems, one line each."""
        return cls(f"Nothing was imported. Fix these {noun} and upload the file again:", [str(e) for e in errors][:100])


# ---------------------------------------------------------------- temporary files


def jobs_dir() -> Path:
    folder = Path(getattr(settings, "SOURCEWISE_JOBS_DIR", Path(settings.DATA_DIR) / "jobs"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_upload(chunks: Iterable[bytes], *, suffix: str) -> Path:
    """Write an upload to a new private file in the jobs folder (it is deleted when the job ends)."""
    path = jobs_dir() / f"{secrets.token_hex(16)}{suffix}"
    with path.open("xb") as out:
        path.chmod(0o600)
        for chunk in chunks:
            out.write(chunk)
    return path


def remove_temp_file(path: str) -> None:
    """Delete a job's temporary file; only files inside the jobs folder are ever deleted."""
    if not path:
        return
    target = Path(path).resolve()
    if target.parent != jobs_dir().resolve():
        logger.warning("Not deleting %s: it is outside the jobs folder.", target)
        return
    target.unlink(missing_ok=True)


# ---------------------------------------------------------------- lifecycle


def start_job(
    *,
    workspace: Workspace,
    actor: User | None,
    kind: str,
    title: str,
    params: dict[str, Any] | None = None,
    temp_path: str | Path = "",
) -> Job:
    """Record a job and queue it. With the immediate backend (tests) it has run when this returns."""
    if kind not in _KINDS:
        raise ValueError(f"No job kind {kind!r} is registered.")
    job = Job.objects.create(
        workspace=workspace,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        kind=kind,
        title=title[:200],
        params=params or {},
        temp_path=str(temp_path),
    )
    try:
        run_job_task.enqueue(job_id=job.pk)
    except Exception:
        fail_job(job_id=job.pk, message="The job could not be queued; try again.")
        raise
    job.refresh_from_db()
    return job


def update_progress(*, job_id: int, done: int, total: int | None = None, message: str | None = None) -> None:
    changes: dict[str, Any] = {"done": max(0, done)}
    if total is not None:
        changes["total"] = max(0, total)
    if message is not None:
        changes["message"] = message[:300]
    changes["heartbeat_at"] = timezone.now()
    Job.objects.filter(pk=job_id, state=Job.State.RUNNING).update(**changes)


def finish_job(*, job_id: int, result: dict[str, Any], message: str = "") -> None:
    Job.objects.filter(pk=job_id).update(
        state=Job.State.DONE, result=result, message=message[:300], finished_at=timezone.now()
    )


def fail_job(*, job_id: int, message: str, errors: Iterable[str] = (), status: int = 422) -> None:
    Job.objects.filter(pk=job_id).exclude(state__in=Job.FINISHED).update(
        state=Job.State.FAILED,
        message=message[:300],
        result={"errors": [str(e) for e in errors], "status": status},
        finished_at=timezone.now(),
    )


class Progress:
    """Callable a handler reports to: `progress(done, total)`; writes at most every `every` seconds."""

    def __init__(self, job_id: int, *, every: float = 0.5) -> None:
        self.job_id = job_id
        self.every = every
        self._last = 0.0
        self._total: int | None = None

    def __call__(self, done: int, total: int | None = None, message: str | None = None) -> None:
        if total is not None:
            self._total = total
        now = time.monotonic()
        last_one = self._total is not None and done >= self._total
        if message is None and not last_one and now - self._last < self.every:
            return
        self._last = now
        update_progress(job_id=self.job_id, done=done, total=total, message=message)


def run_job(*, job_id: int) -> None:
    """Run one queued job to its end (what the worker calls). A job that is not queued is left alone."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=now, heartbeat_at=now, host=worker_host()
    )
    if not claimed:
        return
    job = Job.objects.select_related("workspace", "created_by").get(pk=job_id)
    try:
        kind = _KINDS[job.kind]
        result = kind.handler(job, Progress(job.pk))
    except JobRefused as refused:
        fail_job(job_id=job.pk, message=refused.message, errors=refused.errors, status=refused.status)
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        fail_job(job_id=job.pk, message=UNEXPECTED_MESSAGE)
    else:
        finish_job(job_id=job.pk, result=result, message=str(result.get("summary", ""))[:300])
    finally:
        remove_temp_file(job.temp_path)


# A running job that has not reported for this long is taken for dead, whichever host ran it.
STALE_AFTER = datetime.timedelta(minutes=10)


def worker_host() -> str:
    """This machine's name: one worker runs per host (`serve` starts it; more hosts scale out)."""
    return socket.gethostname()[:255]


def recover_stale_jobs(*, host: str | None = None) -> int:
    """Mark jobs left running by a stopped worker as failed and delete their files.

    Stale are the running jobs of this host (its worker is only starting, so none of them is
    alive) and jobs of any host silent for longer than STALE_AFTER; a live job of another
    host's worker is left alone. Called at start by `ops.startup.recover()`, which then lets
    each app clean up after its own interrupted kind (a restore's unfinished workspace).
    """

    silent = timezone.now() - STALE_AFTER
    stale = list(
        Job.objects.filter(state=Job.State.RUNNING)
        .filter(Q(host=host or worker_host()) | Q(host="") | Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=silent))
        .values_list("pk", "temp_path")
    )
    for pk, temp_path in stale:
        fail_job(job_id=pk, message=CRASHED_MESSAGE)
        remove_temp_file(temp_path)
    return len(stale)


@task()
def run_job_task(job_id: int) -> None:
    """The one task of Django's tasks framework that runs every background job."""
    run_job(job_id=job_id)

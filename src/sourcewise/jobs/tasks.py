"""Where queued rows written before the task moved into `jobs.services` find it."""

from sourcewise.jobs.services import run_job_task

__all__ = ["run_job_task"]

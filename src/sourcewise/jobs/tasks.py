"""The one task of Django's tasks framework that runs every background job."""

from __future__ import annotations

from django_tasks import task

from sourcewise.jobs import services


@task()
def run_job_task(job_id: int) -> None:
    services.run_job(job_id=job_id)

"""Background jobs of the tasks app: the CSV import of tasks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse

from sourcewise.core.csvio import CsvImportError
from sourcewise.jobs.models import Job
from sourcewise.jobs.services import JobRefused, Progress, job_kind
from sourcewise.tasks.importer import import_tasks

IMPORT = "tasks.import"


@job_kind(IMPORT)
def run_task_import(job: Job, progress: Progress) -> dict[str, Any]:
    progress(0, 1, "Checking and saving the rows")
    with Path(job.temp_path).open("rb") as file:
        try:
            result = import_tasks(workspace=job.workspace, actor=job.created_by, file=file)
        except CsvImportError as exc:
            raise JobRefused.rows(exc.errors) from None
        except ValidationError as exc:
            raise JobRefused("Nothing was imported:", exc.messages) from None
    return {
        "summary": f"Imported: {result.created} added, {result.updated} updated, {result.unchanged} unchanged.",
        "next_url": reverse("tasks:task_list"),
        "next_label": "Tasks",
    }

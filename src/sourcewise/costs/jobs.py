"""Background jobs of the costs app: the CSV import of cost entries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.urls import reverse

from sourcewise.core.csvio import CsvImportError
from sourcewise.costs import entry_csv
from sourcewise.jobs.models import Job
from sourcewise.jobs.services import JobRefused, Progress, job_kind

IMPORT = "costs.import"


@job_kind(IMPORT)
def run_entry_import(job: Job, progress: Progress) -> dict[str, Any]:
    progress(0, 1, "Checking and saving the rows")
    with Path(job.temp_path).open("rb") as file:
        try:
            result = entry_csv.import_entries(
                workspace=job.workspace, actor=job.created_by, file=file, filename=job.params.get("filename", "")
            )
        except CsvImportError as exc:
            raise JobRefused.rows(exc.errors) from None
    return {"summary": result.describe(), "next_url": reverse("costs:entry_list"), "next_label": "Cost entries"}

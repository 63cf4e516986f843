"""Background jobs of the talent app: the CSV import of freelancers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.urls import reverse

from sourcewise.jobs.models import Job
from sourcewise.jobs.services import JobRefused, Progress, job_kind
from sourcewise.talent.csv_io import ImportRefused, import_freelancers

IMPORT = "talent.import"


@job_kind(IMPORT)
def run_import(job: Job, progress: Progress) -> dict[str, Any]:
    """Check then import the uploaded CSV; all rows or none (the saving is one transaction)."""
    file = Path(job.temp_path)
    with file.open("rb") as lines:
        total = max(0, sum(1 for _ in lines) - 1)
    progress(0, total, "Checking rows")

    def report(phase: str, done: int) -> None:
        # Saving happens inside one transaction: its figures would only show once it is over.
        if phase == "checking":
            progress(done, total)
        elif done == 0:
            progress(total, total, f"Saving {total} rows in one go")

    try:
        result = import_freelancers(
            lambda: file.open("rb"), workspace=job.workspace, actor=job.created_by, progress=report
        )
    except ImportRefused as refused:
        raise JobRefused.rows(refused.result.errors) from None
    return {
        "summary": (
            f"{result.rows} rows: {result.created} added, {result.updated} updated, {result.unchanged} unchanged."
        ),
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "next_url": reverse("talent:freelancer_list"),
        "next_label": "Freelancers",
    }

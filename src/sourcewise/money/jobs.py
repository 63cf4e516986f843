"""Background jobs of the money app: the CSV imports of exchange rates and rate benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse

from sourcewise.jobs.models import Job
from sourcewise.jobs.services import JobRefused, Progress, job_kind
from sourcewise.money import services
from sourcewise.money.csv_import import CsvErrors

RATES = "money.import_rates"
BENCHMARKS = "money.import_benchmarks"


def _run(job: Job, progress: Progress, *, rates: bool) -> dict[str, Any]:
    progress(0, 1, "Checking and saving the lines")
    importer = services.import_exchange_rates if rates else services.import_rate_benchmarks
    with Path(job.temp_path).open("rb") as file:
        try:
            result = importer(
                workspace=job.workspace, actor=job.created_by, source=file, filename=job.params.get("filename", "")
            )
        except CsvErrors as exc:
            raise JobRefused.rows(exc.messages, noun="lines") from None
        except ValidationError as exc:
            raise JobRefused("Nothing was imported:", exc.messages) from None
    return {
        "summary": result.describe("rates" if rates else "benchmarks"),
        "next_url": reverse("money:rate_list" if rates else "money:benchmark_list"),
        "next_label": "Exchange rates" if rates else "Rate benchmarks",
    }


@job_kind(RATES)
def run_rate_import(job: Job, progress: Progress) -> dict[str, Any]:
    return _run(job, progress, rates=True)


@job_kind(BENCHMARKS)
def run_benchmark_import(job: Job, progress: Progress) -> dict[str, Any]:
    return _run(job, progress, rates=False)

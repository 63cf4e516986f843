from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from sourcewise.core.access import INTERNAL, scoped_object, workspace_view
from sourcewise.core.htmx import render_page
from sourcewise.jobs.models import Job


@workspace_view(roles=INTERNAL, objects={"pk": Job})
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Any job's progress; the page polls its own fragment every second until the job ends."""
    job = scoped_object(request, Job, pk)
    return render_page(request, "jobs/progress.html", {"job": job}, partial="progress")

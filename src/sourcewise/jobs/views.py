from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from sourcewise.core.access import INTERNAL
from sourcewise.core.htmx import render_page
from sourcewise.core.http import WorkspaceRequest
from sourcewise.jobs.models import Job
from sourcewise.jobs.services import save_upload, start_job
from sourcewise.workspaces.access import scoped_object, workspace_view


@workspace_view(roles=INTERNAL, objects={"pk": Job})
def job_progress(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Any job's progress; the page polls its own fragment every second until the job ends."""
    job = scoped_object(request, Job, pk)
    return render_page(request, "jobs/progress.html", {"job": job}, partial="progress")


def start_upload_job(
    request: WorkspaceRequest, upload: UploadedFile, *, kind: str, back: str, back_label: str
) -> HttpResponse:
    """Save an uploaded file, start the job that reads it and send the browser to its progress page."""
    path = save_upload(upload.chunks(), suffix=Path(upload.name or "").suffix.lower()[:10] or ".upload")
    job = start_job(
        workspace=request.workspace,
        actor=request.user,
        kind=kind,
        title=f"Import of {upload.name}",
        params={"filename": str(upload.name)[:255], "back_url": reverse(back), "back_label": back_label},
        temp_path=path,
    )
    return redirect("jobs:progress", pk=job.pk)

"""Backup and restore over the API (owner only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Body, Router, Schema, Status
from ninja.errors import HttpError

from sourcewise.api.access import api_access
from sourcewise.api.schemas import responses
from sourcewise.backups.jobs import RESTORE
from sourcewise.backups.services import export_workspace
from sourcewise.core.access import OWNER
from sourcewise.jobs.api import JobOut
from sourcewise.jobs.models import Job
from sourcewise.jobs.services import save_upload, start_job

router = Router(tags=["backup"])


class BackupOut(Schema):
    format: str
    version: int
    exported_at: str
    workspace: dict[str, Any]
    users: list[dict[str, Any]]
    tables: dict[str, list[dict[str, Any]]]


class RestoredOut(Schema):
    id: int
    name: str


@router.get("/backup", response=responses(BackupOut), auth=api_access([OWNER]))
def backup(request: HttpRequest) -> dict[str, Any]:
    """The whole workspace as one JSON document (people by e-mail, uploaded documents inline)."""
    return export_workspace(request.workspace, actor=request.user)  # type: ignore[attr-defined]


@router.post("/backup/restore", response={**responses(RestoredOut, 201), 202: JobOut}, auth=api_access([OWNER]))
def restore(request: HttpRequest, response: HttpResponse, document: dict[str, Any] = Body(...)) -> Any:  # noqa: B008
    """Restore a backup document as a new workspace (all or nothing); you become its owner.

    The restore runs as a background job: the answer is 202 with the job, and
    `GET /api/v1/jobs/{id}` follows it until `state` is `done` (then `result.workspace_id`
    names the new workspace) or `failed`. When the job has already ended by the time the
    answer is written, the answer is its outcome: 201 with the workspace, or 400.
    """
    path = save_upload([request.body], suffix=".json")
    job = start_job(
        workspace=request.workspace,  # type: ignore[attr-defined]
        actor=request.user,
        kind=RESTORE,
        title="Restore over the API",
        temp_path=path,
    )
    if job.state == Job.State.DONE:
        return Status(201, {"id": job.result["workspace_id"], "name": job.result["workspace_name"]})
    if job.state == Job.State.FAILED:
        raise HttpError(400, job.message)
    response["Location"] = f"/api/v1/jobs/{job.pk}"
    return Status(202, job)

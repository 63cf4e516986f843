"""Backup and restore over the API (owner only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from sourcewise.api.access import api_access
from sourcewise.api.schemas import ErrorOut, responses
from sourcewise.backups.document import BackupError
from sourcewise.backups.export import export_workspace
from sourcewise.backups.jobs import RESTORE
from sourcewise.backups.parsing import check_shape, parse_backup
from sourcewise.core.access import OWNER
from sourcewise.core.http import WorkspaceRequest
from sourcewise.core.limits import MAX_BACKUP_BYTES
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
    rows: int
    invited: list[str]
    summary: str


@router.get("/backup", response=responses(BackupOut), auth=api_access([OWNER]))
def backup(request: WorkspaceRequest) -> dict[str, Any]:
    """The whole workspace as one JSON document (people by e-mail, uploaded documents inline)."""
    return export_workspace(request.workspace, actor=request.user)


_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object", "description": "A backup document."}}},
    }
}


@router.post(
    "/backup/restore",
    response={**responses(RestoredOut, 201), 202: JobOut, 413: ErrorOut},
    auth=api_access([OWNER]),
    openapi_extra=_BODY,
)
def restore(request: WorkspaceRequest, response: HttpResponse) -> Any:
    """Restore a backup document as a new workspace (all or nothing); you become its owner.

    People in the file who already have an account are invited, not added. A body that is
    not strict JSON gets 400, one over the limit 413. The restore runs as a background job:
    the answer is 202 with the job, and `GET /api/v1/jobs/{id}` follows it until `state` is
    `done` (`result.workspace_id` names the new workspace) or `failed`. When the job has
    already ended by the time the answer is written, the answer is its outcome: 201 with the
    workspace, or the refusal (422 when a row breaks a rule).
    """
    raw = request.body  # ApiBodyLimitMiddleware already allowed up to the restore's own limit (413 above)
    try:
        check_shape(parse_backup(raw, limit=MAX_BACKUP_BYTES))  # refuse an unreadable file before queueing it
    except BackupError as exc:
        raise HttpError(exc.status, f"Nothing was restored: {exc}") from None
    job = start_job(
        workspace=request.workspace,
        actor=request.user,
        kind=RESTORE,
        title="Restore over the API",
        temp_path=save_upload([raw], suffix=".json"),
    )
    if job.state == Job.State.DONE:
        result = job.result
        return Status(
            201,
            {
                "id": result["workspace_id"],
                "name": result["workspace_name"],
                "rows": result["rows"],
                "invited": result["invited"],
                "summary": result["summary"],
            },
        )
    if job.state == Job.State.FAILED:
        raise HttpError(int((job.result or {}).get("status", 422)), job.message)
    response["Location"] = f"/api/v1/jobs/{job.pk}"
    return Status(202, job)

"""Backup and restore over the API (owner only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from sourcewise.api.access import api_access
from sourcewise.api.schemas import ErrorOut, responses
from sourcewise.backups.services import MAX_BACKUP_BYTES, BackupError, export_workspace, parse_backup, restore_backup
from sourcewise.core.access import OWNER

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
def backup(request: HttpRequest) -> dict[str, Any]:
    """The whole workspace as one JSON document (people by e-mail, uploaded documents inline)."""
    return export_workspace(request.workspace, actor=request.user)  # type: ignore[attr-defined]


_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object", "description": "A backup document."}}},
    }
}


@router.post(
    "/backup/restore",
    response={**responses(RestoredOut, 201), 413: ErrorOut},
    auth=api_access([OWNER]),
    openapi_extra=_BODY,
)
def restore(request: HttpRequest) -> Any:
    """Restore a backup document as a new workspace (all or nothing); you become its owner.

    People in the file who already have an account are invited, not added. A body that is
    not strict JSON gets 400, one over the limit 413, a row that breaks a rule 422.
    """
    try:  # read here, not by the framework: strict JSON, and the restore's own size limit
        document = parse_backup(request.read(MAX_BACKUP_BYTES + 1), limit=MAX_BACKUP_BYTES)
        result = restore_backup(document, actor=request.user)
    except BackupError as exc:
        raise HttpError(exc.status, f"Nothing was restored: {exc}") from None
    return Status(
        201,
        {
            "id": result.workspace.pk,
            "name": result.workspace.name,
            "rows": result.rows,
            "invited": [email for email, _ in result.invited],
            "summary": result.summary(),
        },
    )

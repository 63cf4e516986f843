"""Backup and restore over the API (owner only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Body, Router, Schema, Status
from ninja.errors import HttpError

from sourcewise.api.access import api_access
from sourcewise.api.schemas import responses
from sourcewise.backups.services import BackupError, export_workspace, restore_workspace
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


@router.get("/backup", response=responses(BackupOut), auth=api_access([OWNER]))
def backup(request: HttpRequest) -> dict[str, Any]:
    """The whole workspace as one JSON document (people by e-mail, uploaded documents inline)."""
    return export_workspace(request.workspace, actor=request.user)  # type: ignore[attr-defined]


@router.post("/backup/restore", response=responses(RestoredOut, 201), auth=api_access([OWNER]))
def restore(request: HttpRequest, document: dict[str, Any] = Body(...)) -> Any:  # noqa: B008
    """Restore a backup document as a new workspace (all or nothing); you become its owner."""
    try:
        workspace = restore_workspace(document, actor=request.user)
    except BackupError as exc:
        raise HttpError(400, f"Nothing was restored: {exc}") from None
    return Status(201, {"id": workspace.pk, "name": workspace.name})

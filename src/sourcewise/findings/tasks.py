"""Background refreshes of the stored findings (Django's tasks framework)."""

from __future__ import annotations

from django_tasks import task

from sourcewise.findings.refresh import refresh_full, refresh_wide
from sourcewise.workspaces.models import Workspace


@task()
def refresh_wide_task(workspace_id: int) -> None:
    """The workspace-wide checks after writes (queued at most once per workspace)."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is not None:
        refresh_wide(workspace)


@task()
def refresh_full_task(workspace_id: int) -> None:
    """Every check on the whole workspace (the daily schedule)."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is not None:
        refresh_full(workspace)

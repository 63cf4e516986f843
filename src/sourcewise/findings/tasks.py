"""Background refreshes of the stored findings (Django's tasks framework)."""

from __future__ import annotations

from django_tasks import task

from sourcewise.workspaces.models import Workspace


@task()
def refresh_wide_task(workspace_id: int) -> None:
    """The workspace-wide checks after writes (queued at most once per workspace)."""
    from sourcewise.findings.refresh import refresh_wide

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is not None:
        refresh_wide(workspace)


@task()
def refresh_full_task(workspace_id: int) -> None:
    """Every check on the whole workspace (the daily schedule)."""
    from sourcewise.findings.refresh import refresh_full

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is not None:
        refresh_full(workspace)

"""Choosing the workspace of a cost command: --workspace ID or exact name, optional when there is one."""

from __future__ import annotations

from django.core.management.base import CommandError

from sourcewise.workspaces.models import Workspace


def workspace_named(selector: str | None) -> Workspace:
    workspaces = Workspace.objects.order_by("pk")
    if selector:
        workspaces = workspaces.filter(pk=int(selector)) if selector.isdigit() else workspaces.filter(name=selector)
    found = list(workspaces[:2])
    if len(found) != 1:
        raise CommandError(
            f"No workspace {selector!r}. Run `sourcewise health` to list them."
            if selector
            else "Name the workspace with --workspace ID (see `sourcewise health`)."
        )
    return found[0]

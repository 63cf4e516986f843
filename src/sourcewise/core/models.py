"""The tenancy base every domain model builds on: one workspace per row, scoped querysets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models

if TYPE_CHECKING:
    from sourcewise.workspaces.models import Membership, Workspace


class WorkspaceQuerySet(models.QuerySet[Any]):
    """Every read of tenant data starts here: `Model.objects.for_member(membership)`."""

    def in_workspace(self, workspace: Workspace) -> Self:
        return self.filter(workspace=workspace)

    def in_workspace_unindexed(self, workspace_id: int) -> Self:
        """The workspace's rows, compared as `workspace_id + 0`: the same condition, but one no
        index serves. SQLite (no statistics) would otherwise walk every row of the workspace by
        its workspace index instead of the few the query's narrower condition names."""
        return self.alias(plain_workspace_id=models.F("workspace_id") + 0).filter(plain_workspace_id=workspace_id)

    def for_member(self, membership: Membership) -> Self:
        """Rows of the member's workspace that the member's role may see."""
        return self.in_workspace(membership.workspace).visible_to(membership)

    def visible_to(self, membership: Membership) -> Self:
        # Internal members (owner, manager) see the whole workspace; freelancers see
        # nothing unless a model says otherwise by overriding this method.
        if membership.is_internal:
            return self
        return self.none()


class WorkspaceScoped(models.Model):
    """Abstract base: a row that belongs to exactly one workspace."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        abstract = True


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

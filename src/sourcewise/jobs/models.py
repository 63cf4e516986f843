"""One background job of a workspace: what it does, how far it got, and how it ended."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models

from sourcewise.core.models import WorkspaceQuerySet, WorkspaceScoped

if TYPE_CHECKING:
    from sourcewise.workspaces.models import Membership


class JobQuerySet(WorkspaceQuerySet):
    def visible_to(self, membership: Membership) -> Self:
        """Owners see every job of the workspace, managers the jobs they started, freelancers none."""
        if membership.role == "owner":
            return self
        if membership.is_internal:
            return self.filter(created_by=membership.user)
        return self.none()


class Job(WorkspaceScoped):
    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    FINISHED = (State.DONE, State.FAILED)

    objects = JobQuerySet.as_manager()  # type: ignore[misc]

    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    temp_path = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Which host's worker runs it, and when it last reported: a start recovers only its own
    # host's jobs and jobs that went silent, never a live job of another host's worker.
    host = models.CharField(max_length=255, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "kind", "-created_at"], name="job_workspace_kind"),
            models.Index(fields=["state"], name="job_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["queued", "running", "done", "failed"]), name="job_state_known"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.state in self.FINISHED

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)

    @property
    def errors(self) -> list[str]:
        errors = (self.result or {}).get("errors", [])
        return [str(e) for e in errors] if isinstance(errors, list) else []

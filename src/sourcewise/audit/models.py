"""The audit log: who changed what, when. Rows are written once and never edited."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F


class ActionFamily(models.Func):
    """The part of an action up to and with its first dot: "task." for "task.update" ("" without a dot).

    The dot is written into the SQL, never passed as a parameter, so the query's expression
    is the indexed one, word for word (SQLite can only match an index expression that way).
    """

    output_field = models.CharField()

    def __init__(self, expression: Any) -> None:
        super().__init__(expression)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        template = "SUBSTR(%(expressions)s, 1, INSTR(%(expressions)s, '.'))"
        return super().as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "SUBSTRING(%(expressions)s, 1, STRPOS(%(expressions)s, '.'))"
        return super().as_sql(compiler, connection, template=template, **extra)


class AuditImmutableError(Exception):
    pass


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditImmutableError("Audit rows cannot be edited.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("Audit rows cannot be deleted.")


class AuditEvent(models.Model):
    # No database constraint and no cascade: the history outlives the workspace and the user
    # it names, and the rows are append-only (a cascade would have to edit them).
    workspace = models.ForeignKey(
        "workspaces.Workspace",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True, help_text="Kept when the user is deleted.")
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # History copied in by a restore: it says what the backup file claims, not what happened here.
    imported = models.BooleanField(default=False, help_text="Restored from a backup file, not recorded here.")

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["workspace", "-id"], name="audit_workspace_recent"),
            models.Index(fields=["action"], name="audit_action"),
            # The audit log's filters, newest first: one action, or a family of them ("task.").
            models.Index(F("workspace"), F("action"), F("id").desc(), name="audit_workspace_action"),
            models.Index(F("workspace"), ActionFamily("action"), F("id").desc(), name="audit_workspace_family"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditImmutableError("Audit rows cannot be edited.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("Audit rows cannot be deleted.")

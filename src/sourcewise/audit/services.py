"""Write audit rows. Called by every service that changes data, and by access denials."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.http import HttpRequest

from sourcewise.audit.models import AuditEvent

if TYPE_CHECKING:  # audit sits below accounts and workspaces: it names them only for the checker
    from django.contrib.auth.models import AnonymousUser

    from sourcewise.accounts.models import User
    from sourcewise.workspaces.models import Workspace

M = TypeVar("M", bound=models.Model)


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    actor: User | AnonymousUser | None,
    workspace: Workspace | None,
    action: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        workspace=workspace,
        actor=user,
        actor_label=(getattr(user, "email", "") or "system")[:254],
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        changes=changes or {},
        ip_address=_client_ip(request),
    )


def record_many(
    *, actor: User | None, workspace: Workspace | None, action: str, rows: list[tuple[models.Model, dict[str, Any]]]
) -> list[AuditEvent]:
    """One audit row per (target, changes), written in one query (a bulk change of many rows)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    events = [
        AuditEvent(
            workspace=workspace,
            actor=user,
            actor_label=(getattr(user, "email", "") or "system")[:254],
            action=action,
            target_type=target._meta.label_lower,
            target_id=str(target.pk),
            target_label=str(target)[:200],
            changes=changes,
        )
        for target, changes in rows
    ]
    return AuditEvent.objects.bulk_create(events)


def record_denial(request: HttpRequest, reason: str, asked: dict[str, Any] | None = None) -> AuditEvent:
    """A refused request: who (and in which of their workspaces), what they asked for, from where.

    The row goes to the actor's own workspace and says nothing about the row they asked
    for beyond its kind and id — not whether it exists elsewhere (that would be an oracle).
    """
    membership = getattr(request, "_sourcewise_membership", None)
    changes: dict[str, Any] = {"path": request.path[:500], "method": request.method, "reason": reason[:500]}
    changes.update(asked or {})
    return record(
        actor=request.user,
        workspace=membership.workspace if membership else None,
        action="permission.denied",
        changes=changes,
        request=request,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, dict, int, float, bool)) or value is None:
        return value
    return str(value)


def save_audited(
    instance: M,
    *,
    actor: User | None,
    action: str,
    fields: Iterable[str] | None = None,
    before: dict[str, Any] | None = None,
) -> M:
    """full_clean() then save() then an audit row naming what changed."""
    instance.full_clean()
    creating = instance.pk is None
    if creating or fields is None:
        instance.save()
    else:
        instance.save(update_fields=list(fields))
    changes: dict[str, Any] = {}
    if before is not None:
        for name, old in before.items():
            new = getattr(instance, name)
            if old != new:
                changes[name] = [_plain(old), _plain(new)]
    record(actor=actor, workspace=getattr(instance, "workspace", None), action=action, target=instance, changes=changes)
    return instance


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}

"""Small helpers every domain service uses to validate, save and audit one row."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models

from sourcewise.audit.services import record

M = TypeVar("M", bound=models.Model)


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, dict, int, float, bool)) or value is None:
        return value
    return str(value)


def save_audited(
    instance: M, *, actor: Any, action: str, fields: Iterable[str] | None = None, before: dict[str, Any] | None = None
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

"""The backup document: its format, its errors, and how each field's value is written to it and read back."""

from __future__ import annotations

import base64
import datetime
import decimal
import uuid
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models

from sourcewise.backups.tables import ModelSpec
from sourcewise.workspaces.models import Workspace

if TYPE_CHECKING:
    pass


FORMAT = "sourcewise-backup"
VERSION = 1
# No password: a hash in a file is a credential, and a file may come from anyone.
USER_FIELDS = ("email", "full_name", "is_active", "date_joined")
WORKSPACE_SKIPPED = ("id", "restoring")  # restoring: the state of a restore, not content
MAX_DEPTH = 64  # the deepest a real backup nests is a few levels inside a JSON column
MAX_ID = 2**63 - 1
BATCH = 500  # rows per transaction of a restore: other writers wait for one batch at most
RESTORE_MARKER = "workspace.restore"


class BackupError(ValueError):
    """A backup file that cannot be restored; the message says where and why."""

    status = 400  # the file cannot be read as a backup


class BackupRowError(BackupError):
    """A readable backup whose content breaks a rule (a row, a reference, a person)."""

    status = 422


class BackupTooLarge(BackupError):
    status = 413


def encode_value(field: models.Field, instance: models.Model) -> Any:
    value = field.value_from_object(instance)
    if isinstance(field, models.FileField):
        if not value:
            return None
        with value.open("rb") as handle:
            content = handle.read()
        return {"name": value.name.rsplit("/", 1)[-1], "content": base64.b64encode(content).decode()}
    if value is None or isinstance(field, models.JSONField):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def _json_types(field: models.Field) -> tuple[type, ...]:
    """The JSON types a column accepts in a file (what the export writes, and nothing looser)."""
    if isinstance(field, models.BooleanField):
        return (bool,)
    if isinstance(field, models.IntegerField | models.AutoField):
        return (int,)
    if isinstance(field, models.FloatField | models.DecimalField):
        return (int, float, str) if isinstance(field, models.DecimalField) else (int, float)
    return (str,)


def decode_value(field: models.Field, raw: Any, where: str) -> Any:
    if raw is None:
        return None  # validation says when the column is required
    if isinstance(field, models.JSONField):
        if has_nul(raw):
            raise BackupRowError(f"{where}: {field.name}: text must not contain NUL characters.")
        return raw
    kinds = _json_types(field)
    if not isinstance(raw, kinds) or (isinstance(raw, bool) and bool not in kinds):
        expected = {bool: "true or false", int: "a whole number", float: "a number", str: "text"}
        wanted = " or ".join(expected[k] for k in kinds)
        raise BackupRowError(f"{where}: {field.name}: {wanted} expected, not {type(raw).__name__}.")
    if isinstance(raw, str) and "\x00" in raw:
        raise BackupRowError(f"{where}: {field.name}: text must not contain NUL characters.")
    try:
        return field.to_python(raw)
    except ValidationError as exc:
        raise BackupRowError(f"{where}: {field.name}: {'; '.join(exc.messages)}") from None
    except (TypeError, ValueError, OverflowError, ArithmeticError):
        raise BackupRowError(f"{where}: {field.name}: {str(raw)[:60]!r} is not a valid value.") from None


def row_values(instance: models.Model, values: tuple[models.Field, ...]) -> dict[str, Any]:
    return {f.attname: encode_value(f, instance) for f in values}


def has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


def user_field(name: str) -> models.Field:
    field = get_user_model()._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def workspace_fields() -> list[models.Field]:
    return [f for f in Workspace._meta.concrete_fields if f.name not in WORKSPACE_SKIPPED]


def rows_of(spec: ModelSpec, workspace: Workspace) -> models.QuerySet[Any]:
    qs = spec.model._base_manager.all()
    direct = spec.reference("workspace")
    if direct is not None:
        qs = qs.filter(workspace=workspace)
    else:  # a child table: through its first required parent that has the workspace
        parent = next(r for r in spec.references if r.kind == "row" and not r.field.null)
        qs = qs.filter(**{f"{parent.field.name}__workspace": workspace})
    return qs.order_by("pk")

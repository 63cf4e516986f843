"""Back up one workspace to a JSON document, and restore such a document as a new workspace.

The document names rows by their ids *in the file* and people by e-mail, so it can be
restored into any Sourcewise database — the same one (as a copy), an empty one, or a
PostgreSQL one after SQLite — and ids are re-numbered on the way in. Restoring is one
transaction: a file with a single bad row changes nothing.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, models, transaction
from django.utils import timezone

from sourcewise.audit.services import record
from sourcewise.backups.catalog import ModelSpec, backup_models
from sourcewise.core.access import OWNER
from sourcewise.workspaces.models import Membership, Workspace

FORMAT = "sourcewise-backup"
VERSION = 1
USER_FIELDS = ("email", "full_name", "is_active", "date_joined", "password")
WORKSPACE_SKIPPED = ("id",)


class BackupError(ValueError):
    """A backup file that cannot be restored; the message says where and why."""


# ---------------------------------------------------------------- values in and out


def _encode(field: models.Field, instance: models.Model) -> Any:  # type: ignore[type-arg]
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


def _decode(field: models.Field, raw: Any, where: str) -> Any:  # type: ignore[type-arg]
    if isinstance(field, (models.FileField, models.JSONField)):
        return raw
    try:
        return field.to_python(raw)
    except ValidationError as exc:
        raise BackupError(f"{where}, {field.name}: {'; '.join(exc.messages)}") from None


def _row_values(instance: models.Model, values: tuple[models.Field, ...]) -> dict[str, Any]:  # type: ignore[type-arg]
    return {f.attname: _encode(f, instance) for f in values}


# ---------------------------------------------------------------- export


def _user_field(name: str) -> models.Field:  # type: ignore[type-arg]
    field = get_user_model()._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _workspace_fields() -> list[models.Field]:  # type: ignore[type-arg]
    return [f for f in Workspace._meta.concrete_fields if f.name not in WORKSPACE_SKIPPED]


def _rows_of(spec: ModelSpec, workspace: Workspace) -> models.QuerySet[Any]:
    qs = spec.model._base_manager.all()
    direct = spec.reference("workspace")
    if direct is not None:
        qs = qs.filter(workspace=workspace)
    else:  # a child table: through its first required parent that has the workspace
        parent = next(r for r in spec.references if r.kind == "row" and not r.field.null)
        qs = qs.filter(**{f"{parent.field.name}__workspace": workspace})
    return qs.order_by("pk")


def export_workspace(workspace: Workspace, *, actor: Any = None) -> dict[str, Any]:
    """The whole workspace as a JSON-ready dict (rows by id, people by e-mail, files inline)."""
    user_ids: set[int] = set()
    tables: dict[str, list[dict[str, Any]]] = {}
    for spec in backup_models():
        rows = []
        qs = _rows_of(spec, workspace)
        if spec.many_to_many:
            qs = qs.prefetch_related(*(f.name for f in spec.many_to_many))
        for instance in qs.iterator(chunk_size=2000) if not spec.many_to_many else qs:
            row: dict[str, Any] = {"id": instance.pk, **_row_values(instance, spec.values)}
            for ref in spec.references:
                if ref.kind == "workspace":
                    continue
                target_id = getattr(instance, ref.field.attname)
                row[ref.field.name] = target_id
                if ref.kind == "user" and target_id is not None:
                    user_ids.add(target_id)
            for m2m in spec.many_to_many:
                row[m2m.name] = sorted(obj.pk for obj in getattr(instance, m2m.name).all())
            rows.append(row)
        tables[spec.label] = rows
    users = get_user_model()._base_manager.filter(pk__in=user_ids).order_by("pk")
    emails = {u.pk: u.email for u in users}
    for spec in backup_models():  # people travel by e-mail, never by id
        user_refs = [r.field.name for r in spec.references if r.kind == "user"]
        for row in tables[spec.label] if user_refs else ():
            for name in user_refs:
                row[name] = emails.get(row[name]) if row[name] is not None else None
    document = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "workspace": {f.attname: _encode(f, workspace) for f in _workspace_fields()},
        "users": [{name: _encode(_user_field(name), u) for name in USER_FIELDS} for u in users],
        "tables": tables,
    }
    if actor is not None:
        record(actor=actor, workspace=workspace, action="workspace.backup", target=workspace)
    return document


# ---------------------------------------------------------------- restore


@contextmanager
def _keep_timestamps() -> Iterator[None]:
    """Rows keep the creation and change times of the backup, not the time of the restore."""
    fields: list[models.Field] = [  # type: ignore[type-arg]
        f
        for spec in backup_models()
        for f in spec.values
        if isinstance(f, models.DateField) and (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
    ]
    fields += [f for f in _workspace_fields() if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)]
    fields.append(_user_field("date_joined"))
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]  # type: ignore[attr-defined]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False  # type: ignore[attr-defined]
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add  # type: ignore[attr-defined]


def _check_shape(document: Any) -> None:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError("This is not a Sourcewise backup file (its “format” is missing or different).")
    if document.get("version") != VERSION:
        raise BackupError(
            f"This backup has version {document.get('version')!r}; this Sourcewise reads version {VERSION}."
        )
    for key, kind in (("workspace", dict), ("users", list), ("tables", dict)):
        if not isinstance(document.get(key), kind):
            raise BackupError(f"The backup's “{key}” is missing or malformed.")
    known = {spec.label for spec in backup_models()}
    unknown = sorted(set(document["tables"]) - known)
    if unknown:
        raise BackupError(f"The backup holds tables this version does not know: {', '.join(unknown)}.")


def _restore_users(document: dict[str, Any], *, trust_passwords: bool) -> dict[str, Any]:
    User = get_user_model()
    people: dict[str, Any] = {}
    for number, raw in enumerate(document["users"], start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("email"), str) or "@" not in raw["email"]:
            raise BackupError(f"users, entry {number}: an e-mail address is needed.")
        email = User.objects.normalize_email(raw["email"]).lower()  # type: ignore[attr-defined]
        user = User._base_manager.filter(email=email).first()
        if user is None:
            user = User(
                email=email, full_name=str(raw.get("full_name") or "")[:150], is_active=bool(raw.get("is_active", True))
            )
            joined = raw.get("date_joined")
            user.date_joined = (
                _decode(_user_field("date_joined"), joined, f"users, entry {number}") if joined else timezone.now()
            )
            password = raw.get("password")
            # An operator restoring their own file keeps everyone's sign-in; a file uploaded
            # on the web could plant a known password for someone else's address, so there
            # new people get no password and sign in after a password reset.
            if trust_passwords and isinstance(password, str) and password:
                user.password = password
            else:
                user.set_unusable_password()
            user.save()
        people[raw["email"]] = user
    return people


def _build(spec: ModelSpec, row: Any, number: int, ctx: dict[str, Any]) -> tuple[models.Model, dict[str, Any]]:
    where = f"{spec.label}, row {number}"
    if not isinstance(row, dict) or not isinstance(row.get("id"), int):
        raise BackupError(f"{where}: each row needs its numeric id.")
    unknown = set(row) - {"id"} - {f.attname for f in spec.values} - {r.field.name for r in spec.references}
    unknown -= {m.name for m in spec.many_to_many}
    if unknown:
        raise BackupError(f"{where}: unknown columns {', '.join(sorted(unknown))}.")
    instance = spec.model()
    files: dict[str, Any] = {}
    for f in spec.values:
        if f.attname not in row:
            continue  # a column added after the backup was made keeps its default
        value = _decode(f, row[f.attname], where)
        if isinstance(f, models.FileField):
            files[f.attname] = value
        else:
            setattr(instance, f.attname, value)
    deferred: dict[str, Any] = {}
    for ref in spec.references:
        if ref.kind == "workspace":
            setattr(instance, ref.field.attname, ctx["workspace"].pk)
            continue
        raw = row.get(ref.field.name)
        if raw is None:
            if not ref.field.null:
                raise BackupError(f"{where}: {ref.field.name} is required.")
            continue
        if ref.kind == "user":
            user = ctx["users"].get(raw)
            if user is None:
                raise BackupError(f"{where}: {ref.field.name} names {raw!r}, who is not among the backup's users.")
            setattr(instance, ref.field.attname, user.pk)
        elif ref.deferred:
            deferred[ref.field.attname] = (ref.target, raw)
        else:
            new_id = ctx["ids"][ref.target].get(raw)
            if new_id is None:
                raise BackupError(f"{where}: {ref.field.name} = {raw} is not a row of {ref.target} in this backup.")
            setattr(instance, ref.field.attname, new_id)
    try:
        instance.clean_fields(exclude=[r.field.name for r in spec.references] + list(files))
    except ValidationError as exc:
        details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise BackupError(f"{where}: {details}") from None
    for attname, content in files.items():
        if content is not None:
            if not isinstance(content, dict) or not isinstance(content.get("content"), str):
                raise BackupError(f"{where}: {attname} must hold a file name and its content.")
            try:
                data = base64.b64decode(content["content"], validate=True)
            except ValueError:
                raise BackupError(f"{where}: {attname} has damaged content.") from None
            getattr(instance, attname).save(str(content.get("name") or "file"), ContentFile(data), save=False)
    return instance, deferred


def restore_workspace(
    document: Any, *, actor: Any = None, name: str | None = None, trust_passwords: bool = False
) -> Workspace:
    """Create a new workspace holding everything in `document`; all or nothing."""
    _check_shape(document)
    try:
        with transaction.atomic():
            with _keep_timestamps():
                workspace, rows = _restore(document, actor=actor, name=name, trust_passwords=trust_passwords)
            if actor is not None and not Membership.objects.filter(workspace=workspace, user=actor).exists():
                Membership.objects.create(workspace=workspace, user=actor, role=OWNER)
            record(
                actor=actor,
                workspace=workspace,
                action="workspace.restore",
                target=workspace,
                changes={"rows": rows, "exported_at": document.get("exported_at")},
            )
            return workspace
    except (IntegrityError, DatabaseError) as exc:
        raise BackupError(f"The backup contradicts itself and was not restored ({exc}).") from None


def _restore(document: dict[str, Any], *, actor: Any, name: str | None, trust_passwords: bool) -> tuple[Workspace, int]:
    workspace = Workspace()
    for f in _workspace_fields():
        if f.attname in document["workspace"]:
            setattr(workspace, f.attname, _decode(f, document["workspace"][f.attname], "workspace"))
    if name:
        workspace.name = name
    try:
        workspace.full_clean()
    except ValidationError as exc:
        raise BackupError(f"workspace: {'; '.join(exc.messages)}") from None
    workspace.save()
    ctx: dict[str, Any] = {
        "workspace": workspace,
        "users": _restore_users(document, trust_passwords=trust_passwords),
        "ids": {},
    }
    pending: list[tuple[ModelSpec, models.Model, dict[str, Any]]] = []
    many: list[tuple[ModelSpec, models.Model, dict[str, Any]]] = []
    for spec in backup_models():
        rows = document["tables"].get(spec.label, [])
        if not isinstance(rows, list):
            raise BackupError(f"{spec.label}: a list of rows is expected.")
        built = [_build(spec, row, number, ctx) for number, row in enumerate(rows, start=1)]
        instances = [instance for instance, _ in built]
        spec.model._base_manager.bulk_create(instances, batch_size=500)
        ctx["ids"][spec.label] = {row["id"]: instance.pk for row, instance in zip(rows, instances, strict=True)}
        for (instance, deferred), row in zip(built, rows, strict=True):
            if deferred:
                pending.append((spec, instance, deferred))
            if spec.many_to_many:
                many.append((spec, instance, row))
    for spec, instance, deferred in pending:
        update = {}
        for attname, (target, old_id) in deferred.items():
            if old_id not in ctx["ids"][target]:
                raise BackupError(f"{spec.label}: {attname} = {old_id} is not a row of {target} in this backup.")
            update[attname] = ctx["ids"][target][old_id]
        spec.model._base_manager.filter(pk=instance.pk).update(**update)
    for spec, instance, row in many:
        for m2m in spec.many_to_many:
            target = m2m.related_model._meta.label_lower  # type: ignore[union-attr]
            old_ids = row.get(m2m.name) or []
            if not isinstance(old_ids, list) or any(i not in ctx["ids"][target] for i in old_ids):
                raise BackupError(f"{spec.label}, id {row['id']}: {m2m.name} names rows that are not in this backup.")
            getattr(instance, m2m.name).set([ctx["ids"][target][i] for i in old_ids])
    return workspace, sum(len(v) for v in ctx["ids"].values())


# ---------------------------------------------------------------- comparing


RESTORE_MARKER = "workspace.restore"


def comparable_content(document: dict[str, Any]) -> dict[str, Any]:
    """The content of a backup with its ids replaced by positions, to compare two backups.

    Two workspaces hold the same content exactly when this is equal for their backups,
    whatever ids the rows got in their databases. The audit row a restore writes about
    itself is not content and is left out, as is the time of the export.
    """
    tables = {
        label: [r for r in rows if not (label == "audit.auditevent" and r.get("action") == RESTORE_MARKER)]
        for label, rows in document["tables"].items()
    }
    position = {
        label: {row["id"]: n for n, row in enumerate(sorted(rows, key=lambda r: r["id"]))}
        for label, rows in tables.items()
    }
    specs = {spec.label: spec for spec in backup_models()}
    content: dict[str, Any] = {}
    for label, rows in tables.items():
        spec = specs[label]
        out = []
        for row in sorted(rows, key=lambda r: r["id"]):
            row = dict(row, id=position[label][row["id"]])
            for f in spec.values:  # a stored file's name is the storage's choice; its bytes are the content
                if isinstance(f, models.FileField) and isinstance(row.get(f.attname), dict):
                    row[f.attname] = row[f.attname].get("content")
            for ref in spec.references:
                if ref.kind == "row" and row.get(ref.field.name) is not None:
                    row[ref.field.name] = position[ref.target].get(row[ref.field.name], "missing")
            for m2m in spec.many_to_many:
                target = m2m.related_model._meta.label_lower  # type: ignore[union-attr]
                row[m2m.name] = sorted(position[target].get(i, -1) for i in row.get(m2m.name) or [])
            out.append(row)
        content[label] = out
    return {
        "workspace": document["workspace"],
        # people are accounts of the instance, linked by address: their address is the content
        "users": sorted(u["email"] for u in document["users"]),
        "tables": content,
    }

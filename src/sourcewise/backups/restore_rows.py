"""Restoring rows: each row of a backup checked like a form's input, built, and inserted in batches.

A row may name only rows of the same file; people are found or created by e-mail (`restore_users`).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from sourcewise.audit.models import AuditEvent
from sourcewise.backups.document import (
    BATCH,
    MAX_ID,
    USER_FIELDS,
    BackupRowError,
    decode_value,
    user_field,
    workspace_fields,
)
from sourcewise.backups.tables import ModelSpec, backup_models
from sourcewise.guidance.services import check_upload
from sourcewise.workspaces.models import Membership, Workspace

if TYPE_CHECKING:
    from sourcewise.accounts.models import User


@dataclass
class _Person:
    user: Any
    status: str  # "new" (created here) | "existing" (invited, not linked) | "linked" (the actor, or opted in)


@dataclass
class RestoreContext:
    workspace: Workspace
    people: dict[str, _Person]
    ids: dict[str, dict[int, int]] = field(default_factory=dict)  # label → id in file → new id
    objects: dict[str, dict[int, models.Model]] = field(default_factory=dict)  # label → id in file → saved row
    seen: dict[str, set[int]] = field(default_factory=dict)  # label → ids in file (restored or left out)
    skipped: dict[str, set[int]] = field(default_factory=dict)  # label → ids in file not restored
    invitations: list[tuple[str, str]] = field(default_factory=list)  # (e-mail, role)
    profile_of: dict[str, models.Model] = field(default_factory=dict)  # e-mail → its freelancer row
    files: list[tuple[models.Model, str, str, bytes]] = field(default_factory=list)  # row, attname, name, bytes
    left_out: dict[str, int] = field(default_factory=dict)


@contextmanager
def keep_timestamps() -> Iterator[None]:
    """Rows keep the creation and change times of the backup, not the time of the restore."""
    fields: list[models.Field] = [
        f
        for spec in backup_models()
        for f in spec.values
        if isinstance(f, models.DateField) and (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
    ]
    fields += [f for f in workspace_fields() if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)]
    fields.append(user_field("date_joined"))
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]  # type: ignore[attr-defined]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False  # type: ignore[attr-defined]
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add  # type: ignore[attr-defined]


def is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def error_details(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" if name != NON_FIELD_ERRORS else " ".join(messages)
            for name, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


def _validate(instance: models.Model, where: str, *, skip: list[str], references: list[str], unique: bool) -> None:
    """The model's own validation, as a form's full_clean runs it; errors say the row.

    With `unique=False` the uniqueness and check constraints are left to the database (a
    query per row and constraint otherwise); `insert_rows` finds the row that breaks one and
    validates it fully then, so the message is the same.
    """
    errors: dict[str, list[str]] = {}
    steps: list[Callable[[], None]] = [
        lambda: instance.clean_fields(exclude=skip + references),  # references are checked against the file
        instance.clean,
    ]
    if unique:
        steps += [lambda: instance.validate_unique(exclude=skip), lambda: instance.validate_constraints(exclude=skip)]
    for step in steps:
        try:
            step()
        except ValidationError as exc:
            exc = exc if hasattr(exc, "error_dict") else ValidationError({NON_FIELD_ERRORS: exc.error_list})
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(m for m in messages if m not in errors.get(name, []))
    if errors:
        raise BackupRowError(f"{where}: {error_details(ValidationError(errors))}")


def _person(ctx: RestoreContext, raw: Any, where: str, name: str) -> _Person:
    if not isinstance(raw, str):
        raise BackupRowError(f"{where}: {name} must be an e-mail address.")
    person = ctx.people.get(raw.strip().lower())
    if person is None:
        raise BackupRowError(f"{where}: {name} names {raw[:120]!r}, who is not among the backup's users.")
    return person


def restore_users(
    document: dict[str, Any], *, actor: User | None, attach_existing: bool, created: list[int]
) -> dict[str, _Person]:
    """The people of the file: existing accounts found, new ones validated then saved in short transactions.

    The ids of the accounts created here are appended to `created` as they are committed, so a
    failed restore can delete them again.
    """
    User = get_user_model()
    people: dict[str, _Person] = {}
    new: list[Any] = []
    allowed = {*USER_FIELDS, "password"}  # old backups carry a password hash: it is ignored, never used
    for number, raw in enumerate(document["users"], start=1):
        where = f"users entry {number}"
        if not isinstance(raw, dict) or not isinstance(raw.get("email"), str) or "@" not in raw["email"]:
            raise BackupRowError(f"{where}: an e-mail address is needed.")
        unknown = set(raw) - allowed
        if unknown:
            raise BackupRowError(f"{where}: unknown fields {', '.join(sorted(k[:40] for k in unknown))}.")
        email = User.objects.normalize_email(raw["email"].strip()).lower()
        if email in people:
            raise BackupRowError(f"{where}: {email} appears twice among the users.")
        user = User._base_manager.filter(email=email).first()
        if user is not None:
            is_actor = actor is not None and actor.pk is not None and user.pk == actor.pk
            people[email] = _Person(user, "linked" if is_actor or attach_existing else "existing")
            continue
        user = User(email=email)
        for name in ("full_name", "is_active", "date_joined"):
            if name in raw:
                setattr(user, name, decode_value(user_field(name), raw[name], where))
        if user.date_joined is None:
            user.date_joined = timezone.now()
        user.set_unusable_password()  # a new account chooses its password through a reset link
        _validate(user, where, skip=["password"], references=[], unique=True)
        new.append(user)
        people[email] = _Person(user, "new")
    for start in range(0, len(new), BATCH):
        with transaction.atomic():
            for user in new[start : start + BATCH]:
                user.save()
        created.extend(user.pk for user in new[start : start + BATCH])
    return people


def _file_content(spec: ModelSpec, instance: models.Model, attname: str, raw: Any, where: str) -> bytes | None:
    """The bytes of an inline file, checked like an upload: content sniffed, size limited."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("content"), str) or set(raw) - {"name", "content"}:
        raise BackupRowError(f"{where}: {attname} must hold a file name and its content.")
    try:
        data = base64.b64decode(raw["content"], validate=True)
    except ValueError:
        raise BackupRowError(f"{where}: {attname} has damaged content (not base64).") from None
    try:
        content_type = check_upload(io.BytesIO(data), len(data))
    except ValidationError as exc:
        raise BackupRowError(f"{where}: {attname}: {' '.join(exc.messages)}") from None
    names = {f.name for f in spec.model._meta.concrete_fields}
    if "content_type" in names:  # what the bytes are, never what the file claims
        instance.content_type = content_type  # type: ignore[attr-defined]
    if "size" in names:
        instance.size = len(data)  # type: ignore[attr-defined]
    return data


@dataclass
class BuiltRow:
    """A validated, unsaved row and what is set after every row exists."""

    row: dict[str, Any]
    number: int
    instance: models.Model
    deferred: dict[str, Any]
    skip: list[str]

    @property
    def old_id(self) -> int:
        return int(self.row["id"])


def insert_rows(spec: ModelSpec, batch: list[BuiltRow]) -> None:
    """Insert a batch; when the database refuses it, say which row and why in the model's words."""
    try:
        with transaction.atomic():
            spec.model._base_manager.bulk_create([item.instance for item in batch])
        return
    except IntegrityError as exc:
        problem = str(exc)[:200]
    for item in batch:  # one by one, to find the row (the rows before it are in the database now)
        try:
            with transaction.atomic():
                spec.model._base_manager.bulk_create([item.instance])
        except IntegrityError as exc:
            where = f"{spec.label} row {item.number}"
            try:
                item.instance.validate_unique(exclude=item.skip)
                item.instance.validate_constraints(exclude=item.skip)
            except ValidationError as invalid:
                raise BackupRowError(f"{where}: {error_details(invalid)}") from None
            raise BackupRowError(f"{where}: the database refused it ({str(exc)[:200]}).") from None
    raise BackupRowError(f"{spec.label}: the database refused these rows ({problem}).")


def build_row(spec: ModelSpec, row: Any, number: int, ctx: RestoreContext) -> BuiltRow | None:
    """One row as an unsaved instance, validated; None when it waits for an invited person."""
    where = f"{spec.label} row {number}"
    if not isinstance(row, dict) or not is_id(row.get("id")):
        raise BackupRowError(f"{where}: each row needs its id, a positive whole number.")
    old_id = row["id"]
    seen = ctx.seen.setdefault(spec.label, set())
    if old_id in seen:
        raise BackupRowError(f"{where}: id {old_id} is used by two rows of {spec.label}.")
    seen.add(old_id)
    columns = {f.attname for f in spec.values} | {r.field.name for r in spec.references}
    unknown = set(row) - {"id"} - columns - {m.name for m in spec.many_to_many}
    if unknown:
        raise BackupRowError(f"{where}: unknown columns {', '.join(sorted(k[:40] for k in unknown))}.")
    instance = spec.model()
    files: dict[str, Any] = {}
    for f in spec.values:
        if f.attname not in row:
            continue  # a column added after the backup was made keeps its default
        if isinstance(f, models.FileField):
            files[f.attname] = row[f.attname]
        else:
            setattr(instance, f.attname, decode_value(f, row[f.attname], where))
    if isinstance(instance, AuditEvent):
        instance.imported = True  # history from a file is shown as such, never as recorded here
    deferred: dict[str, Any] = {}
    waits_for: str | None = None
    for ref in spec.references:
        if ref.kind == "workspace":
            setattr(instance, ref.field.name, ctx.workspace)  # objects, not ids: clean() reads them without a query
            continue
        raw = row.get(ref.field.name)
        if raw is None:
            if not ref.field.null:
                raise BackupRowError(f"{where}: {ref.field.name} is required.")
            continue
        if ref.kind == "user":
            person = _person(ctx, raw, where, ref.field.name)
            if person.status == "existing" and ref.field.name == "user":
                # An account of someone else's: never linked by a file; the invitation links it.
                if isinstance(instance, Membership):
                    waits_for = person.user.email
                elif ref.field.null:
                    ctx.profile_of[person.user.email] = instance
                    continue
            setattr(instance, ref.field.name, person.user)
            continue
        if not is_id(raw):
            raise BackupRowError(f"{where}: {ref.field.name} must be the id of a row of {ref.target}.")
        if ref.deferred:
            deferred[ref.field.attname] = (ref.target, raw)
            continue
        if raw in ctx.skipped.get(ref.target, ()):
            if ref.field.null:
                ctx.left_out[f"{spec.label}.{ref.field.name} cleared"] = (
                    ctx.left_out.get(f"{spec.label}.{ref.field.name} cleared", 0) + 1
                )
                continue
            ctx.skipped.setdefault(spec.label, set()).add(old_id)
            ctx.left_out[spec.label] = ctx.left_out.get(spec.label, 0) + 1
            return None
        target = ctx.objects[ref.target].get(raw)
        if target is None:
            raise BackupRowError(f"{where}: {ref.field.name} = {raw} is not a row of {ref.target} in this backup.")
        setattr(instance, ref.field.name, target)
    skip = [spec.model._meta.get_field(a).name for a in deferred] + list(files)
    references = [r.field.name for r in spec.references]
    for name, raw in files.items():
        data = _file_content(spec, instance, name, raw, where)
        if data is not None:
            file_field = spec.model._meta.get_field(name)
            assert isinstance(file_field, models.FileField)
            planned = file_field.generate_filename(instance, "restored")
            setattr(instance, name, planned)
            ctx.files.append((instance, name, planned, data))
    _validate(instance, where, skip=skip, references=references, unique=False)
    if waits_for is not None:
        if any(email == waits_for for email, _ in ctx.invitations):
            raise BackupRowError(f"{where}: {waits_for} is a member twice.")
        role = str(getattr(instance, "role", ""))
        ctx.invitations.append((waits_for, role))
        ctx.skipped.setdefault(spec.label, set()).add(old_id)
        return None
    return BuiltRow(row, number, instance, deferred, skip)

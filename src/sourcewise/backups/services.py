"""Back up one workspace to a JSON document, and restore such a document as a new workspace.

The document names rows by their ids *in the file* and people by e-mail, so it can be
restored into any Sourcewise database — the same one (as a copy), an empty one, or a
PostgreSQL one after SQLite — and ids are re-numbered on the way in. Restoring is all or
nothing as people see it, without holding the database for the whole restore: the new
workspace is written in short transactions of at most `BATCH` rows while it is marked
`restoring` (invisible to everyone), made visible in one last short transaction, and on any
failure deleted again with everything it holds; a file with a single bad row changes
nothing, and leaves no file behind.

A backup file is untrusted input (anyone may upload one as the owner of their own
workspace): it carries no password hashes, it can never make an existing account a
member of anything, every row is validated like a form's input and may point only at
rows of the same file, and its history is marked as imported.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import io
import json
import logging
import math
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import DatabaseError, IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from sourcewise.audit.models import AuditEvent
from sourcewise.audit.services import record
from sourcewise.backups.tables import EXCLUDED, ModelSpec, backup_models
from sourcewise.core.access import FREELANCER, OWNER
from sourcewise.core.limits import MAX_BACKUP_BYTES
from sourcewise.core.links import site_url
from sourcewise.guidance.services import check_upload
from sourcewise.workspaces.models import Membership, Workspace
from sourcewise.workspaces.services import invite

if TYPE_CHECKING:
    from sourcewise.accounts.models import User

logger = logging.getLogger(__name__)

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


# ---------------------------------------------------------------- values in and out


def _encode(field: models.Field, instance: models.Model) -> Any:
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


def _decode(field: models.Field, raw: Any, where: str) -> Any:
    if raw is None:
        return None  # validation says when the column is required
    if isinstance(field, models.JSONField):
        if _has_nul(raw):
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


def _row_values(instance: models.Model, values: tuple[models.Field, ...]) -> dict[str, Any]:
    return {f.attname: _encode(f, instance) for f in values}


# ---------------------------------------------------------------- export


def _user_field(name: str) -> models.Field:
    field = get_user_model()._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _workspace_fields() -> list[models.Field]:
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


def export_workspace(workspace: Workspace, *, actor: User | None = None) -> dict[str, Any]:
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


# ---------------------------------------------------------------- reading a file


def _refuse_constant(name: str) -> Any:
    raise BackupError(f"The file holds {name}, which is not a number a backup can contain.")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BackupError(f"The file holds the number {text[:40]}, which is too large.")
    return value


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise BackupError(f"The file names the key “{key[:60]}” twice in one object; a backup never does.")
        document[key] = value
    return document


def _check_depth(document: Any) -> None:
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BackupError(f"The file nests values more than {MAX_DEPTH} levels deep; a backup never does.")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, dict | list))


def parse_backup(data: bytes | str, *, limit: int | None = MAX_BACKUP_BYTES) -> Any:
    """The JSON document in `data`, or a BackupError a person can act on (never a traceback).

    Strict where `json.loads` is lenient: no NaN/Infinity, no duplicate keys, no absurd nesting.
    """
    if limit is not None and len(data) > limit:
        raise BackupTooLarge(f"The file is larger than {limit // (1024 * 1024)} MB, the limit for a restore.")
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        document = json.loads(
            text, parse_constant=_refuse_constant, parse_float=_finite_float, object_pairs_hook=_no_duplicate_keys
        )
    except BackupError:
        raise
    except RecursionError:
        raise BackupError(f"The file nests values more than {MAX_DEPTH} levels deep; a backup never does.") from None
    except UnicodeDecodeError:
        raise BackupError("This file is not a JSON backup (it is not UTF-8 text).") from None
    except ValueError as exc:  # JSONDecodeError, and integers too long to read
        raise BackupError(f"This file is not a JSON backup ({str(exc)[:120]}).") from None
    _check_depth(document)
    return document


# ---------------------------------------------------------------- restore


@dataclass
class RestoreResult:
    """What a restore did, for the person who asked: the new workspace and who must act."""

    workspace: Workspace
    rows: int = 0
    invited: list[tuple[str, str]] = field(default_factory=list)  # (e-mail, role) of existing accounts
    new_accounts: list[str] = field(default_factory=list)  # created without a password; members got a link
    left_out: dict[str, int] = field(default_factory=dict)  # rows that need a membership that waits for a yes

    def summary(self) -> str:
        parts = [f"Restored {self.workspace.name}: {self.rows} rows."]
        if self.invited:
            people = ", ".join(f"{email} ({role})" for email, role in self.invited[:10])
            if len(self.invited) > 10:
                people += f" and {len(self.invited) - 10} more"
            parts.append(
                f"{len(self.invited)} people already have an account and were invited instead of added: {people}."
            )
        if self.new_accounts:
            parts.append(
                f"{len(self.new_accounts)} new accounts were created without a password; "
                "their members received a link to choose one."
            )
        if self.left_out:
            details = ", ".join(f"{count} {what}" for what, count in sorted(self.left_out.items()))
            parts.append(f"Waiting for invited people: {details}.")
        return " ".join(parts)


@dataclass
class _Person:
    user: Any
    status: str  # "new" (created here) | "existing" (invited, not linked) | "linked" (the actor, or opted in)


@dataclass
class _Context:
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
def _keep_timestamps() -> Iterator[None]:
    """Rows keep the creation and change times of the backup, not the time of the restore."""
    fields: list[models.Field] = [
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


def check_shape(document: Any) -> None:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError("This is not a Sourcewise backup file (its “format” is missing or different).")
    if document.get("version") != VERSION:
        version = document.get("version")
        shown = repr(version)[:40] if isinstance(version, str | int | float | bool) or version is None else "unreadable"
        raise BackupError(f"This backup has version {shown}; this Sourcewise reads version {VERSION}.")
    for key, kind in (("workspace", dict), ("users", list), ("tables", dict)):
        if not isinstance(document.get(key), kind):
            raise BackupError(f"The backup's “{key}” is missing or malformed.")
    known = {spec.label for spec in backup_models()}
    unknown = sorted(set(document["tables"]) - known - EXCLUDED)
    if unknown:
        shown = ", ".join(label[:60] for label in unknown[:10])
        raise BackupError(f"The backup holds tables this version does not know: {shown}.")
    for label in known & set(document["tables"]):
        if not isinstance(document["tables"][label], list):
            raise BackupError(f"{label}: a list of rows is expected.")


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _details(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" if name != NON_FIELD_ERRORS else " ".join(messages)
            for name, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


def _validate(instance: models.Model, where: str, *, skip: list[str], references: list[str], unique: bool) -> None:
    """The model's own validation, as a form's full_clean runs it; errors say the row.

    With `unique=False` the uniqueness and check constraints are left to the database (a
    query per row and constraint otherwise); `_insert` finds the row that breaks one and
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
        raise BackupRowError(f"{where}: {_details(ValidationError(errors))}")


def _person(ctx: _Context, raw: Any, where: str, name: str) -> _Person:
    if not isinstance(raw, str):
        raise BackupRowError(f"{where}: {name} must be an e-mail address.")
    person = ctx.people.get(raw.strip().lower())
    if person is None:
        raise BackupRowError(f"{where}: {name} names {raw[:120]!r}, who is not among the backup's users.")
    return person


def _restore_users(
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
                setattr(user, name, _decode(_user_field(name), raw[name], where))
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
class _Built:
    """A validated, unsaved row and what is set after every row exists."""

    row: dict[str, Any]
    number: int
    instance: models.Model
    deferred: dict[str, Any]
    skip: list[str]

    @property
    def old_id(self) -> int:
        return int(self.row["id"])


def _insert(spec: ModelSpec, batch: list[_Built]) -> None:
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
                raise BackupRowError(f"{where}: {_details(invalid)}") from None
            raise BackupRowError(f"{where}: the database refused it ({str(exc)[:200]}).") from None
    raise BackupRowError(f"{spec.label}: the database refused these rows ({problem}).")


def _build(spec: ModelSpec, row: Any, number: int, ctx: _Context) -> _Built | None:
    """One row as an unsaved instance, validated; None when it waits for an invited person."""
    where = f"{spec.label} row {number}"
    if not isinstance(row, dict) or not _is_id(row.get("id")):
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
            setattr(instance, f.attname, _decode(f, row[f.attname], where))
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
        if not _is_id(raw):
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
    return _Built(row, number, instance, deferred, skip)


def restore_workspace(
    document: Any,
    *,
    actor: User | None = None,
    name: str | None = None,
    attach_existing_accounts: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Workspace:
    """Create a new workspace holding everything in `document`; all or nothing.

    See `restore_backup`, which also says whom the restore invited.
    """
    return restore_backup(
        document, actor=actor, name=name, attach_existing_accounts=attach_existing_accounts, progress=progress
    ).workspace


def restore_backup(
    document: Any,
    *,
    actor: User | None = None,
    name: str | None = None,
    attach_existing_accounts: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> RestoreResult:
    """Create a new workspace holding everything in `document`; all or nothing.

    The file can never reach outside the new workspace: every row is validated like a form's
    input and may name only rows of the same file; people who already have an account are
    invited (not added) unless an operator opts in with `attach_existing_accounts`; new
    accounts get no password but a link to choose one; restored audit rows are marked
    imported; documents are checked like uploads and stored only once the rows are
    committed, so a failed restore leaves no file behind. `progress(done, total)` is called
    as rows are written.

    What can be checked without writing is checked first (shape, the workspace's settings).
    Then the workspace is created marked `restoring` — invisible to everyone — and the rows
    are validated and written in transactions of at most `BATCH` rows, so other workspaces'
    writers never wait for the whole restore; a last short transaction adds the members and
    invitations and makes the copy visible. On any failure after the workspace exists, it is
    deleted with everything in it (and the accounts made for it) before the error is raised.
    """
    check_shape(document)
    workspace = _decode_workspace(document, name)  # validated before anything is written
    workspace.restoring = True
    created_users: list[int] = []
    try:
        with _keep_timestamps(), transaction.atomic():
            workspace.save()
        try:
            with _keep_timestamps():
                result, ctx = _restore(
                    document,
                    workspace,
                    actor=actor,
                    attach_existing=attach_existing_accounts,
                    progress=progress,
                    created_users=created_users,
                )
            with transaction.atomic():  # the last short transaction: the copy appears, whole
                Workspace._base_manager.filter(pk=workspace.pk).update(restoring=False)
                workspace.restoring = False
                _welcome(result, ctx, actor=actor)
                record(
                    actor=actor,
                    workspace=result.workspace,
                    action=RESTORE_MARKER,
                    target=result.workspace,
                    changes={
                        "rows": result.rows,
                        "exported_at": str(document.get("exported_at"))[:40],
                        "invited": [email for email, _ in result.invited],
                        "new_accounts": len(result.new_accounts),
                        "left_out": result.left_out,
                    },
                )
                files = ctx.files
                # robust: the rows are committed by then; a storage failure is logged (and its partial
                # files removed) rather than answered with a 500 for a restore that did happen.
                transaction.on_commit(lambda: _store_files(files), robust=True)
        except BaseException:
            _discard_after_failure(workspace.pk, created_users)
            raise
        return result
    except (IntegrityError, DatabaseError) as exc:
        raise BackupRowError(f"The backup contradicts itself and was not restored ({str(exc)[:300]}).") from None
    except RecursionError:
        raise BackupError(f"The file nests values more than {MAX_DEPTH} levels deep; a backup never does.") from None


def _discard_after_failure(workspace_id: int, users: list[int]) -> None:
    try:
        discard_restoring_workspace(workspace_id, users=users)
    except Exception:  # the restore's own error is the one to report; the next start cleans up
        logger.exception("Could not delete the unfinished restore of workspace %s", workspace_id)


def discard_restoring_workspace(workspace_id: int, *, users: list[int] | tuple[int, ...] = ()) -> bool:
    """Delete a workspace a restore did not finish, with everything in it, in short transactions.

    Only a workspace still marked `restoring` is ever deleted (False otherwise). `users` are
    accounts that restore created: those that belong to no workspace afterwards go too.
    No file was written: a restore stores its files only after its last transaction.
    """
    workspace = Workspace._base_manager.filter(pk=workspace_id, restoring=True).first()
    if workspace is None:
        return False
    specs = backup_models()
    # 1. Keys set after every row existed (cycles) are cleared, so rows can go children first.
    for spec in specs:
        nullable = [r.field for r in spec.references if r.deferred and r.field.null]
        if not nullable:
            continue
        anything_set = Q()
        for f in nullable:
            anything_set |= Q(**{f"{f.attname}__isnull": False})
        while pks := list(_rows_of(spec, workspace).filter(anything_set).values_list("pk", flat=True)[:BATCH]):
            with transaction.atomic():
                spec.model._base_manager.filter(pk__in=pks).update(**{f.attname: None for f in nullable})
    # 2. Children before parents, a batch per transaction.
    for spec in reversed(specs):
        while pks := list(_rows_of(spec, workspace).values_list("pk", flat=True)[:BATCH]):
            with transaction.atomic():
                spec.model._base_manager.filter(pk__in=pks).delete()
    with transaction.atomic():
        Workspace._base_manager.filter(pk=workspace.pk, restoring=True).delete()
    # 3. Accounts created for this copy that nobody else has taken in meanwhile.
    User = get_user_model()
    for start in range(0, len(users), BATCH):
        with transaction.atomic():
            User._base_manager.filter(pk__in=users[start : start + BATCH], memberships__isnull=True).delete()
    return True


def _decode_workspace(document: dict[str, Any], name: str | None) -> Workspace:
    workspace = Workspace()
    for f in _workspace_fields():
        if f.attname in document["workspace"]:
            setattr(workspace, f.attname, _decode(f, document["workspace"][f.attname], "workspace"))
    if name:
        workspace.name = name
    try:
        workspace.full_clean()
    except ValidationError as exc:
        raise BackupRowError(f"workspace: {_details(exc)}") from None
    return workspace


def _restore(
    document: dict[str, Any],
    workspace: Workspace,
    *,
    actor: User | None,
    attach_existing: bool,
    progress: Callable[[int, int], None] | None,
    created_users: list[int],
) -> tuple[RestoreResult, _Context]:
    """Write the rows into the (saved, still invisible) `workspace`, each batch in its own transaction.

    A batch is validated before its transaction starts, so a transaction holds the database
    only for the inserts of at most `BATCH` rows.
    """
    specs = backup_models()
    total = len(document["users"]) + sum(len(document["tables"].get(spec.label, [])) for spec in specs)
    done = 0
    people = _restore_users(document, actor=actor, attach_existing=attach_existing, created=created_users)
    ctx = _Context(workspace, people)
    done += len(document["users"])
    if progress is not None:
        progress(done, total)
    pending: list[tuple[ModelSpec, _Built]] = []
    many: list[tuple[ModelSpec, models.Model, dict[str, Any], int]] = []
    for spec in specs:
        rows = document["tables"].get(spec.label, [])
        ctx.ids[spec.label], ctx.objects[spec.label] = {}, {}
        for start in range(0, len(rows), BATCH):
            batch: list[_Built] = []
            for number, row in enumerate(rows[start : start + BATCH], start=start + 1):
                built = _build(spec, row, number, ctx)
                if built is not None:
                    batch.append(built)
            _insert(spec, batch)  # one short transaction
            for item in batch:
                ctx.ids[spec.label][item.old_id] = item.instance.pk
                ctx.objects[spec.label][item.old_id] = item.instance
                if item.deferred:
                    pending.append((spec, item))
                if spec.many_to_many:
                    many.append((spec, item.instance, item.row, item.number))
            done += len(rows[start : start + BATCH])
            if progress is not None:
                progress(done, total)
    for start in range(0, len(pending), BATCH):
        updates: list[tuple[ModelSpec, int, dict[str, int]]] = []
        for spec, item in pending[start : start + BATCH]:
            update = {}
            for attname, (target, old_id) in item.deferred.items():
                if old_id in ctx.skipped.get(target, ()):
                    continue
                if old_id not in ctx.ids[target]:
                    name = spec.model._meta.get_field(attname).name
                    raise BackupRowError(
                        f"{spec.label} row {item.number}: {name} = {old_id} is not a row of {target} in this backup."
                    )
                update[attname] = ctx.ids[target][old_id]
            if update:
                updates.append((spec, item.instance.pk, update))
        with transaction.atomic():
            for spec, pk, update in updates:
                spec.model._base_manager.filter(pk=pk).update(**update)
    for start in range(0, len(many), BATCH):
        links: list[tuple[models.Model, str, list[int]]] = []
        for spec, instance, row, number in many[start : start + BATCH]:
            for m2m in spec.many_to_many:
                target = m2m.related_model._meta.label_lower
                old_ids = row.get(m2m.name) or []
                if not isinstance(old_ids, list) or not all(
                    _is_id(i) and i in ctx.seen.get(target, ()) for i in old_ids
                ):
                    raise BackupRowError(
                        f"{spec.label} row {number}: {m2m.name} names rows that are not in this backup."
                    )
                links.append((instance, m2m.name, [ctx.ids[target][i] for i in old_ids if i in ctx.ids[target]]))
        with transaction.atomic():
            for instance, m2m_name, kept in links:
                getattr(instance, m2m_name).set(kept)
    result = RestoreResult(
        workspace=workspace,
        rows=sum(len(v) for v in ctx.ids.values()),
        new_accounts=sorted(email for email, p in ctx.people.items() if p.status == "new"),
        left_out=dict(ctx.left_out),
    )
    return result, ctx


def _welcome(result: RestoreResult, ctx: _Context, *, actor: User | None) -> None:
    """The actor owns the copy; existing accounts are invited; new members get a password link."""
    workspace = result.workspace
    if actor is not None and actor.pk is not None:
        mine = Membership.objects.filter(workspace=workspace, user=actor).first()
        if mine is None:
            Membership.objects.create(workspace=workspace, user=actor, role=OWNER)
        elif mine.role != OWNER:
            mine.role = OWNER
            mine.save(update_fields=["role"])
    for email, role in ctx.invitations:
        profile = ctx.profile_of.get(email) if role == FREELANCER else None
        try:
            invite(
                workspace=workspace,
                inviter=actor if getattr(actor, "pk", None) else None,
                email=email,
                role=role,
                freelancer=profile,
            )
        except ValidationError as exc:
            raise BackupRowError(f"users: {email} could not be invited ({_details(exc)}).") from None
        result.invited.append((email, role))
    members = set(Membership.objects.filter(workspace=workspace).values_list("user__email", flat=True))
    for email in result.new_accounts:
        if email in members and email != getattr(actor, "email", None):
            _send_password_link(ctx.people[email].user, workspace)


def _send_password_link(user: Any, workspace: Workspace) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = site_url() + reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    subject = f"Your Sourcewise account for {workspace.name}"
    body = (
        f"{workspace.name} was restored on Sourcewise from a backup, with an account for {user.email}.\n\n"
        f"Choose your password here to sign in:\n{link}\n\n"
        "If you do not expect this, ignore this email; nobody can sign in as you without it.\n"
    )
    email = user.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))


def _store_files(files: list[tuple[models.Model, str, str, bytes]]) -> None:
    """Write the restored documents, once their rows are committed; a failure removes what was written."""
    written: list[tuple[Any, str]] = []
    try:
        for instance, attname, planned, data in files:
            storage = instance._meta.get_field(attname).storage  # type: ignore[union-attr]
            stored = storage.save(planned, ContentFile(data))
            written.append((storage, stored))
            if stored != planned:  # the storage chose another name: the row follows it
                type(instance)._base_manager.filter(pk=instance.pk).update(**{attname: stored})
    except Exception:
        for storage, stored in written:
            storage.delete(stored)
        raise


# ---------------------------------------------------------------- comparing


def comparable_content(document: dict[str, Any]) -> dict[str, Any]:
    """The content of a backup with its ids replaced by positions, to compare two backups.

    Two workspaces hold the same content exactly when this is equal for their backups,
    whatever ids the rows got in their databases. The audit row a restore writes about
    itself is not content and is left out, as is the time of the export. Users are compared
    by address only (a restore never changes an existing account).
    """
    specs = {spec.label: spec for spec in backup_models()}
    tables = {  # whether an audit row was imported says how it arrived, not what it says
        label: [
            {k: v for k, v in r.items() if not (label == "audit.auditevent" and k == "imported")}
            for r in rows
            if not (label == "audit.auditevent" and r.get("action") == RESTORE_MARKER)
        ]
        for label, rows in document["tables"].items()
        if label in specs  # tables that no longer travel (see catalog.EXCLUDED) are not content
    }
    position = {
        label: {row["id"]: n for n, row in enumerate(sorted(rows, key=lambda r: r["id"]))}
        for label, rows in tables.items()
    }
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
                target = m2m.related_model._meta.label_lower
                row[m2m.name] = sorted(position[target].get(i, -1) for i in row.get(m2m.name) or [])
            out.append(row)
        content[label] = out
    return {
        "workspace": document["workspace"],
        # people are accounts of the instance, linked by address: their address is the content
        "users": sorted(u["email"] for u in document["users"]),
        "tables": content,
    }

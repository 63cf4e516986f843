"""Restore a backup document as a new workspace (`document.py` says what a backup holds, `export.py` writes one).

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

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import DatabaseError, IntegrityError, models, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from sourcewise.audit.services import record
from sourcewise.backups.discard import discard_restoring_workspace
from sourcewise.backups.document import (
    BATCH,
    MAX_DEPTH,
    RESTORE_MARKER,
    BackupError,
    BackupRowError,
    decode_value,
    workspace_fields,
)
from sourcewise.backups.parsing import check_shape
from sourcewise.backups.restore_rows import (
    BuiltRow,
    RestoreContext,
    build_row,
    error_details,
    insert_rows,
    is_id,
    keep_timestamps,
    restore_users,
)
from sourcewise.backups.tables import ModelSpec, backup_models
from sourcewise.core.access import FREELANCER, OWNER
from sourcewise.core.links import site_url
from sourcewise.workspaces.models import Membership, Workspace
from sourcewise.workspaces.services import invite

if TYPE_CHECKING:
    from sourcewise.accounts.models import User

logger = logging.getLogger(__name__)


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
        with keep_timestamps(), transaction.atomic():
            workspace.save()
        try:
            with keep_timestamps():
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


def _decode_workspace(document: dict[str, Any], name: str | None) -> Workspace:
    workspace = Workspace()
    for f in workspace_fields():
        if f.attname in document["workspace"]:
            setattr(workspace, f.attname, decode_value(f, document["workspace"][f.attname], "workspace"))
    if name:
        workspace.name = name
    try:
        workspace.full_clean()
    except ValidationError as exc:
        raise BackupRowError(f"workspace: {error_details(exc)}") from None
    return workspace


def _restore(
    document: dict[str, Any],
    workspace: Workspace,
    *,
    actor: User | None,
    attach_existing: bool,
    progress: Callable[[int, int], None] | None,
    created_users: list[int],
) -> tuple[RestoreResult, RestoreContext]:
    """Write the rows into the (saved, still invisible) `workspace`, each batch in its own transaction.

    A batch is validated before its transaction starts, so a transaction holds the database
    only for the inserts of at most `BATCH` rows.
    """
    specs = backup_models()
    total = len(document["users"]) + sum(len(document["tables"].get(spec.label, [])) for spec in specs)
    done = 0
    people = restore_users(document, actor=actor, attach_existing=attach_existing, created=created_users)
    ctx = RestoreContext(workspace, people)
    done += len(document["users"])
    if progress is not None:
        progress(done, total)
    pending: list[tuple[ModelSpec, BuiltRow]] = []
    many: list[tuple[ModelSpec, models.Model, dict[str, Any], int]] = []
    for spec in specs:
        rows = document["tables"].get(spec.label, [])
        ctx.ids[spec.label], ctx.objects[spec.label] = {}, {}
        for start in range(0, len(rows), BATCH):
            batch: list[BuiltRow] = []
            for number, row in enumerate(rows[start : start + BATCH], start=start + 1):
                built = build_row(spec, row, number, ctx)
                if built is not None:
                    batch.append(built)
            insert_rows(spec, batch)  # one short transaction
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
                    is_id(i) and i in ctx.seen.get(target, ()) for i in old_ids
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


def _welcome(result: RestoreResult, ctx: RestoreContext, *, actor: User | None) -> None:
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
            raise BackupRowError(f"users: {email} could not be invited ({error_details(exc)}).") from None
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

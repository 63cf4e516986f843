"""Back up one workspace to a JSON-ready document (rows by id, people by e-mail, files inline)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from sourcewise.audit.services import record
from sourcewise.backups.document import (
    FORMAT,
    USER_FIELDS,
    VERSION,
    encode_value,
    row_values,
    rows_of,
    user_field,
    workspace_fields,
)
from sourcewise.backups.tables import backup_models
from sourcewise.workspaces.models import Workspace

if TYPE_CHECKING:
    from sourcewise.accounts.models import User


def export_workspace(workspace: Workspace, *, actor: User | None = None) -> dict[str, Any]:
    """The whole workspace as a JSON-ready dict (rows by id, people by e-mail, files inline)."""
    user_ids: set[int] = set()
    tables: dict[str, list[dict[str, Any]]] = {}
    for spec in backup_models():
        rows = []
        qs = rows_of(spec, workspace)
        if spec.many_to_many:
            qs = qs.prefetch_related(*(f.name for f in spec.many_to_many))
        for instance in qs.iterator(chunk_size=2000) if not spec.many_to_many else qs:
            row: dict[str, Any] = {"id": instance.pk, **row_values(instance, spec.values)}
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
        "workspace": {f.attname: encode_value(f, workspace) for f in workspace_fields()},
        "users": [{name: encode_value(user_field(name), u) for name in USER_FIELDS} for u in users],
        "tables": tables,
    }
    if actor is not None:
        record(actor=actor, workspace=workspace, action="workspace.backup", target=workspace)
    return document

"""Comparing two backups by content, whatever ids their rows got."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from sourcewise.backups.document import RESTORE_MARKER
from sourcewise.backups.tables import backup_models

if TYPE_CHECKING:
    pass


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

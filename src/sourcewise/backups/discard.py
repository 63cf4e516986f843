"""Deleting a workspace whose restore did not finish, in short transactions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from sourcewise.backups.document import BATCH, rows_of
from sourcewise.backups.tables import backup_models
from sourcewise.workspaces.models import Workspace

if TYPE_CHECKING:
    pass


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
        while pks := list(rows_of(spec, workspace).filter(anything_set).values_list("pk", flat=True)[:BATCH]):
            with transaction.atomic():
                spec.model._base_manager.filter(pk__in=pks).update(**{f.attname: None for f in nullable})
    # 2. Children before parents, a batch per transaction.
    for spec in reversed(specs):
        while pks := list(rows_of(spec, workspace).values_list("pk", flat=True)[:BATCH]):
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

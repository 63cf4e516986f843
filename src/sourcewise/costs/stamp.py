"""The version of a workspace's cost report inputs (`CostReportStamp`), bumped by every write.

`bump` runs in the writer's transaction: the ledger's (`ledger.apply`, `ledger.rebuild`) and an
engagement's save or delete (`receivers.py`). A stored report names the version it was computed
at, so once the write commits, the next read computes a new one; a rolled-back write rolls the
bump back with it.
"""

from __future__ import annotations

from django.db.models import F

from sourcewise.costs.models import CostReportStamp


def bump(workspace_id: int, *, create: bool = True) -> None:
    """Add one to the workspace's version (creating it at 1). Call inside the writer's transaction.

    `create=False` for a row deleted with its workspace: the stamp may be gone already."""
    stamps = CostReportStamp.objects.filter(workspace_id=workspace_id)
    if stamps.update(version=F("version") + 1) or not create:
        return
    ensure(workspace_id)
    stamps.update(version=F("version") + 1)


def ensure(workspace_id: int) -> None:
    """The workspace's stamp at 0 unless it exists. A bulk insert: derived data, no signal (the
    findings' write tracking would take it for a change of the costs)."""
    CostReportStamp.objects.bulk_create([CostReportStamp(workspace_id=workspace_id)], ignore_conflicts=True)

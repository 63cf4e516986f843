"""Restores run as background jobs: the web page and the API upload, the worker restores.

`restore_with_progress` passes a progress callback to `restore_workspace` when that
function accepts one (`progress(done, total)`), and simply restores when it does not.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sourcewise.backups.services import BackupError, restore_workspace
from sourcewise.jobs.models import Job
from sourcewise.jobs.services import JobRefused, Progress, job_kind
from sourcewise.workspaces.models import Workspace

RESTORE = "backups.restore"


def restore_with_progress(
    document: Any, *, progress: Callable[[int, int], None] | None = None, **options: Any
) -> Workspace:
    if progress is not None and "progress" in inspect.signature(restore_workspace).parameters:
        options["progress"] = progress
    return restore_workspace(document, **options)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a backup may hold")


def load_backup(path: Path) -> Any:
    """The JSON document in `path`, or BackupError with a message a person understands."""
    try:
        return json.loads(path.read_bytes().decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BackupError(f"this file is not a JSON backup ({str(exc)[:200]}).") from None


def row_count(document: Any) -> int:
    tables = document.get("tables") if isinstance(document, dict) else None
    if not isinstance(tables, dict):
        return 0
    return sum(len(rows) for rows in tables.values() if isinstance(rows, list))


@job_kind(RESTORE)
def run_restore(job: Job, progress: Progress) -> dict[str, Any]:
    try:
        document = load_backup(Path(job.temp_path))
        progress(0, row_count(document), "Restoring")
        workspace = restore_with_progress(
            document, actor=job.created_by, name=job.params.get("name") or None, progress=progress
        )
    except BackupError as exc:
        raise JobRefused(f"Nothing was restored: {exc}") from None
    rows = row_count(document)
    return {
        "summary": f"Restored {workspace.name} as a new workspace: {rows} rows.",
        "rows": rows,
        "workspace_id": workspace.pk,
        "workspace_name": workspace.name,
        "switch_workspace": workspace.pk,
    }

"""Restores run as background jobs: the web page and the API upload, the worker restores."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sourcewise.backups.discard import discard_restoring_workspace
from sourcewise.backups.document import BackupError
from sourcewise.backups.parsing import parse_backup
from sourcewise.backups.restore import restore_backup
from sourcewise.core.limits import MAX_BACKUP_BYTES
from sourcewise.jobs.models import Job
from sourcewise.jobs.services import JobRefused, Progress, job_kind
from sourcewise.workspaces.models import Workspace

logger = logging.getLogger(__name__)

RESTORE = "backups.restore"


def row_count(document: Any) -> int:
    tables = document.get("tables") if isinstance(document, dict) else None
    if not isinstance(tables, dict):
        return 0
    return sum(len(rows) for rows in tables.values() if isinstance(rows, list))


@job_kind(RESTORE)
def run_restore(job: Job, progress: Progress) -> dict[str, Any]:
    try:
        # Parsed again here, strictly: the file waited on disk, and the job trusts nothing it did not check.
        document = parse_backup(Path(job.temp_path).read_bytes(), limit=MAX_BACKUP_BYTES)
        progress(0, row_count(document), "Restoring")
        result = restore_backup(document, actor=job.created_by, name=job.params.get("name") or None, progress=progress)
    except BackupError as exc:
        # The API answers with the status the error carries (400 unreadable, 422 a row breaks a rule).
        raise JobRefused(f"Nothing was restored: {exc}", status=exc.status) from None
    return {
        "summary": result.summary(),
        "rows": result.rows,
        "invited": [email for email, _role in result.invited],
        "workspace_id": result.workspace.pk,
        "workspace_name": result.workspace.name,
        "switch_workspace": result.workspace.pk,
    }


def discard_unfinished_restores() -> int:
    """Delete the workspaces a killed restore left marked `restoring` (invisible, never finished).

    Called at start after `jobs.services.recover_stale_jobs()`; while a restore job is still
    running anywhere its workspace is being written, so nothing is deleted then."""
    if Job.objects.filter(state=Job.State.RUNNING, kind=RESTORE).exists():
        return 0
    discarded = 0
    for workspace_id in Workspace._base_manager.filter(restoring=True).values_list("pk", flat=True):
        logger.warning("Deleting workspace %s, left unfinished by a stopped restore.", workspace_id)
        discarded += bool(discard_restoring_workspace(workspace_id))
    return discarded

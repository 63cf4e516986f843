"""What a starting server or worker does first: clean up after the processes that stopped."""

from __future__ import annotations

from sourcewise.backups.jobs import discard_unfinished_restores
from sourcewise.jobs.services import recover_stale_jobs


def recover() -> int:
    """Fail the jobs a stopped worker left running, then delete what a killed restore left.

    Returns the number of jobs marked failed."""
    recovered = recover_stale_jobs()
    discard_unfinished_restores()
    return recovered

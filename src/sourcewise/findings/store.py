"""Reads of the stored findings: what pages, the API and the CLI show.

Every read starts with `ensure_fresh` (apply the markers writes left), then asks the
database: the score is one aggregate, a page of findings one indexed query.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Sum

from sourcewise.findings.models import FindingRecord, FindingRecordQuerySet, FindingsState
from sourcewise.findings.refresh import ensure_fresh, workspace_today
from sourcewise.findings.selectors import has_outsourced_work
from sourcewise.workspaces.models import Workspace

NOT_ENOUGH_DATA = "not_enough_data"
SCORED = "scored"


@dataclass(frozen=True)
class StoredHealth:
    workspace: Workspace
    today: datetime.date
    score: int | None  # None: no outsourced work yet (status says so)
    counts: dict[str, int]  # open findings that count, by severity
    refreshed_at: datetime.datetime | None

    @property
    def status(self) -> str:
        return NOT_ENOUGH_DATA if self.score is None else SCORED

    @property
    def enough_data(self) -> bool:
        return self.score is not None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def records(workspace: Workspace) -> FindingRecordQuerySet:
    return FindingRecord.objects.filter(workspace=workspace)


def stored_health(workspace: Workspace, *, today: datetime.date | None = None, fresh: bool = True) -> StoredHealth:
    """Score and counts from the stored findings (after applying pending writes)."""
    today = today or workspace_today(workspace)
    if fresh:
        ensure_fresh(workspace, today=today)
    rows = records(workspace).counting(today).values("severity").annotate(n=Count("pk"), points=Sum("penalty"))
    counts = {"critical": 0, "warning": 0, "info": 0}
    penalty = 0
    for row in rows:
        counts[row["severity"]] = row["n"]
        penalty += row["points"] or 0
    score = max(0, 100 - penalty) if has_outsourced_work(workspace) else None
    refreshed_at = FindingsState.objects.filter(workspace=workspace).values_list("refreshed_at", flat=True).first()
    return StoredHealth(workspace, today, score, counts, refreshed_at)


def subject_findings(
    workspace: Workspace, subject_type: str, subject_id: int, *, today: datetime.date | None = None
) -> list[FindingRecord]:
    """The unresolved findings of one subject (counting, accepted and coming up), worst first."""
    today = today or workspace_today(workspace)
    ensure_fresh(workspace, today=today)
    return list(
        records(workspace)
        .unresolved()
        .filter(subject_type=subject_type, subject_id=subject_id)
        .order_by("severity_rank", "code", "pk")
    )

"""The score over time over the API: `GET /api/v1/health/history`."""

from __future__ import annotations

from ninja import Query, Router, Schema
from pydantic import Field

from sourcewise.api.access import api_access
from sourcewise.api.schemas import responses
from sourcewise.core.access import INTERNAL
from sourcewise.core.http import WorkspaceRequest
from sourcewise.findings.history import health_history
from sourcewise.findings.refresh import ensure_fresh

router = Router(tags=["findings"])


class HistoryQuery(Schema):
    days: int = Field(90, ge=1, le=365, description="How many days back, today included (1–365).")


class HistoryDayOut(Schema):
    day: str = Field(description="The workspace's date (YYYY-MM-DD).")
    score: int | None = Field(description="0–100; null on a day the workspace had no outsourced work to score.")
    critical: int
    warning: int
    info: int
    accepted: int = Field(description="Open findings accepted as a risk that day (not counted in the score).")
    by_guardrail: dict[str, int] = Field(description="Open findings counting in the score, per guardrail (G1…).")


@router.get("/health/history", response=responses(list[HistoryDayOut]), auth=api_access(INTERNAL))
def health_history_api(request: WorkspaceRequest, query: Query[HistoryQuery]) -> list[dict[str, object]]:
    """The workspace's daily health snapshots, oldest first.

    A snapshot is taken each day the workspace's findings are refreshed (the daily job, or
    the first use of the day). Days without one are left out rather than filled in, so the
    list has at most `days` items."""
    workspace = request.workspace
    ensure_fresh(workspace)  # the first read of a day takes today's snapshot
    history = health_history(workspace, query.days)
    return [
        {
            "day": h.day.isoformat(),
            "score": s.score,
            "critical": s.critical,
            "warning": s.warning,
            "info": s.info,
            "accepted": s.accepted,
            "by_guardrail": s.by_guardrail,
        }
        for h in history
        if (s := h.snapshot) is not None
    ]

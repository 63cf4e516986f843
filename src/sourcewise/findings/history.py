"""The daily snapshot of a workspace's score and counts (the trend and the weekly email)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Sum

from sourcewise.findings.models import FindingRecord, HealthSnapshot
from sourcewise.workspaces.models import Workspace


def take_snapshot(workspace: Workspace, today: datetime.date) -> HealthSnapshot:
    """Store today's score and counts (once a day; later refreshes of the day overwrite it)."""
    from sourcewise.findings.selectors import has_outsourced_work

    rows = (
        FindingRecord.objects.filter(workspace=workspace)
        .counting(today)
        .values("guardrail", "severity")
        .annotate(n=Count("pk"), points=Sum("penalty"))
    )
    counts = {"critical": 0, "warning": 0, "info": 0}
    by_guardrail: dict[str, int] = {}
    penalty = 0
    for row in rows:
        counts[row["severity"]] += row["n"]
        by_guardrail[row["guardrail"]] = by_guardrail.get(row["guardrail"], 0) + row["n"]
        penalty += row["points"] or 0
    accepted = FindingRecord.objects.filter(workspace=workspace).accepted(today).count()
    score = max(0, 100 - penalty) if has_outsourced_work(workspace) else None
    snapshot, _ = HealthSnapshot.objects.update_or_create(
        workspace=workspace,
        day=today,
        defaults={"score": score, **counts, "accepted": accepted, "by_guardrail": by_guardrail},
    )
    return snapshot

"""The daily snapshot of a workspace's score and counts (the trend and the weekly email)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from sourcewise.findings.models import FindingRecord, HealthSnapshot
from sourcewise.findings.selectors import has_outsourced_work
from sourcewise.findings.tally import tally
from sourcewise.workspaces.models import Workspace


def take_snapshot(workspace: Workspace, today: datetime.date) -> HealthSnapshot:
    """Store today's score and counts (once a day; later refreshes of the day overwrite it)."""
    counted = tally(workspace, today)  # the tallies the refresh keeps: no count over every finding
    counts, by_guardrail, accepted = counted.counts, counted.by_guardrail(), counted.accepted
    score = max(0, 100 - counted.points) if has_outsourced_work(workspace) else None
    snapshot, _ = HealthSnapshot.objects.update_or_create(
        workspace=workspace,
        day=today,
        defaults={"score": score, **counts, "accepted": accepted, "by_guardrail": by_guardrail},
    )
    return snapshot


@dataclass(frozen=True)
class HistoryDay:
    """One day of the trend: its snapshot, or None when nothing was recorded that day (a gap)."""

    day: datetime.date
    snapshot: HealthSnapshot | None

    @property
    def gap(self) -> bool:
        return self.snapshot is None

    @property
    def score(self) -> int | None:
        return self.snapshot.score if self.snapshot is not None else None


def health_history(workspace: Workspace, days: int = 90, *, today: datetime.date | None = None) -> list[HistoryDay]:
    """The last `days` days up to `today`, oldest first, in one query.

    A day without a snapshot (nobody used the workspace, so no refresh ran) stays empty: the
    chart draws a gap there rather than a value nobody measured.
    """
    today = today or workspace.today()
    start = today - datetime.timedelta(days=days - 1)
    snapshots = {s.day: s for s in HealthSnapshot.objects.filter(workspace=workspace, day__gte=start, day__lte=today)}
    return [HistoryDay(day, snapshots.get(day)) for day in (start + datetime.timedelta(days=i) for i in range(days))]


@dataclass(frozen=True)
class WeekChanges:
    """What moved in the last seven days: findings that appeared, findings that were resolved."""

    since: datetime.datetime
    new: int
    resolved: int
    new_critical: int
    capped: bool = False  # counted up to a limit only: the figures are "at least"


def week_changes(workspace: Workspace, *, today: datetime.date | None = None, limit: int | None = None) -> WeekChanges:
    """Findings first seen / resolved in the 7 days up to `today` (from the workspace's midnight 6 days ago).

    With `limit`, at most that many of the week's rows are read (a page must not count the
    100,000 findings a bulk import opened today): `capped` then says the counts are "at least".
    """
    today = today or workspace.today()
    since = _midnight(workspace, today - datetime.timedelta(days=6))
    # Only the week's rows: the OR of two indexed conditions (finding_age, finding_open_rank).
    new = Q(first_seen__gte=since)
    week = FindingRecord.objects.filter(Q(workspace=workspace) & (new | Q(resolved_at__gte=since)))
    if limit is None:
        counted = week.aggregate(
            n=Count("pk", filter=new),
            critical=Count("pk", filter=new & Q(severity="critical")),
            resolved=Count("pk", filter=Q(resolved_at__gte=since)),
        )
        return WeekChanges(since, counted["n"], counted["resolved"], counted["critical"])
    rows = list(week.values_list("first_seen", "resolved_at", "severity")[: limit + 1])
    capped = len(rows) > limit
    rows = rows[:limit]
    return WeekChanges(
        since=since,
        new=sum(1 for first_seen, _, _ in rows if first_seen >= since),
        resolved=sum(1 for _, resolved_at, _ in rows if resolved_at is not None and resolved_at >= since),
        new_critical=sum(1 for first_seen, _, sev in rows if first_seen >= since and sev == "critical"),
        capped=capped,
    )


def _midnight(workspace: Workspace, day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=workspace.zone)

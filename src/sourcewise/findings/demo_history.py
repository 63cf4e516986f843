"""A made-up past for the demo workspaces' trend chart (demo only; see the comment below)."""

from __future__ import annotations

import datetime

from sourcewise.findings.codes import SEVERITY_PENALTY, Severity
from sourcewise.findings.models import HealthSnapshot
from sourcewise.findings.refresh import refresh_full
from sourcewise.workspaces.models import Workspace

# -- the demo's past ----------------------------------------------------------------------------
# A made-up past for the demo workspaces only, so their trend chart is not a single dot.
# The demo's data is created in one go today, so recomputing the rules "as of" past days
# gives a flat line that describes nothing that happened. Instead: today's snapshot is
# real (a full refresh), and the past is today's findings plus problems the studio fixed
# along the way — each one listed below with its severity, guardrail and how many days ago
# it was fixed — with one long weekend nobody opened Sourcewise (a gap, as it would be).
DEMO_FIXED_PROBLEMS: list[tuple[str, str, int]] = [
    ("warning", "G2", 9),  # an engagement without a manager: one assigned 9 days ago
    ("warning", "G6", 20),  # an SOP nobody had acknowledged
    ("info", "G8", 20),
    ("critical", "G7", 38),  # an unvetted freelancer engaged: vetted 38 days ago
    ("warning", "G5", 52),
    ("warning", "G1", 66),
]
DEMO_UNUSED_DAYS = range(30, 33)  # days ago: a long weekend with no snapshot
DEMO_HISTORY_DAYS = 90


def backfill_demo_history(workspace: Workspace, today: datetime.date) -> int:
    """Write the demo's past snapshots (see the comment above); returns how many were written.

    Demo only: never call it on a real workspace — its history must be what was measured.
    """
    refresh_full(workspace, today=today)  # today's snapshot: the real one
    now = HealthSnapshot.objects.get(workspace=workspace, day=today)
    penalty_now = 15 * now.critical + 5 * now.warning + now.info
    past = []
    for days_ago in range(1, DEMO_HISTORY_DAYS):
        if days_ago in DEMO_UNUSED_DAYS:
            continue
        still_open = [(sev, g) for sev, g, fixed in DEMO_FIXED_PROBLEMS if days_ago > fixed]
        counts = {"critical": now.critical, "warning": now.warning, "info": now.info}
        by_guardrail = dict(now.by_guardrail)
        for severity, guardrail in still_open:
            counts[severity] += 1
            by_guardrail[guardrail] = by_guardrail.get(guardrail, 0) + 1
        penalty = penalty_now + sum(SEVERITY_PENALTY[Severity(sev)] for sev, _ in still_open)
        past.append(
            HealthSnapshot(
                workspace=workspace,
                day=today - datetime.timedelta(days=days_ago),
                score=None if now.score is None else max(0, 100 - penalty),
                accepted=now.accepted,
                by_guardrail=by_guardrail,
                **counts,
            )
        )
    HealthSnapshot.objects.filter(workspace=workspace, day__lt=today).delete()
    HealthSnapshot.objects.bulk_create(past)
    return len(past)

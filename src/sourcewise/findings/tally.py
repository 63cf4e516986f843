"""Counts of the counting findings, from the tallies a refresh keeps (`FindingTally`).

Two small queries whatever the size of the workspace: the tallies (one row per code and
severity with unresolved findings), and the few unresolved findings that are accepted or
coming up, which the score leaves out. Used by the score, the dashboard's groups and the
daily snapshot.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q

from sourcewise.findings.codes import CODES, SEVERITY_PENALTY, Severity
from sourcewise.findings.models import FindingRecord, FindingTally
from sourcewise.workspaces.models import Workspace


@dataclass(frozen=True)
class Tally:
    counting: Counter[tuple[str, str]]  # (code, severity) → findings that count today
    accepted: int
    coming_up: int

    @property
    def counts(self) -> dict[str, int]:
        counts = {str(s): 0 for s in Severity}
        for (_code, severity), n in self.counting.items():
            counts[severity] += n
        return counts

    @property
    def points(self) -> int:
        return sum(SEVERITY_PENALTY[Severity(severity)] * n for (_code, severity), n in self.counting.items())

    def by_guardrail(self) -> dict[str, int]:
        groups: Counter[str] = Counter()
        for (code, _severity), n in self.counting.items():
            groups[CODES[code].guardrail] += n
        return {key: n for key, n in sorted(groups.items()) if n}


def tally(workspace: Workspace, today: datetime.date) -> Tally:
    counting: Counter[tuple[str, str]] = Counter(
        {
            (code, severity): n
            for code, severity, n in FindingTally.objects.filter(workspace=workspace).values_list(
                "code", "severity", "count"
            )
        }
    )
    coming_up = Q(starts_on__gt=today)
    exceptions = (
        FindingRecord.objects.filter(workspace=workspace, resolved_at__isnull=True)
        .filter(coming_up | Q(accepted_until__gt=today))
        .values("code", "severity")
        .annotate(coming=Count("pk", filter=coming_up), accepted=Count("pk", filter=~coming_up))
        .order_by()
    )
    accepted = coming = 0
    for row in exceptions:
        counting[(row["code"], row["severity"])] -= row["coming"] + row["accepted"]
        accepted += row["accepted"]
        coming += row["coming"]
    return Tally(+counting, accepted, coming)

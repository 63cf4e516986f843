"""Counts of the counting findings, from the tallies a refresh keeps (`FindingTally`).

Two small queries whatever the size of the workspace: the tallies (one row per code and
severity with unresolved findings), and the few unresolved findings that are coming up or
accepted, which the score leaves out. Used by the score, the dashboard's groups and the
daily snapshot.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import CharField, Value

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
    # The few rows that are coming up or accepted, each part on its own index
    # (finding_starts, finding_accepted) in one UNION ALL, filtered here: asking SQL for
    # "unresolved" too, or grouping, lets the planner walk every open finding instead.
    rows = FindingRecord.objects.filter(workspace=workspace)
    columns = ("kind", "code", "severity", "resolved_at", "starts_on")
    coming = rows.filter(starts_on__gt=today).annotate(kind=Value("coming", output_field=CharField()))
    accepted = rows.filter(accepted_until__gt=today).annotate(kind=Value("accepted", output_field=CharField()))
    out: dict[str, Counter[tuple[str, str]]] = {"coming": Counter(), "accepted": Counter()}
    for kind, code, severity, resolved_at, starts_on in coming.values_list(*columns).union(
        accepted.values_list(*columns), all=True
    ):
        if resolved_at is not None or (kind == "accepted" and starts_on is not None and starts_on > today):
            continue  # resolved; or accepted but still coming up (counted once, as coming up)
        out[kind][(code, severity)] += 1
        counting[(code, severity)] -= 1
    return Tally(+counting, out["accepted"].total(), out["coming"].total())

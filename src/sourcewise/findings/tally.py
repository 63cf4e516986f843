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

from django.db.models import CharField, Count, QuerySet, Value

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
    # The two small reads, each on its own index (finding_starts, finding_accepted), in one
    # UNION ALL: an OR of the two would read every unresolved finding of a large workspace.
    unresolved = FindingRecord.objects.filter(workspace=workspace, resolved_at__isnull=True)
    coming = _by_code(unresolved.filter(starts_on__gt=today), "coming")
    accepted = _by_code(unresolved.filter(accepted_until__gt=today).exclude(starts_on__gt=today), "accepted")
    out: dict[str, Counter[tuple[str, str]]] = {"coming": Counter(), "accepted": Counter()}
    for kind, code, severity, n in coming.union(accepted, all=True):
        out[kind][(code, severity)] += n
        counting[(code, severity)] -= n
    return Tally(+counting, out["accepted"].total(), out["coming"].total())


def _by_code(records: QuerySet[FindingRecord], kind: str) -> QuerySet[FindingRecord, tuple[str, str, str, int]]:
    return (
        records.order_by()
        .annotate(kind=Value(kind, output_field=CharField()))
        .values_list("kind", "code", "severity")
        .annotate(n=Count("pk"))
        .values_list("kind", "code", "severity", "n")
    )

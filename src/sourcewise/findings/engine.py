"""Run every registered check on a workspace and fold the findings into a health score."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from sourcewise.core.guardrails import GUARDRAILS
from sourcewise.findings.codes import SEVERITY_ORDER, SEVERITY_PENALTY, Severity
from sourcewise.findings.refresh import UndeclaredFindingCode, run_checks
from sourcewise.findings.registry import CheckContext, Finding, registered_checks

__all__ = ["NOT_ENOUGH_DATA", "SCORED", "HealthReport", "UndeclaredFindingCode", "evaluate", "health_score"]
from sourcewise.findings.selectors import has_outsourced_work
from sourcewise.workspaces.models import Workspace


def health_score(findings: list[Finding], today: datetime.date | None = None) -> int:
    """100 = no findings; each critical −15, warning −5, info −1; never below 0 (SPEC §2).

    With `today`, coming-up findings (starting after today) don't count, as in the store's
    `counting(today)`; without it every finding counts (the score of a list as given)."""
    counted = findings if today is None else [f for f in findings if not f.is_coming_up(today)]
    return max(0, 100 - sum(SEVERITY_PENALTY[f.severity] for f in counted))


NOT_ENOUGH_DATA = "not_enough_data"
SCORED = "scored"


@dataclass(frozen=True)
class HealthReport:
    workspace: Workspace
    findings: list[Finding]
    score: int | None  # None: no outsourced work yet, so nothing to score (`status` says so)
    evaluated_on: datetime.date

    @property
    def status(self) -> str:
        """`scored`, or `not_enough_data` while the workspace has no outsourced work."""
        return NOT_ENOUGH_DATA if self.score is None else SCORED

    @property
    def enough_data(self) -> bool:
        return self.score is not None

    @property
    def counts(self) -> dict[str, int]:
        """Findings that count, by severity (coming-up ones wait for their date)."""
        counter = Counter(str(f.severity) for f in self.findings if not f.is_coming_up(self.evaluated_on))
        return {str(s): counter.get(str(s), 0) for s in Severity}

    def by_guardrail(self) -> list[tuple[str, str, list[Finding]]]:
        groups: dict[str, list[Finding]] = {}
        for finding in self.findings:
            groups.setdefault(finding.guardrail, []).append(finding)
        return [(key, GUARDRAILS[key].title, groups[key]) for key in GUARDRAILS if key in groups]

    def for_subject(self, subject_type: str, subject_id: int) -> list[Finding]:
        return [f for f in self.findings if f.subject_type == subject_type and f.subject_id == subject_id]

    def as_dict(self) -> dict[str, object]:
        return {
            "workspace": {"id": self.workspace.pk, "name": self.workspace.name},
            "evaluated_on": self.evaluated_on.isoformat(),
            "score": self.score,
            "status": self.status,
            "counts": self.counts,
            "findings": [f.as_dict() for f in self.findings],
        }


def evaluate(workspace: Workspace, *, today: datetime.date | None = None) -> HealthReport:
    """Compute the findings of a workspace from its data (never stored by hand)."""
    if today is None:
        today = workspace.today()
    ctx = CheckContext(workspace=workspace, today=today)
    findings = run_checks(ctx, registered_checks())
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.guardrail, f.code, f.subject_label, f.subject_id or 0))
    # A workspace with no outsourced work would score a perfect 100 for having done nothing.
    score = health_score(findings, today) if has_outsourced_work(workspace) else None
    return HealthReport(workspace=workspace, findings=findings, score=score, evaluated_on=today)

"""A check whose findings the test chooses, stored through the real refresh (no record made by hand)."""

from __future__ import annotations

import pytest

from sourcewise.findings.codes import CODES, Severity
from sourcewise.findings.refresh import refresh_full
from sourcewise.findings.registry import Finding


class Stored:
    def __init__(self, workspace) -> None:
        self.workspace = workspace
        self.findings: list[Finding] = []

    def produce(self, ctx):
        if ctx.workspace.pk == self.workspace.pk:
            yield from self.findings

    def set(self, *findings: Finding) -> None:
        """The check now says `findings`: store them as the daily job would."""
        self.findings = list(findings)
        refresh_full(self.workspace)

    def add(self, *findings: Finding) -> None:
        self.set(*self.findings, *findings)


def finding(code: str, severity: str, subject_type: str = "task", subject_id: int = 1, **extra) -> Finding:
    return Finding(
        code,
        Severity(severity),
        subject_type,
        subject_id,
        extra.pop("message", f"{code} on {subject_type} {subject_id}"),
        extra.pop("fix", "Fix it."),
        extra.pop("subject_label", f"{subject_type.title()} {subject_id}"),
        **extra,
    )


@pytest.fixture
def stored(workspace, temporary_check, monkeypatch):
    """The workspace is scored (as if it had outsourced work) and its findings are the test's."""
    from sourcewise.findings import selectors

    monkeypatch.setattr(selectors, "has_outsourced_work", lambda workspace: True)
    holder = Stored(workspace)
    temporary_check(list(CODES), holder.produce)
    return holder

"""The setup checklist the dashboard shows a new workspace: its shape only.

The steps count rows of the apps above findings (tasks, skills, rate benchmarks,
freelancers, SOPs, a started trial), so `engagements.dashboard` builds it and passes it to
`findings.views.dashboard_page`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SetupStep:
    key: str
    title: str
    hint: str
    done: bool
    url: str


@dataclass(frozen=True)
class SetupChecklist:
    steps: list[SetupStep]

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.steps if s.done)

    @property
    def complete(self) -> bool:
        return all(s.done for s in self.steps)

    @property
    def next_step(self) -> SetupStep | None:
        return next((s for s in self.steps if not s.done), None)

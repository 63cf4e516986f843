"""What the task requires before an engagement on it becomes active (G1): it is outsourceable —
a deliverable with written acceptance criteria and a checkpoint cadence within the limit.

The same readiness the advisor shows (`advisor.outsourceable_gaps`); the SOP part of it is the
guidance app's requirement (every SOP that applies acknowledged).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sourcewise.engagements.requirements import activation_requirement
from sourcewise.tasks.advisor import outsourceable_gaps

if TYPE_CHECKING:
    from sourcewise.engagements.models import Engagement


@activation_requirement
def task_is_outsourceable(engagement: Engagement) -> list[str]:
    task = engagement.task
    return [
        f"The task {task} is not ready to outsource: {gap.message}"
        for gap in outsourceable_gaps(task, engagement.workspace)
    ]

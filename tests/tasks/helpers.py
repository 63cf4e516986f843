from __future__ import annotations

from decimal import Decimal

from sourcewise.guidance.services import create_sop
from sourcewise.tasks.models import Deliverable, Task
from tests.tasks.factories import TaskFactory

NO_ANSWERS = {"q_differentiates": False, "q_proprietary": False, "q_revenue_critical": False, "q_must_own": False}


def make_task(workspace, *, yes: int = 0, ready: bool = True, sop: bool | None = None, **fields) -> Task:
    """A task with `yes` of the four questions answered yes (the rest no), ready to outsource unless told.

    Ready means a deliverable with acceptance criteria, checkpoints every 7 days and an SOP
    attached to the task (`sop=False` leaves the SOP out).
    """
    answers = dict(NO_ANSWERS)
    for name in list(answers)[:yes]:
        answers[name] = True
    defaults = {"hours": Decimal("10"), "checkpoint_every_days": 7 if ready else None, **answers}
    defaults.update(fields)
    task = TaskFactory(workspace=workspace, **defaults)
    if ready:
        Deliverable.objects.create(workspace=workspace, task=task, name="Report", acceptance_criteria="On time.")
    if ready if sop is None else sop:
        create_sop(workspace=workspace, actor=None, title=f"How we do {task.name}", body="Step by step.", tasks=[task])
    return task

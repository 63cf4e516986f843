"""Guidance plugged into the other apps at start-up (called from `GuidanceConfig.ready`).

* the tasks advisor learns whether an SOP covers a task (G6: a task without one is
  `not_ready`, "no SOP");
* engagements' activation requirement and the SOP findings live in
  `engagement_requirements.py` and `rules.py` (discovered by name).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from sourcewise.guidance.models import SOP
from sourcewise.guidance.selectors import sops_for_task
from sourcewise.tasks.advisor import register_sop_status
from sourcewise.tasks.models import Task

ON_TASK, ON_SKILL = "sop_on_task", "sop_on_skill"


def sop_annotations() -> dict[str, Any]:
    """Whether an SOP is attached to the task, or to a skill it needs (one subquery each)."""
    return {
        ON_TASK: Exists(SOP.objects.filter(tasks=OuterRef("pk"))),
        ON_SKILL: Exists(SOP.objects.filter(skills__task_needs__task=OuterRef("pk"))),
    }


def task_without_sop() -> Q:
    """In SQL, the tasks `task_has_sop` answers False for: no SOP on the task nor its skills."""
    return ~Q(sop_annotations()[ON_TASK]) & ~Q(sop_annotations()[ON_SKILL])


def task_has_sop(task: Task) -> bool:
    """True when at least one SOP applies to the task (read from the annotations when loaded)."""
    loaded = task.__dict__
    if ON_TASK in loaded and ON_SKILL in loaded:
        return bool(loaded[ON_TASK] or loaded[ON_SKILL])
    return sops_for_task(task).exists()


def connect() -> None:
    register_sop_status(task_has_sop, sop_annotations, task_without_sop)

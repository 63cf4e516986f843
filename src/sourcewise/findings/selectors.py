"""Reads for the dashboard: the setup checklist of a new workspace, and whether it has
outsourced work to score at all.

Both are answered by one query on the workspace row with an EXISTS per step, so the
dashboard costs the same on an empty workspace as on a busy one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, Q
from django.urls import reverse

if TYPE_CHECKING:
    from sourcewise.workspaces.models import Workspace

# Engagement states that mean the work really started (a draft is a plan; a cancelled draft never ran).
STARTED_STATES = ("active", "completed", "terminated")


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


# (key, title, hint, URL name of the page where the step is done) in the order a new business goes.
STEPS: tuple[tuple[str, str, str, str], ...] = (
    ("tasks", "List your tasks", "The work of the business, and which of it you might outsource.", "tasks:task_create"),
    (
        "skills",
        "Name the skills",
        "The skills those tasks need, so tasks and freelancers can be matched.",
        "talent:skill_list",
    ),
    (
        "rates",
        "Add a market rate",
        "A rate benchmark per skill and country, so a fair rate can be told from a cheap one.",
        "money:benchmark_list",
    ),
    (
        "freelancers",
        "Add freelancers",
        "The people you might hire, to vet before any work.",
        "talent:freelancer_create",
    ),
    ("sops", "Write an SOP", "A written procedure for the work you hand over.", "guidance:sop_create"),
    ("trial", "Start a first trial", "A small paid trial before any full engagement.", "engagements:engagement_create"),
)


def _step_queries(workspace_id: int) -> dict[str, Exists]:
    from sourcewise.engagements.models import Engagement
    from sourcewise.guidance.models import SOP
    from sourcewise.money.models import RateBenchmark
    from sourcewise.talent.models import Freelancer, Skill
    from sourcewise.tasks.models import Task

    return {
        "tasks": Exists(Task.objects.filter(workspace_id=workspace_id, archived_at__isnull=True)),
        "skills": Exists(Skill.objects.filter(workspace_id=workspace_id)),
        "rates": Exists(RateBenchmark.objects.filter(workspace_id=workspace_id)),
        "freelancers": Exists(Freelancer.objects.filter(workspace_id=workspace_id)),
        "sops": Exists(SOP.objects.filter(workspace_id=workspace_id)),
        "trial": Exists(
            Engagement.objects.filter(workspace_id=workspace_id, kind=Engagement.Kind.TRIAL, state__in=STARTED_STATES)
        ),
    }


def _outsourced_work(workspace_id: int) -> Q:
    """Outsourced work = an engagement that started (active, completed or terminated) or a
    task, not archived, whose sourcing decision is "outsourced"."""
    from sourcewise.engagements.models import Engagement
    from sourcewise.tasks.models import Task

    engaged = Engagement.objects.filter(workspace_id=workspace_id, state__in=STARTED_STATES)
    outsourced = Task.objects.filter(
        workspace_id=workspace_id, archived_at__isnull=True, sourcing=Task.Sourcing.OUTSOURCE
    )
    return Q(Exists(engaged)) | Q(Exists(outsourced))


def has_outsourced_work(workspace: Workspace) -> bool:
    """Whether the workspace has anything a health score could judge (one query)."""
    from sourcewise.workspaces.models import Workspace

    return Workspace.objects.filter(Q(pk=workspace.pk) & _outsourced_work(workspace.pk)).exists()


def setup_checklist(workspace: Workspace) -> SetupChecklist:
    """Which setup steps the workspace has done, each ticked from its data (one query)."""
    from sourcewise.workspaces.models import Workspace

    row = (
        Workspace.objects.filter(pk=workspace.pk)
        .annotate(**{f"step_{k}": q for k, q in _step_queries(workspace.pk).items()})
        .values(*(f"step_{k}" for k, *_ in STEPS))
        .get()
    )
    return SetupChecklist(
        [
            SetupStep(key=key, title=title, hint=hint, done=bool(row[f"step_{key}"]), url=reverse(url_name))
            for key, title, hint, url_name in STEPS
        ]
    )

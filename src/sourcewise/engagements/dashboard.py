"""The dashboard page: findings' work queue, and the setup checklist of a new workspace.

The queue is findings' (`findings.views.dashboard_page`); the checklist ticks each step
from the data of the apps that hold it (tasks, skills, rate benchmarks, freelancers, SOPs,
a started trial), and engagements is the lowest app that sees all of them. The page keeps
its URL name, `findings:dashboard` (mounted in `config/urls.py`).

The checklist is answered by one query on the workspace row with an EXISTS per step, so
the dashboard costs the same on an empty workspace as on a busy one.
"""

from __future__ import annotations

from django.db.models import Exists
from django.http import HttpResponse
from django.urls import reverse

from sourcewise.core.access import INTERNAL
from sourcewise.core.http import WorkspaceRequest
from sourcewise.engagements.findings_hooks import STARTED_STATES
from sourcewise.engagements.models import Engagement
from sourcewise.findings.checklist import SetupChecklist, SetupStep
from sourcewise.findings.views import dashboard_page
from sourcewise.guidance.models import SOP
from sourcewise.money.models import RateBenchmark
from sourcewise.talent.models import Freelancer, Skill
from sourcewise.tasks.models import Task
from sourcewise.workspaces.access import workspace_view
from sourcewise.workspaces.models import Workspace

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


def setup_checklist(workspace: Workspace) -> SetupChecklist:
    """Which setup steps the workspace has done, each ticked from its data (one query)."""
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


@workspace_view(roles=INTERNAL)
def dashboard(request: WorkspaceRequest) -> HttpResponse:
    """The work queue, with the setup checklist while a step is open (`findings.views.dashboard_page`)."""
    return dashboard_page(request, setup_checklist)

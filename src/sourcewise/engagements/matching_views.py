"""The matching pages (SPEC G3): pick a task, see the freelancers ranked for it.

Served under /talent/ (`matching_urls`, namespace `matching`): they belong with the talent
pages, but ranking reads tasks, money and engagements, so the code lives here.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse

from sourcewise.core.access import INTERNAL
from sourcewise.core.htmx import render_page
from sourcewise.core.http import WorkspaceRequest
from sourcewise.core.pagination import paginate
from sourcewise.engagements.matching_queries import rank_candidates
from sourcewise.tasks.models import Task
from sourcewise.workspaces.access import scoped_object, scoped_queryset, workspace_view


def _today(request: WorkspaceRequest) -> Any:
    return request.workspace.today()


@workspace_view(roles=INTERNAL)
def match(request: WorkspaceRequest) -> HttpResponse:
    """Pick a task to see who fits it best."""
    tasks = scoped_queryset(request, Task).prefetch_related("skill_needs__skill").order_by("name", "id")
    return render_page(request, "engagements/match.html", {"page": paginate(request, tasks)})


@workspace_view(roles=INTERNAL, objects={"pk": Task})
def candidates(request: WorkspaceRequest, pk: int) -> HttpResponse:
    task = scoped_object(request, Task, pk)
    task.workspace = request.workspace  # the same row, already read by the request
    # Internal members see every freelancer of the workspace (FreelancerQuerySet.visible_to): nothing to narrow.
    ranking = rank_candidates(task, today=_today(request))
    return render_page(request, "engagements/candidates.html", {"task": task, "ranking": ranking})

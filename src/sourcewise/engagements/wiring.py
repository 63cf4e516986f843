"""Engagements plugged into guidance at start-up (called from `EngagementsConfig.ready`).

* An SOP applies to a freelancer also when it is attached to the task — or to a skill the
  task needs — of one of their draft or active engagements: they see it in their portal, get
  the email asking them to acknowledge it, and the SOP page lists them among who has not.
* The portal home shows the freelancer's open engagements (with hours) and next milestones.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet, Sum

from sourcewise.core.dates import server_today
from sourcewise.core.http import WorkspaceRequest
from sourcewise.engagements.models import Engagement, Milestone, TimeEntry
from sourcewise.guidance.audiences import SopAudience, register_sop_audience
from sourcewise.guidance.models import SOP
from sourcewise.guidance.portal import register_home_section
from sourcewise.talent.models import Freelancer
from sourcewise.tasks.models import TaskSkill
from sourcewise.workspaces.access import scoped_queryset

OPEN = (Engagement.State.DRAFT, Engagement.State.ACTIVE)


# Each side is an id subquery of its own: OR-ing the two join chains in one query multiplied
# the rows (every SOP × every engagement), seconds at 100,000 engagements.
def _sops_for(freelancers: QuerySet[Freelancer]) -> Q:
    tasks = Engagement.objects.filter(freelancer__in=freelancers, state__in=OPEN).values("task_id")
    skills = TaskSkill.objects.filter(task_id__in=tasks).values("skill_id")
    return Q(pk__in=SOP.tasks.through.objects.filter(task_id__in=tasks).values("sop_id")) | Q(
        pk__in=SOP.skills.through.objects.filter(skill_id__in=skills).values("sop_id")
    )


def _freelancers_for(sops: QuerySet[SOP]) -> Q:
    tasks = SOP.tasks.through.objects.filter(sop__in=sops).values("task_id")
    skills = SOP.skills.through.objects.filter(sop__in=sops).values("skill_id")
    needing = TaskSkill.objects.filter(skill_id__in=skills).values("task_id")
    # Two id subqueries, each read through the engagements' task index: one OR-ed condition on
    # the task made the database read every engagement to test it.
    open_engagements = Engagement.objects.filter(state__in=OPEN)
    on_tasks = open_engagements.filter(task_id__in=tasks).values("freelancer_id")
    on_skills = open_engagements.filter(task_id__in=needing).values("freelancer_id")
    return Q(pk__in=on_tasks) | Q(pk__in=on_skills)


def connect() -> None:
    register_sop_audience(SopAudience("engagement_tasks", sops_for=_sops_for, freelancers_for=_freelancers_for))
    register_home_section("engagements/_portal_home.html", portal_section)


PORTAL_LIMIT = 10


def portal_section(request: WorkspaceRequest, freelancer: Freelancer) -> dict[str, Any]:
    """The freelancer's own open engagements (hours approved and waiting) and next milestones.

    Read through `scoped_queryset` (a freelancer sees only their engagements); two queries."""
    hours = {
        "approved_hours": Sum("time_entries__hours", filter=Q(time_entries__status=TimeEntry.Status.APPROVED)),
        "waiting_hours": Sum("time_entries__hours", filter=Q(time_entries__status=TimeEntry.Status.SUBMITTED)),
    }
    mine = scoped_queryset(request, Engagement).filter(freelancer=freelancer)
    engagements = list(
        mine.filter(state__in=OPEN)
        .select_related("task", "manager__user")
        .annotate(**hours)
        .order_by("state", "start_date", "id")[:PORTAL_LIMIT]
    )
    milestones = list(
        scoped_queryset(request, Milestone)
        .filter(
            engagement__freelancer=freelancer,
            engagement__state=Engagement.State.ACTIVE,
            status__in=(Milestone.Status.OPEN, Milestone.Status.RETURNED),
        )
        .select_related("engagement__task")
        .order_by("due_date", "id")[:PORTAL_LIMIT]
    )
    return {"engagements": engagements, "milestones": milestones, "today": server_today()}

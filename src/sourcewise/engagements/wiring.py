"""Engagements plugged into guidance at start-up (called from `EngagementsConfig.ready`).

An SOP applies to a freelancer also when it is attached to the task — or to a skill the task
needs — of one of their draft or active engagements: they see it in their portal, get the
email asking them to acknowledge it, and the SOP page lists them among who has not.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from sourcewise.engagements.models import Engagement
from sourcewise.guidance.models import SOP
from sourcewise.guidance.selectors import SopAudience, register_sop_audience
from sourcewise.talent.models import Freelancer

OPEN = (Engagement.State.DRAFT, Engagement.State.ACTIVE)


def _sops_for(freelancers: QuerySet[Freelancer]) -> Q:
    engaged = Engagement.objects.filter(freelancer__in=freelancers, state__in=OPEN)
    return Q(tasks__engagements__in=engaged) | Q(skills__task_needs__task__engagements__in=engaged)


def _freelancers_for(sops: QuerySet[SOP]) -> Q:
    engagements = Engagement.objects.filter(state__in=OPEN).filter(
        Q(task__sops__in=sops) | Q(task__skill_needs__skill__sops__in=sops)
    )
    return Q(engagements__in=engagements)


def connect() -> None:
    register_sop_audience(SopAudience("engagement_tasks", sops_for=_sops_for, freelancers_for=_freelancers_for))

"""Reads of the talent network, with their related rows loaded in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from sourcewise.talent.models import Freelancer, FreelancerSkill


def with_skills(freelancers: QuerySet[Freelancer]) -> QuerySet[Freelancer]:
    return freelancers.prefetch_related(
        Prefetch("skill_levels", FreelancerSkill.objects.select_related("skill").order_by("skill__name"))
    )

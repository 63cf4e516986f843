"""Reads of the talent network, with their related rows loaded in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from sourcewise.talent.models import Freelancer, FreelancerLanguage, FreelancerSkill


def with_skills(freelancers: QuerySet[Freelancer]) -> QuerySet[Freelancer]:
    return freelancers.prefetch_related(
        Prefetch("skill_levels", FreelancerSkill.objects.select_related("skill").order_by("skill__name"))
    )


def with_profile(freelancers: QuerySet[Freelancer]) -> QuerySet[Freelancer]:
    """Skills and languages: everything a profile card or the API shows."""
    return with_skills(freelancers).prefetch_related(
        Prefetch("languages", FreelancerLanguage.objects.order_by("language"))
    )


def with_vetting(freelancers: QuerySet[Freelancer]) -> QuerySet[Freelancer]:
    """Everything `vetting.vetting_state` reads, in five extra queries whatever the count."""
    return freelancers.select_related("workspace").prefetch_related("portfolio", "references", "interviews", "trials")

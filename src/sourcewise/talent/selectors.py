"""Reads of the talent network, with their related rows loaded in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet

from sourcewise.accounts.models import User
from sourcewise.talent.models import VETTED_STATUSES, Freelancer, FreelancerLanguage, FreelancerSkill, Skill
from sourcewise.talent.vetting import completed_trial_engagements
from sourcewise.workspaces.services import pending_invitations

if TYPE_CHECKING:
    from typing import TypedDict

    from django_stubs_ext import WithAnnotations

    from sourcewise.workspaces.models import Workspace

    class BenchDepth(TypedDict):
        depth: int

    SkillWithDepth = WithAnnotations[Skill, BenchDepth]


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
    """Everything `vetting.vetting_state` reads, in six extra queries whatever the count
    (the completed trial engagements land in `completed_trials`).

    The workspace is prefetched, not joined: every freelancer then shares one Workspace
    instance instead of building a copy per row (10,000 copies in a full refresh)."""

    return freelancers.prefetch_related(
        "workspace",
        "portfolio",
        "references",
        "interviews",
        "trials",
        Prefetch("engagements", completed_trial_engagements(), to_attr="completed_trials"),
    )


# The bench (SPEC G8): bench depth of a skill = approved or active freelancers who have it
# at ≥ the workspace's `bench_min_level` (default 3).


def with_bench_depth(skills: QuerySet[Skill], workspace: Workspace) -> QuerySet[SkillWithDepth]:
    """Annotate `depth` (bench depth) on each skill, in the same query."""
    depth = Count(
        "freelancer_levels",
        filter=Q(
            freelancer_levels__level__gte=workspace.bench_min_level,
            freelancer_levels__freelancer__status__in=VETTED_STATUSES,
        ),
        distinct=True,
    )
    return skills.annotate(depth=depth)


def bench_for(workspace: Workspace, skill_ids: Iterable[int]) -> dict[int, set[int]]:
    """{skill id: ids of the freelancers on its bench} for the given skills, in one query.

    Skills with an empty bench are absent."""
    rows = FreelancerSkill.objects.filter(
        skill_id__in=list(skill_ids),
        skill__workspace=workspace,
        level__gte=workspace.bench_min_level,
        freelancer__status__in=VETTED_STATUSES,
    ).values_list("skill_id", "freelancer_id")
    bench: dict[int, set[int]] = {}
    for skill_id, freelancer_id in rows:
        bench.setdefault(skill_id, set()).add(freelancer_id)
    return bench


def portal_status(freelancer: Freelancer) -> dict[str, Any]:
    """Where the freelancer stands with the portal: `linked` (with the login's address),
    `invited` (the pending invitation, to show its date) or `none`."""

    if freelancer.user_id is not None:
        email = User.objects.filter(pk=freelancer.user_id).values_list("email", flat=True).first()
        return {"state": "linked", "email": email}
    invitation = (
        pending_invitations(freelancer.workspace)
        .filter(
            Q(freelancer=freelancer) | Q(email__iexact=freelancer.email, role="freelancer", freelancer__isnull=True)
        )
        .order_by("-created_at")
        .first()
    )
    if invitation is not None:
        return {"state": "invited", "invitation": invitation}
    return {"state": "none"}

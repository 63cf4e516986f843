"""Reads of the talent network, with their related rows loaded in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import BooleanField, Count, Func, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

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


def with_vetting(freelancers: QuerySet[Freelancer], workspace: Workspace | None = None) -> QuerySet[Freelancer]:
    """Everything `vetting.vetting_state` reads, in six extra queries whatever the count
    (the completed trial engagements land in `completed_trials`); five when the caller
    gives the `workspace` they all belong to (the request's, already read).

    The workspace is prefetched, not joined: every freelancer then shares one Workspace
    instance instead of building a copy per row (10,000 copies in a full refresh)."""

    lookups: list[Any] = [
        "portfolio",
        "references",
        "interviews",
        "trials",
        Prefetch("engagements", completed_trial_engagements(), to_attr="completed_trials"),
    ]
    if workspace is None:
        lookups.insert(0, "workspace")
    return freelancers.prefetch_related(*lookups)


def share_workspace(freelancers: Iterable[Freelancer], workspace: Workspace) -> list[Freelancer]:
    """Give every freelancer (all of `workspace`) the same Workspace instance (see `with_vetting`)."""
    people = list(freelancers)
    for person in people:
        assert person.workspace_id == workspace.pk
        person.workspace = workspace
    return people


def board_firsts(freelancers: QuerySet[Freelancer], size: int) -> RawSQL:
    """`id IN (the first `size` of each status in (name, id) order)`: the vetting board's cards, one
    (workspace, status) index range per column joined by UNION ALL, read with the people themselves."""
    qn = connection.ops.quote_name
    parts = [
        freelancers.filter(status=status)
        .order_by("name", "pk")
        .values_list("pk", flat=True)[:size]
        .query.sql_with_params()
        for status in Freelancer.Status.values
    ]
    # The parts are Django's own compiled SQL with their parameters kept apart.
    union = " UNION ALL ".join(f"SELECT * FROM ({sql}) {qn(f'c{i}')}" for i, (sql, _) in enumerate(parts))  # noqa: S608
    column = f"{qn(Freelancer._meta.db_table)}.{qn('id')}"
    return RawSQL(f"{column} IN ({union})", [p for _, params in parts for p in params], output_field=BooleanField())  # noqa: S611


# The bench (SPEC G8): bench depth of a skill = approved or active freelancers who have it
# at ≥ the workspace's `bench_min_level` (default 3).


def _count_of(queryset: QuerySet[Any]) -> Coalesce:
    """A correlated COUNT(*) of `queryset` (already filtered on OuterRef), 0 when empty."""
    counted = queryset.order_by().values(one=Value(1)).annotate(n=Func(Value(1), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def bench_depth_filter(workspace: Workspace) -> Q:
    return Q(level__gte=workspace.bench_min_level, freelancer__status__in=VETTED_STATUSES)


def with_bench_depth(skills: QuerySet[Skill], workspace: Workspace) -> QuerySet[SkillWithDepth]:
    """Annotate `depth` (bench depth) on each skill: one correlated count per skill, read from
    FreelancerSkill's (skill, level, freelancer) index (no join multiplying the rows)."""
    depth = _count_of(FreelancerSkill.objects.filter(bench_depth_filter(workspace), skill=OuterRef("pk")))
    return skills.annotate(depth=depth)


def with_usage(skills: QuerySet[Skill], *, people: bool = True) -> QuerySet[Skill]:
    """Annotate `task_count` (tasks needing the skill) and, unless `people` is False, `people`
    (freelancers with it): one correlated count each, from indexes (no join of the two
    relations multiplying each other)."""
    task_need = Skill._meta.get_field("task_needs").related_model
    skills = skills.annotate(
        task_count=_count_of(task_need._default_manager.filter(skill=OuterRef("pk"))),
    )
    if people:
        skills = skills.annotate(people=_count_of(FreelancerSkill.objects.filter(skill=OuterRef("pk"))))
    return skills


def bench_depths(workspace: Workspace) -> dict[int, int]:
    """{skill id: bench depth} of every skill of the workspace with a bench, in one grouped query."""
    rows = (
        FreelancerSkill.objects.filter(bench_depth_filter(workspace), skill__workspace=workspace)
        .values("skill_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("skill_id", "n")
    )
    return dict(rows)


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

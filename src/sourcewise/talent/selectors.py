"""Reads of the talent network, with their related rows loaded in a fixed number of queries."""

from __future__ import annotations

import json
from collections.abc import Iterable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
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
    """{skill id: bench depth} of every skill of the workspace with a bench, in one grouped query
    driven by the vetted people ((workspace, status) index, then their skills' (freelancer, skill,
    level) index: no table row read)."""
    rows = (
        Freelancer.objects.filter(
            workspace=workspace, status__in=VETTED_STATUSES, skill_levels__level__gte=workspace.bench_min_level
        )
        .values("skill_levels__skill_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("skill_levels__skill_id", "n")
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


def _languages_json() -> RawSQL:
    """The freelancer's languages as a JSON array of [code, level], by code, read with the row."""
    table = FreelancerLanguage._meta.db_table
    outer = f"{connection.ops.quote_name(Freelancer._meta.db_table)}.id"
    if connection.vendor == "postgresql":
        sql = (
            "SELECT COALESCE(json_agg(json_build_array(l.language, l.level) ORDER BY l.language), '[]'::json)::text "  # noqa: S608
            f"FROM {table} l WHERE l.freelancer_id = {outer}"
        )
    else:
        sql = (
            "SELECT json_group_array(json_array(l.language, l.level)) FROM "  # noqa: S608
            f"(SELECT language, level FROM {table} WHERE freelancer_id = {outer} ORDER BY language) l"
        )
    return RawSQL(sql, [], output_field=TextField())  # noqa: S611


def with_profile_page(freelancers: QuerySet[Freelancer], workspace: Workspace) -> QuerySet[Freelancer]:
    """What a freelancer's profile page reads, in as few queries as a page allows (P6 ≤ 15): the
    skills and the vetting evidence prefetched, the languages and the portal status read with the
    row itself (`profile_loaded` puts them in place)."""
    invitations = (
        pending_invitations(workspace)
        .filter(
            Q(freelancer=OuterRef("pk"))
            | Q(email__iexact=OuterRef("email"), role="freelancer", freelancer__isnull=True)
        )
        .order_by("-created_at")
    )
    return with_vetting(with_skills(freelancers), workspace).annotate(
        languages_json=_languages_json(),
        portal_email=Subquery(User.objects.filter(pk=OuterRef("user_id")).values("email")[:1]),
        invitation_id=Subquery(invitations.values("pk")[:1]),
        invitation_email=Subquery(invitations.values("email")[:1]),
        invitation_created_at=Subquery(invitations.values("created_at")[:1]),
        invitation_expires_at=Subquery(invitations.values("expires_at")[:1]),
    )


def profile_loaded(freelancer: Freelancer, workspace: Workspace) -> Freelancer:
    """Put what `with_profile_page` read with the row where the page looks for it."""
    freelancer.workspace = workspace
    rows = json.loads(getattr(freelancer, "languages_json", None) or "[]")
    languages = FreelancerLanguage.objects.filter(freelancer=freelancer)
    languages._result_cache = [
        FreelancerLanguage(workspace_id=workspace.pk, freelancer=freelancer, language=code, level=level)
        for code, level in rows
    ]
    languages._prefetch_done = True  # type: ignore[attr-defined]
    freelancer._prefetched_objects_cache["languages"] = languages  # type: ignore[attr-defined]
    return freelancer


def portal_status(freelancer: Freelancer) -> dict[str, Any]:
    """Where the freelancer stands with the portal: `linked` (with the login's address),
    `invited` (the pending invitation, to show its date) or `none`."""

    annotated = hasattr(freelancer, "invitation_id")  # read with the row (with_profile_page)
    if freelancer.user_id is not None:
        if annotated:
            return {"state": "linked", "email": freelancer.portal_email}  # type: ignore[attr-defined]
        email = User.objects.filter(pk=freelancer.user_id).values_list("email", flat=True).first()
        return {"state": "linked", "email": email}
    if annotated:
        if freelancer.invitation_id is None:  # type: ignore[attr-defined]
            return {"state": "none"}
        invitation = SimpleNamespace(
            pk=freelancer.invitation_id,  # type: ignore[attr-defined]
            email=freelancer.invitation_email,  # type: ignore[attr-defined]
            created_at=freelancer.invitation_created_at,  # type: ignore[attr-defined]
            expires_at=freelancer.invitation_expires_at,  # type: ignore[attr-defined]
        )
        return {"state": "invited", "invitation": invitation}
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

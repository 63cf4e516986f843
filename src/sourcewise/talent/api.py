"""Talent network over the API: skills and freelancers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import EmailStr

from sourcewise.api.access import api_access
from sourcewise.api.pagination import PageParams, keyset_page
from sourcewise.api.schemas import Id, InputSchema, Page, path_id, responses
from sourcewise.core.access import INTERNAL, scoped_object, scoped_queryset
from sourcewise.core.schemas import CountryCode, SkillLevel, TimezoneName
from sourcewise.talent import services
from sourcewise.talent.models import Freelancer, Skill
from sourcewise.talent.selectors import with_skills

router = Router(tags=["talent"])


class SkillIn(InputSchema):
    name: str = Field(min_length=1, max_length=80)
    description: str = Field("", max_length=2000)


class SkillOut(Schema):
    id: int
    name: str
    description: str


class SkillLevelIn(InputSchema):
    skill_id: Id
    level: SkillLevel


class SkillLevelOut(Schema):
    skill_id: int
    skill: str
    level: int


class FreelancerIn(InputSchema):
    name: str = Field(min_length=1, max_length=150)
    email: EmailStr
    country: CountryCode
    timezone: TimezoneName
    skills: list[SkillLevelIn] = []


class FreelancerOut(Schema):
    id: int
    name: str
    email: str
    country: str
    timezone: str
    skills: list[SkillLevelOut]

    @staticmethod
    def resolve_skills(obj: Freelancer) -> list[dict[str, object]]:
        return [{"skill_id": fs.skill_id, "skill": fs.skill.name, "level": fs.level} for fs in obj.skill_levels.all()]


def _skill_levels(request: HttpRequest, levels: list[SkillLevelIn]) -> dict[Skill, int]:
    wanted = {item.skill_id: item.level for item in levels}
    skills = {s.pk: s for s in scoped_queryset(request, Skill).filter(pk__in=wanted)}
    missing = sorted(set(wanted) - set(skills))
    if missing:
        raise ValidationError({"skills": f"Unknown skill id(s) in this workspace: {missing}."})
    return {skills[pk]: level for pk, level in wanted.items()}


@router.get("/skills", response=responses(Page[SkillOut]), auth=api_access(INTERNAL))
def list_skills(request: HttpRequest, params: Query[PageParams]) -> dict[str, object]:
    return keyset_page(scoped_queryset(request, Skill), params.cursor, params.limit)


@router.post("/skills", response=responses(SkillOut, 201), auth=api_access(INTERNAL))
def create_skill(request: HttpRequest, payload: SkillIn) -> tuple[int, Skill]:
    skill = services.create_skill(workspace=request.workspace, actor=request.user, **payload.dict())  # type: ignore[attr-defined]
    return 201, skill


@router.get("/freelancers", response=responses(Page[FreelancerOut]), auth=api_access(INTERNAL))
def list_freelancers(request: HttpRequest, params: Query[PageParams]) -> dict[str, object]:
    queryset = with_skills(scoped_queryset(request, Freelancer))
    return keyset_page(queryset, params.cursor, params.limit)


@router.post("/freelancers", response=responses(FreelancerOut, 201), auth=api_access(INTERNAL))
def create_freelancer(request: HttpRequest, payload: FreelancerIn) -> tuple[int, Freelancer]:
    data = payload.dict(exclude={"skills"})
    freelancer = services.create_freelancer(
        workspace=request.workspace,
        actor=request.user,
        skills=_skill_levels(request, payload.skills),
        **data,  # type: ignore[attr-defined]
    )
    return 201, freelancer


@router.get(
    "/freelancers/{freelancer_id}",
    response=responses(FreelancerOut),
    auth=api_access(INTERNAL, {"freelancer_id": Freelancer}),
)
def get_freelancer(request: HttpRequest, freelancer_id: int = path_id()) -> Freelancer:
    return scoped_object(request, Freelancer, freelancer_id, with_skills(scoped_queryset(request, Freelancer)))


@router.put(
    "/freelancers/{freelancer_id}",
    response=responses(FreelancerOut),
    auth=api_access(INTERNAL, {"freelancer_id": Freelancer}),
)
def update_freelancer(request: HttpRequest, payload: FreelancerIn, freelancer_id: int = path_id()) -> Freelancer:
    freelancer = scoped_object(request, Freelancer, freelancer_id)
    services.update_freelancer(
        freelancer=freelancer,
        actor=request.user,
        skills=_skill_levels(request, payload.skills),
        **payload.dict(exclude={"skills"}),
    )
    return with_skills(scoped_queryset(request, Freelancer)).get(pk=freelancer.pk)

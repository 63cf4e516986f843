"""Tasks over the API."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from sourcewise.api.access import api_access
from sourcewise.api.pagination import PageParams, keyset_page
from sourcewise.api.schemas import Id, InputSchema, Page, path_id, responses
from sourcewise.core.access import INTERNAL, scoped_object, scoped_queryset
from sourcewise.core.schemas import SkillLevel
from sourcewise.talent.models import Skill
from sourcewise.tasks import services
from sourcewise.tasks.models import Task
from sourcewise.tasks.selectors import with_skills

router = Router(tags=["tasks"])


class SkillNeedIn(InputSchema):
    skill_id: Id
    level: SkillLevel


class SkillNeedOut(Schema):
    skill_id: int
    skill: str
    level: int


class TaskIn(InputSchema):
    name: str = Field(min_length=1, max_length=150)
    description: str = Field("", max_length=10000)
    skills: list[SkillNeedIn] = []


class TaskOut(Schema):
    id: int
    name: str
    description: str
    skills: list[SkillNeedOut]

    @staticmethod
    def resolve_skills(obj: Task) -> list[dict[str, object]]:
        return [{"skill_id": ts.skill_id, "skill": ts.skill.name, "level": ts.level} for ts in obj.skill_needs.all()]


def _needs(request: HttpRequest, needs: list[SkillNeedIn]) -> dict[Skill, int]:
    wanted = {item.skill_id: item.level for item in needs}
    skills = {s.pk: s for s in scoped_queryset(request, Skill).filter(pk__in=wanted)}
    missing = sorted(set(wanted) - set(skills))
    if missing:
        raise ValidationError({"skills": f"Unknown skill id(s) in this workspace: {missing}."})
    return {skills[pk]: level for pk, level in wanted.items()}


def _with_skills(request: HttpRequest):  # type: ignore[no-untyped-def]
    return with_skills(scoped_queryset(request, Task))


@router.get("/tasks", response=responses(Page[TaskOut]), auth=api_access(INTERNAL))
def list_tasks(request: HttpRequest, params: Query[PageParams]) -> dict[str, object]:
    return keyset_page(_with_skills(request), params.cursor, params.limit)


@router.post("/tasks", response=responses(TaskOut, 201), auth=api_access(INTERNAL))
def create_task(request: HttpRequest, payload: TaskIn) -> tuple[int, Task]:
    task = services.create_task(
        workspace=request.workspace,
        actor=request.user,  # type: ignore[attr-defined]
        skills=_needs(request, payload.skills),
        **payload.dict(exclude={"skills"}),
    )
    return 201, _with_skills(request).get(pk=task.pk)


@router.get("/tasks/{task_id}", response=responses(TaskOut), auth=api_access(INTERNAL, {"task_id": Task}))
def get_task(request: HttpRequest, task_id: int = path_id()) -> Task:
    return scoped_object(request, Task, task_id, _with_skills(request))


@router.put("/tasks/{task_id}", response=responses(TaskOut), auth=api_access(INTERNAL, {"task_id": Task}))
def update_task(request: HttpRequest, payload: TaskIn, task_id: int = path_id()) -> Task:
    task = scoped_object(request, Task, task_id)
    services.update_task(
        task=task, actor=request.user, skills=_needs(request, payload.skills), **payload.dict(exclude={"skills"})
    )
    return _with_skills(request).get(pk=task.pk)

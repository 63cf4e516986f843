"""Tasks, their core assessment, deliverables, templates and the advisor over the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from ninja import Field, Query, Router, Schema

from sourcewise.api.access import api_access
from sourcewise.api.pagination import PageParams, keyset_page
from sourcewise.api.schemas import Id, InputSchema, Page, path_id, responses
from sourcewise.core.access import INTERNAL
from sourcewise.core.http import WorkspaceRequest
from sourcewise.core.schemas import OptionalCurrencyCode, SkillLevel
from sourcewise.talent.models import Skill
from sourcewise.tasks import services
from sourcewise.tasks.advisor import advise
from sourcewise.tasks.models import MAX_HOURLY_COST, MAX_HOURS, Deliverable, Task
from sourcewise.tasks.selectors import active, outsourcing_map, with_advice_data
from sourcewise.tasks.task_templates import TEMPLATES
from sourcewise.workspaces.access import scoped_object, scoped_queryset

router = Router(tags=["tasks"])


class SkillNeedIn(InputSchema):
    skill_id: Id
    level: SkillLevel


class SkillNeedOut(Schema):
    skill_id: int
    skill: str
    level: int


class TaskIn(InputSchema):
    name: str = Field(min_length=1, max_length=150, pattern=r"\S")
    description: str = Field("", max_length=10000)
    skills: list[SkillNeedIn] = []
    frequency: Literal["recurring", "one_off"] = "recurring"
    hours: Decimal = Field(
        Decimal("0"), ge=0, le=MAX_HOURS, max_digits=7, decimal_places=2, description="Per month, or in total."
    )
    inhouse_hourly_cost: Decimal | None = Field(None, ge=0, le=MAX_HOURLY_COST, max_digits=10, decimal_places=2)
    inhouse_cost_currency: OptionalCurrencyCode = Field(None, description="ISO 4217; default the workspace currency.")
    sourcing: Literal["in_house", "outsource"] = "in_house"
    justification: str = Field("", max_length=10000)
    checkpoint_every_days: int | None = Field(None, ge=1, le=365)
    template: str | None = Field(
        None, max_length=40, description="Create only: a template key from GET /task-templates."
    )


class AssessmentIn(InputSchema):
    q_differentiates: bool | None = Field(None, description="Does it differentiate you to your customers?")
    q_proprietary: bool | None = Field(None, description="Does it need your proprietary know-how?")
    q_revenue_critical: bool | None = Field(None, description="Is it directly revenue-critical?")
    q_must_own: bool | None = Field(None, description="Is it a responsibility you must own (legal, key relations)?")
    core_choice: Literal["", "core", "non_core"] = Field(
        "", description="Your explicit classification; empty follows the suggestion (2+ yes = core)."
    )


class ReasonOut(Schema):
    code: str
    message: str
    blocking: bool


class AdviceOut(Schema):
    task_id: int
    verdict: Literal["outsource", "keep_in_house", "not_ready", "caution"]
    label: str
    core: bool
    suggested_core: bool | None
    ready: bool
    next_step: str
    reasons: list[ReasonOut]


class AssessmentOut(Schema):
    q_differentiates: bool | None
    q_proprietary: bool | None
    q_revenue_critical: bool | None
    q_must_own: bool | None
    core_choice: str
    suggested_core: bool | None
    core: bool


class DeliverableIn(InputSchema):
    name: str = Field(min_length=1, max_length=200, pattern=r"\S")
    acceptance_criteria: str = Field("", max_length=10000)


class DeliverableOut(Schema):
    id: int
    task_id: int
    name: str
    acceptance_criteria: str


class TaskOut(Schema):
    id: int
    name: str
    description: str
    skills: list[SkillNeedOut]
    frequency: str
    hours: Decimal
    monthly_hours: Decimal
    inhouse_hourly_cost: Decimal | None
    inhouse_cost_currency: str
    sourcing: str
    justification: str
    checkpoint_every_days: int | None
    archived: bool
    assessment: AssessmentOut
    deliverables: list[DeliverableOut]
    verdict: str

    @staticmethod
    def resolve_skills(obj: Task) -> list[dict[str, object]]:
        return [{"skill_id": ts.skill_id, "skill": ts.skill.name, "level": ts.level} for ts in obj.skill_needs.all()]

    @staticmethod
    def resolve_archived(obj: Task) -> bool:
        return obj.is_archived

    @staticmethod
    def resolve_assessment(obj: Task) -> dict[str, object]:
        return _assessment(obj)

    @staticmethod
    def resolve_deliverables(obj: Task) -> list[Deliverable]:
        return list(obj.deliverables.all())

    @staticmethod
    def resolve_verdict(obj: Task) -> str:
        return str(advise(obj, obj.workspace).verdict)


class TemplateDeliverableOut(Schema):
    name: str
    acceptance_criteria: str


class TemplateOut(Schema):
    key: str
    name: str
    description: str
    frequency: str
    hours: Decimal
    checkpoint_every_days: int
    deliverables: list[TemplateDeliverableOut]


class ApplyTemplateIn(InputSchema):
    template: str = Field(min_length=1, max_length=40, examples=["bookkeeping"])


class QuadrantOut(Schema):
    key: str
    title: str
    advice: str
    task_ids: list[int]


class MapOut(Schema):
    monthly_hours: Decimal
    outsourced_monthly_hours: Decimal
    outsourced_share_pct: Decimal | None
    share_max_pct: int
    over_limit: bool
    verdicts: dict[str, int]
    quadrants: list[QuadrantOut]


class ListFilters(Schema):
    archived: bool = Field(False, description="true lists archived tasks instead of active ones.")


def _assessment(task: Task) -> dict[str, object]:
    return {
        **task.answers(),
        "core_choice": task.core_choice,
        "suggested_core": task.suggested_core,
        "core": task.is_core,
    }


def _needs(request: WorkspaceRequest, needs: list[SkillNeedIn]) -> dict[Skill, int]:
    wanted = {item.skill_id: item.level for item in needs}
    skills = {s.pk: s for s in scoped_queryset(request, Skill).filter(pk__in=wanted)}
    missing = sorted(set(wanted) - set(skills))
    if missing:
        raise ValidationError({"skills": f"Unknown skill id(s) in this workspace: {missing}."})
    return {skills[pk]: level for pk, level in wanted.items()}


def _tasks(request: WorkspaceRequest) -> QuerySet[Task]:
    return with_advice_data(scoped_queryset(request, Task))


def _fields(payload: TaskIn) -> dict[str, Any]:
    fields = payload.dict(exclude={"skills", "template"})
    fields["inhouse_cost_currency"] = fields["inhouse_cost_currency"] or ""
    return fields


@router.get("/tasks", response=responses(Page[TaskOut]), auth=api_access(INTERNAL))
def list_tasks(request: WorkspaceRequest, params: Query[PageParams], filters: Query[ListFilters]) -> dict[str, object]:
    """Active tasks (or archived ones with `archived=true`), each with its verdict."""
    tasks = _tasks(request)
    tasks = tasks.filter(archived_at__isnull=not filters.archived)
    return keyset_page(tasks, params.cursor, params.limit)


@router.post("/tasks", response=responses(TaskOut, 201), auth=api_access(INTERNAL))
def create_task(request: WorkspaceRequest, payload: TaskIn) -> tuple[int, Task]:
    """Add a task; `template` prefills deliverables with acceptance criteria and a checkpoint cadence."""
    task = services.create_task(
        workspace=request.workspace,
        actor=request.user,
        skills=_needs(request, payload.skills),
        template=payload.template,
        **_fields(payload),
    )
    return 201, _tasks(request).get(pk=task.pk)


@router.get("/tasks/{task_id}", response=responses(TaskOut), auth=api_access(INTERNAL, {"task_id": Task}))
def get_task(request: WorkspaceRequest, task_id: int = path_id()) -> Task:
    return scoped_object(request, Task, task_id, _tasks(request))


@router.put("/tasks/{task_id}", response=responses(TaskOut), auth=api_access(INTERNAL, {"task_id": Task}))
def update_task(request: WorkspaceRequest, payload: TaskIn, task_id: int = path_id()) -> Task:
    """Replace the task's fields (the assessment and deliverables have their own operations)."""
    task = scoped_object(request, Task, task_id)
    if payload.template:
        raise ValidationError({"template": "Use POST /tasks/{id}/apply-template to add a template to a task."})
    services.update_task(task=task, actor=request.user, skills=_needs(request, payload.skills), **_fields(payload))
    return _tasks(request).get(pk=task.pk)


@router.post("/tasks/{task_id}/archive", response=responses(TaskOut), auth=api_access(INTERNAL, {"task_id": Task}))
def archive_task(request: WorkspaceRequest, task_id: int = path_id()) -> Task:
    """Archive a task: it leaves the advisor, the map and the findings; nothing is deleted."""
    task = scoped_object(request, Task, task_id)
    services.archive_task(task=task, actor=request.user)
    return _tasks(request).get(pk=task.pk)


@router.post("/tasks/{task_id}/restore", response=responses(TaskOut), auth=api_access(INTERNAL, {"task_id": Task}))
def restore_task(request: WorkspaceRequest, task_id: int = path_id()) -> Task:
    task = scoped_object(request, Task, task_id)
    services.restore_task(task=task, actor=request.user)
    return _tasks(request).get(pk=task.pk)


@router.get("/tasks/{task_id}/advice", response=responses(AdviceOut), auth=api_access(INTERNAL, {"task_id": Task}))
def task_advice(request: WorkspaceRequest, task_id: int = path_id()) -> dict[str, object]:
    """The advisor's verdict (outsource, keep_in_house, not_ready, caution) with every reason."""
    task = scoped_object(request, Task, task_id, _tasks(request))
    return advise(task, request.workspace).as_dict()


@router.get(
    "/tasks/{task_id}/assessment", response=responses(AssessmentOut), auth=api_access(INTERNAL, {"task_id": Task})
)
def get_assessment(request: WorkspaceRequest, task_id: int = path_id()) -> dict[str, object]:
    return _assessment(scoped_object(request, Task, task_id))


@router.put(
    "/tasks/{task_id}/assessment", response=responses(AssessmentOut), auth=api_access(INTERNAL, {"task_id": Task})
)
def put_assessment(request: WorkspaceRequest, payload: AssessmentIn, task_id: int = path_id()) -> dict[str, object]:
    """Answer the four core questions (null = not answered) and optionally classify explicitly."""
    task = scoped_object(request, Task, task_id)
    data = payload.dict()
    choice = data.pop("core_choice")
    services.assess_task(task=task, actor=request.user, answers=data, core_choice=choice)
    return _assessment(task)


@router.post(
    "/tasks/{task_id}/apply-template", response=responses(TaskOut), auth=api_access(INTERNAL, {"task_id": Task})
)
def apply_template(request: WorkspaceRequest, payload: ApplyTemplateIn, task_id: int = path_id()) -> Task:
    """Add a template's deliverables the task lacks, and its cadence if none is set."""
    task = scoped_object(request, Task, task_id)
    services.apply_template(task=task, actor=request.user, template=payload.template)
    return _tasks(request).get(pk=task.pk)


@router.get(
    "/tasks/{task_id}/deliverables",
    response=responses(Page[DeliverableOut]),
    auth=api_access(INTERNAL, {"task_id": Task}),
)
def list_deliverables(
    request: WorkspaceRequest, params: Query[PageParams], task_id: int = path_id()
) -> dict[str, object]:
    task = scoped_object(request, Task, task_id)
    return keyset_page(scoped_queryset(request, Deliverable).filter(task=task), params.cursor, params.limit)


@router.post(
    "/tasks/{task_id}/deliverables",
    response=responses(DeliverableOut, 201),
    auth=api_access(INTERNAL, {"task_id": Task}),
)
def create_deliverable(
    request: WorkspaceRequest, payload: DeliverableIn, task_id: int = path_id()
) -> tuple[int, Deliverable]:
    """Add a deliverable with its written acceptance criteria."""
    task = scoped_object(request, Task, task_id)
    return 201, services.add_deliverable(task=task, actor=request.user, **payload.dict())


@router.get(
    "/deliverables/{deliverable_id}",
    response=responses(DeliverableOut),
    auth=api_access(INTERNAL, {"deliverable_id": Deliverable}),
)
def get_deliverable(request: WorkspaceRequest, deliverable_id: int = path_id()) -> Deliverable:
    return scoped_object(request, Deliverable, deliverable_id)


@router.put(
    "/deliverables/{deliverable_id}",
    response=responses(DeliverableOut),
    auth=api_access(INTERNAL, {"deliverable_id": Deliverable}),
)
def update_deliverable(
    request: WorkspaceRequest, payload: DeliverableIn, deliverable_id: int = path_id()
) -> Deliverable:
    deliverable = scoped_object(request, Deliverable, deliverable_id)
    return services.update_deliverable(deliverable=deliverable, actor=request.user, **payload.dict())


@router.delete(
    "/deliverables/{deliverable_id}",
    response=responses(None, 204),
    auth=api_access(INTERNAL, {"deliverable_id": Deliverable}),
)
def delete_deliverable(request: WorkspaceRequest, deliverable_id: int = path_id()) -> tuple[int, None]:
    deliverable = scoped_object(request, Deliverable, deliverable_id)
    services.delete_deliverable(deliverable=deliverable, actor=request.user)
    return 204, None


@router.get("/task-templates", response=responses(list[TemplateOut]), auth=api_access(INTERNAL))
def list_templates(request: WorkspaceRequest) -> list[dict[str, object]]:
    """Starting points for common tasks (a fixed catalogue of a few entries, so not paginated)."""
    return [
        {
            "key": t.key,
            "name": t.name,
            "description": t.description,
            "frequency": t.frequency,
            "hours": t.hours,
            "checkpoint_every_days": t.checkpoint_every_days,
            "deliverables": [{"name": n, "acceptance_criteria": c} for n, c in t.deliverables],
        }
        for t in TEMPLATES.values()
    ]


@router.get("/outsourcing-map", response=responses(MapOut), auth=api_access(INTERNAL))
def get_outsourcing_map(request: WorkspaceRequest) -> dict[str, object]:
    """Active tasks by core/non-core × ready/not ready, and the outsourced share of monthly hours."""
    result = outsourcing_map(request.workspace, active(scoped_queryset(request, Task)))
    return {
        "monthly_hours": result.monthly_hours,
        "outsourced_monthly_hours": result.outsourced_monthly_hours,
        "outsourced_share_pct": None if result.share_pct is None else result.share_pct.quantize(Decimal("0.01")),
        "share_max_pct": result.share_max_pct,
        "over_limit": result.over_limit,
        "verdicts": result.verdict_counts(),
        "quadrants": [
            {"key": key, "title": title, "advice": hint, "task_ids": [e.task.pk for e in entries]}
            for key, title, hint, entries in result.quadrants()
        ],
    }

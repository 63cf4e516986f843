"""Writes of tasks and deliverables. Views, API, CSV import and CLI all call these."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sourcewise.audit.services import record, save_audited, snapshot
from sourcewise.talent.models import Skill
from sourcewise.talent.services import ensure_skills, with_new_skills
from sourcewise.tasks.models import CORE_QUESTION_FIELDS, Deliverable, Task, TaskSkill
from sourcewise.tasks.task_templates import TEMPLATES, TaskTemplate
from sourcewise.workspaces.models import Workspace

if TYPE_CHECKING:
    from sourcewise.accounts.models import User

# Fields a task form, the API or an import may set directly.
TASK_FIELDS = (
    "name",
    "description",
    "frequency",
    "hours",
    "inhouse_hourly_cost",
    "inhouse_cost_currency",
    "sourcing",
    "justification",
    "checkpoint_every_days",
)
ASSESSMENT_FIELDS = (*CORE_QUESTION_FIELDS, "core_choice")


def _check_fields(fields: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(f"Unknown task field(s): {', '.join(sorted(unknown))}.")


def _normalise(task: Task) -> None:
    if task.inhouse_cost_currency:
        task.inhouse_cost_currency = task.inhouse_cost_currency.strip().upper()
    elif task.inhouse_hourly_cost is not None:
        task.inhouse_cost_currency = task.workspace.base_currency
    if task.name:
        task.name = task.name.strip()


def _set_skill_needs(task: Task, needs: Mapping[Skill, int]) -> None:
    for skill, level in needs.items():
        if skill.workspace_id != task.workspace_id:
            raise ValidationError({"skills": f"Unknown skill {skill.name!r} in this workspace."})
        if not 1 <= int(level) <= 5:
            raise ValidationError({"skills": f"Level needed for {skill.name} must be 1 to 5."})
    TaskSkill.objects.filter(task=task).exclude(skill__in=list(needs)).delete()
    for skill, level in needs.items():
        TaskSkill.objects.update_or_create(task=task, skill=skill, defaults={"level": int(level)})


def _add_template_deliverables(task: Task, template: TaskTemplate, actor: User | None) -> None:
    existing = {name.lower() for name in Deliverable.objects.filter(task=task).values_list("name", flat=True)}
    for name, criteria in template.deliverables:
        if name.lower() in existing:
            continue
        deliverable = Deliverable(workspace_id=task.workspace_id, task=task, name=name, acceptance_criteria=criteria)
        save_audited(deliverable, actor=actor, action="deliverable.create")


def _template_needs(task: Task, template: TaskTemplate, actor: User | None) -> dict[Skill, int]:
    """The template's skills as the workspace's Skill rows (created when missing) with their levels."""
    skills = ensure_skills(workspace=task.workspace, actor=actor, names=[name for name, _ in template.skills])
    return {skill: level for skill, (_, level) in zip(skills, template.skills, strict=True)}


def get_template(key: str) -> TaskTemplate:
    try:
        return TEMPLATES[key]
    except KeyError:
        raise ValidationError(
            {"template": f"Unknown template {key!r}. Choose one of: {', '.join(TEMPLATES)}."}, code="invalid"
        ) from None


@transaction.atomic
def create_task(
    *,
    workspace: Workspace,
    actor: User | None,
    skills: Mapping[Skill, int] | None = None,
    template: str | None = None,
    new_skills: Mapping[str, int] | None = None,
    **fields: Any,
) -> Task:
    """A new task; with `template`, its deliverables, skills (and a cadence when none is given) come from the catalogue.

    `new_skills` ({name: level needed}) names skills created in the workspace when missing.
    A template's skills are linked at its levels unless a level was chosen for them here.
    """
    _check_fields(fields, TASK_FIELDS + ASSESSMENT_FIELDS)
    chosen = get_template(template) if template else None
    task = Task(workspace=workspace, **fields)
    if chosen and task.checkpoint_every_days is None:
        task.checkpoint_every_days = chosen.checkpoint_every_days
    _normalise(task)
    save_audited(task, actor=actor, action="task.create")
    needs = with_new_skills(workspace=workspace, actor=actor, levels=skills, new=new_skills)
    if chosen and chosen.skills:
        needs = {**_template_needs(task, chosen, actor), **(needs or {})}
    if needs:
        _set_skill_needs(task, needs)
    if chosen:
        _add_template_deliverables(task, chosen, actor)
    return task


@transaction.atomic
def update_task(
    *,
    task: Task,
    actor: User | None,
    skills: Mapping[Skill, int] | None = None,
    new_skills: Mapping[str, int] | None = None,
    **fields: Any,
) -> Task:
    _check_fields(fields, TASK_FIELDS + ASSESSMENT_FIELDS)
    if new_skills:
        current = {ts.skill: ts.level for ts in TaskSkill.objects.filter(task=task).select_related("skill")}
        base = skills if skills is not None else current
        skills = with_new_skills(workspace=task.workspace, actor=actor, levels=base, new=new_skills)
    before = snapshot(task, fields)
    for name, value in fields.items():
        setattr(task, name, value)
    _normalise(task)
    changed = list(fields)
    if "inhouse_cost_currency" not in changed and task.inhouse_cost_currency:
        changed.append("inhouse_cost_currency")
    save_audited(task, actor=actor, action="task.update", fields=[*changed, "updated_at"], before=before)
    if skills is not None:
        _set_skill_needs(task, skills)
    return task


@transaction.atomic
def assess_task(
    *, task: Task, actor: User | None, answers: Mapping[str, bool | None], core_choice: str | None = None
) -> Task:
    """Record the four answers of the core assessment and, optionally, the owner's explicit choice."""
    unknown = set(answers) - set(CORE_QUESTION_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown question(s): {', '.join(sorted(unknown))}.")
    fields: dict[str, Any] = dict(answers)
    if core_choice is not None:
        if core_choice not in Task.CoreChoice.values:
            raise ValidationError({"core_choice": "Choose core, non_core, or leave it empty to follow the suggestion."})
        fields["core_choice"] = core_choice
    before = snapshot(task, fields)
    for name, value in fields.items():
        setattr(task, name, value)
    save_audited(task, actor=actor, action="task.assess", fields=[*fields, "updated_at"], before=before)
    return task


@transaction.atomic
def archive_task(*, task: Task, actor: User | None) -> Task:
    if task.archived_at is None:
        before = snapshot(task, ["archived_at"])
        task.archived_at = timezone.now()
        save_audited(task, actor=actor, action="task.archive", fields=["archived_at", "updated_at"], before=before)
    return task


@transaction.atomic
def restore_task(*, task: Task, actor: User | None) -> Task:
    if task.archived_at is not None:
        before = snapshot(task, ["archived_at"])
        task.archived_at = None
        save_audited(task, actor=actor, action="task.restore", fields=["archived_at", "updated_at"], before=before)
    return task


@transaction.atomic
def apply_template(*, task: Task, actor: User | None, template: str) -> Task:
    """Add the template's deliverables the task lacks; set its cadence if none is set."""
    chosen = get_template(template)
    if task.checkpoint_every_days is None:
        update_task(task=task, actor=actor, checkpoint_every_days=chosen.checkpoint_every_days)
    if chosen.skills:  # the template's skills the task does not need yet, at the template's levels
        current = {ts.skill: ts.level for ts in TaskSkill.objects.filter(task=task).select_related("skill")}
        _set_skill_needs(task, {**_template_needs(task, chosen, actor), **current})
    _add_template_deliverables(task, chosen, actor)
    return task


@transaction.atomic
def add_deliverable(*, task: Task, actor: User | None, name: str, acceptance_criteria: str = "") -> Deliverable:
    deliverable = Deliverable(
        workspace_id=task.workspace_id, task=task, name=name.strip(), acceptance_criteria=acceptance_criteria.strip()
    )
    return save_audited(deliverable, actor=actor, action="deliverable.create")


@transaction.atomic
def update_deliverable(
    *, deliverable: Deliverable, actor: User | None, name: str, acceptance_criteria: str
) -> Deliverable:
    fields = {"name": name.strip(), "acceptance_criteria": acceptance_criteria.strip()}
    before = snapshot(deliverable, fields)
    for key, value in fields.items():
        setattr(deliverable, key, value)
    return save_audited(
        deliverable, actor=actor, action="deliverable.update", fields=[*fields, "updated_at"], before=before
    )


@transaction.atomic
def delete_deliverable(*, deliverable: Deliverable, actor: User | None) -> None:
    record(
        actor=actor,
        workspace=deliverable.workspace,
        action="deliverable.delete",
        target=deliverable,
        changes={"name": [deliverable.name, None]},
    )
    deliverable.delete()

"""Writes of tasks. Views, API and CLI all call these."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from sourcewise.core.services import save_audited, snapshot
from sourcewise.talent.models import Skill
from sourcewise.tasks.models import Task, TaskSkill
from sourcewise.workspaces.models import Workspace


def _set_skill_needs(task: Task, needs: Mapping[Skill, int]) -> None:
    for skill, level in needs.items():
        if skill.workspace_id != task.workspace_id:
            raise ValidationError({"skills": f"Unknown skill {skill.name!r} in this workspace."})
        if not 1 <= int(level) <= 5:
            raise ValidationError({"skills": f"Level needed for {skill.name} must be 1 to 5."})
    TaskSkill.objects.filter(task=task).exclude(skill__in=list(needs)).delete()
    for skill, level in needs.items():
        TaskSkill.objects.update_or_create(task=task, skill=skill, defaults={"level": int(level)})


@transaction.atomic
def create_task(*, workspace: Workspace, actor: Any, skills: Mapping[Skill, int] | None = None, **fields: Any) -> Task:
    task = Task(workspace=workspace, **fields)
    save_audited(task, actor=actor, action="task.create")
    if skills:
        _set_skill_needs(task, skills)
    return task


@transaction.atomic
def update_task(*, task: Task, actor: Any, skills: Mapping[Skill, int] | None = None, **fields: Any) -> Task:
    before = snapshot(task, fields)
    for name, value in fields.items():
        setattr(task, name, value)
    save_audited(task, actor=actor, action="task.update", fields=fields, before=before)
    if skills is not None:
        _set_skill_needs(task, skills)
    return task

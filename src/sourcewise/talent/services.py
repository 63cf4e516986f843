"""Writes of the talent network. Views, API and CLI all call these."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from sourcewise.audit.services import record
from sourcewise.core.services import save_audited, snapshot
from sourcewise.talent.models import Freelancer, FreelancerSkill, Skill
from sourcewise.workspaces.models import Workspace

FREELANCER_FIELDS = ("name", "email", "country", "timezone")


@transaction.atomic
def create_skill(*, workspace: Workspace, actor: Any, name: str, description: str = "") -> Skill:
    skill = Skill(workspace=workspace, name=name.strip(), description=description)
    return save_audited(skill, actor=actor, action="skill.create")


@transaction.atomic
def update_skill(*, skill: Skill, actor: Any, **fields: Any) -> Skill:
    before = snapshot(skill, fields)
    for name, value in fields.items():
        setattr(skill, name, value)
    return save_audited(skill, actor=actor, action="skill.update", fields=fields, before=before)


def _set_skill_levels(freelancer: Freelancer, levels: Mapping[Skill, int]) -> None:
    for skill in levels:
        if skill.workspace_id != freelancer.workspace_id:
            raise ValidationError({"skills": f"Unknown skill {skill.name!r} in this workspace."})
    FreelancerSkill.objects.filter(freelancer=freelancer).exclude(skill__in=list(levels)).delete()
    for skill, level in levels.items():
        if not 1 <= int(level) <= 5:
            raise ValidationError({"skills": f"Skill level for {skill.name} must be 1 to 5."})
        FreelancerSkill.objects.update_or_create(freelancer=freelancer, skill=skill, defaults={"level": int(level)})


@transaction.atomic
def create_freelancer(
    *, workspace: Workspace, actor: Any, skills: Mapping[Skill, int] | None = None, **fields: Any
) -> Freelancer:
    freelancer = Freelancer(workspace=workspace, **fields)
    save_audited(freelancer, actor=actor, action="freelancer.create")
    if skills:
        _set_skill_levels(freelancer, skills)
    return freelancer


@transaction.atomic
def update_freelancer(
    *, freelancer: Freelancer, actor: Any, skills: Mapping[Skill, int] | None = None, **fields: Any
) -> Freelancer:
    before = snapshot(freelancer, fields)
    for name, value in fields.items():
        setattr(freelancer, name, value)
    save_audited(freelancer, actor=actor, action="freelancer.update", fields=fields, before=before)
    if skills is not None:
        _set_skill_levels(freelancer, skills)
        record(
            actor=actor,
            workspace=freelancer.workspace,
            action="freelancer.skills",
            target=freelancer,
            changes={"skills": {s.name: lvl for s, lvl in skills.items()}},
        )
    return freelancer

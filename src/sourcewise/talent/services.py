"""Writes of the talent network. Views, API and CLI all call these."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from sourcewise.audit.services import record, save_audited, snapshot
from sourcewise.core.validators import validate_cefr, validate_language
from sourcewise.talent.models import (
    TRANSITIONS,
    Freelancer,
    FreelancerLanguage,
    FreelancerSkill,
    Interview,
    PortfolioItem,
    Reference,
    Skill,
    TrialTask,
)
from sourcewise.talent.vetting import vetting_state
from sourcewise.workspaces.models import Membership, Workspace
from sourcewise.workspaces.services import invite

if TYPE_CHECKING:
    from sourcewise.accounts.models import User

FREELANCER_FIELDS = (
    "name",
    "email",
    "country",
    "timezone",
    "work_start",
    "work_end",
    "work_days",
    "hourly_rate",
    "rate_currency",
    "availability_hours",
    "notes",
)


@transaction.atomic
def create_skill(*, workspace: Workspace, actor: User | None, name: str, description: str = "") -> Skill:
    skill = Skill(workspace=workspace, name=name.strip(), description=description)
    return save_audited(skill, actor=actor, action="skill.create")


@transaction.atomic
def ensure_skills(*, workspace: Workspace, actor: User | None, names: Iterable[str]) -> list[Skill]:
    """The workspace's skills of these names, creating the missing ones (audited like any new skill).

    Names match case-insensitively and are trimmed; an existing "Xero" is reused for "xero".
    Returns one skill per distinct name, in the order given.
    """
    wanted: dict[str, str] = {}
    for name in names:
        clean = " ".join(str(name).split())
        if clean:
            wanted.setdefault(skill_key(clean), clean)
    if not wanted:
        return []
    existing: dict[str, Skill] = {
        skill.name.lower(): skill
        for skill in Skill.objects.in_workspace(workspace)
        .annotate(lower_name=Lower("name"))
        .filter(lower_name__in=list(wanted))
    }
    skills: list[Skill] = []
    for key, name in wanted.items():
        skill: Skill | None = existing.get(key)
        if skill is None:
            try:
                with transaction.atomic():
                    skill = create_skill(workspace=workspace, actor=actor, name=name)
            except IntegrityError:  # created meanwhile by someone else: use theirs
                skill = Skill.objects.in_workspace(workspace).get(name__iexact=name)
        skills.append(skill)
    return skills


def with_new_skills(
    *, workspace: Workspace, actor: User | None, levels: Mapping[Skill, int] | None, new: Mapping[str, int] | None
) -> dict[Skill, int] | None:
    """`levels` plus the skills named in `new` (created when missing); a level chosen in `levels` wins."""
    if not new:
        return dict(levels) if levels is not None else None
    by_key = {skill_key(name): int(level) for name, level in new.items() if skill_key(name)}
    try:
        skills = ensure_skills(workspace=workspace, actor=actor, names=list(new))
    except ValidationError as exc:
        raise ValidationError({"new_skills": exc.messages}) from exc
    merged = dict(zip(skills, by_key.values(), strict=True))
    merged.update(levels or {})
    return merged


def skill_key(name: str) -> str:
    """How skill names compare: trimmed, inner spaces collapsed, case-insensitive."""
    return " ".join(str(name).split()).lower()


@transaction.atomic
def update_skill(*, skill: Skill, actor: User | None, **fields: Any) -> Skill:
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


def _set_languages(freelancer: Freelancer, languages: Mapping[str, str]) -> None:
    errors: list[str] = []
    clean: dict[str, str] = {}
    for code, level in languages.items():
        code = str(code).strip().lower()
        level = str(level).strip().upper()
        for validator, value in ((validate_language, code), (validate_cefr, level)):
            try:
                validator(value)
            except ValidationError as exc:
                errors.extend(exc.messages)
        clean[code] = level
    if errors:
        raise ValidationError({"languages": errors})
    FreelancerLanguage.objects.filter(freelancer=freelancer).exclude(language__in=list(clean)).delete()
    for code, level in clean.items():
        FreelancerLanguage.objects.update_or_create(
            freelancer=freelancer, language=code, defaults={"level": level, "workspace_id": freelancer.workspace_id}
        )


@transaction.atomic
def create_freelancer(
    *,
    workspace: Workspace,
    actor: User | None,
    skills: Mapping[Skill, int] | None = None,
    languages: Mapping[str, str] | None = None,
    new_skills: Mapping[str, int] | None = None,
    **fields: Any,
) -> Freelancer:
    """A new freelancer; `new_skills` ({name: level}) names skills to link, created in the workspace when missing."""
    freelancer = Freelancer(workspace=workspace, **fields)
    save_audited(freelancer, actor=actor, action="freelancer.create")
    skills = with_new_skills(workspace=workspace, actor=actor, levels=skills, new=new_skills)
    if skills:
        _set_skill_levels(freelancer, skills)
    if languages:
        _set_languages(freelancer, languages)
    return freelancer


@transaction.atomic
def update_freelancer(
    *,
    freelancer: Freelancer,
    actor: User | None,
    skills: Mapping[Skill, int] | None = None,
    languages: Mapping[str, str] | None = None,
    new_skills: Mapping[str, int] | None = None,
    **fields: Any,
) -> Freelancer:
    before = snapshot(freelancer, fields)
    if new_skills:
        current = {fs.skill: fs.level for fs in freelancer.skill_levels.select_related("skill")}
        base = skills if skills is not None else current
        skills = with_new_skills(workspace=freelancer.workspace, actor=actor, levels=base, new=new_skills)
    for name, value in fields.items():
        setattr(freelancer, name, value)
    save_audited(freelancer, actor=actor, action="freelancer.update", fields=fields, before=before)
    if languages is not None:
        _set_languages(freelancer, languages)
        record(
            actor=actor,
            workspace=freelancer.workspace,
            action="freelancer.languages",
            target=freelancer,
            changes={"languages": dict(languages)},
        )
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


# ---- vetting -------------------------------------------------------------------------


def _child(model: type[Any], freelancer: Freelancer, **fields: Any) -> Any:
    return model(workspace_id=freelancer.workspace_id, freelancer=freelancer, **fields)


@transaction.atomic
def add_portfolio_item(
    *,
    freelancer: Freelancer,
    actor: User | None,
    title: str,
    url: str = "",
    description: str = "",
    rating: int | None = None,
) -> PortfolioItem:
    item = _child(PortfolioItem, freelancer, title=title.strip(), url=url.strip(), description=description)
    if rating is not None:
        item.rating = rating
        item.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
        item.reviewed_at = timezone.now()
    return save_audited(item, actor=actor, action="portfolio.create")


@transaction.atomic
def review_portfolio_item(*, item: PortfolioItem, actor: User | None, rating: int) -> PortfolioItem:
    before = snapshot(item, ["rating"])
    item.rating = rating
    item.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    item.reviewed_at = timezone.now()
    return save_audited(
        item, actor=actor, action="portfolio.review", fields=["rating", "reviewed_by", "reviewed_at"], before=before
    )


@transaction.atomic
def add_reference(
    *, freelancer: Freelancer, actor: User | None, client_name: str, contact: str, rating: int, comment: str
) -> Reference:
    if not comment.strip():
        raise ValidationError({"comment": "Write down what the client said; a reference needs a comment."})
    reference = _child(
        Reference,
        freelancer,
        client_name=client_name.strip(),
        contact=contact.strip(),
        rating=rating,
        comment=comment.strip(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return save_audited(reference, actor=actor, action="reference.create")


@transaction.atomic
def record_interview(
    *,
    freelancer: Freelancer,
    actor: User | None,
    held_on: datetime.date,
    communication: int,
    culture_fit: int,
    notes: str = "",
) -> Interview:
    interview = _child(
        Interview,
        freelancer,
        held_on=held_on,
        communication=communication,
        culture_fit=culture_fit,
        notes=notes,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return save_audited(interview, actor=actor, action="interview.create")


@transaction.atomic
def record_trial(
    *,
    freelancer: Freelancer,
    actor: User | None,
    title: str,
    completed_on: datetime.date,
    rating: int,
    hours: Decimal | None = None,
    notes: str = "",
) -> TrialTask:
    trial = _child(
        TrialTask,
        freelancer,
        title=title.strip(),
        completed_on=completed_on,
        rating=rating,
        hours=hours,
        notes=notes,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return save_audited(trial, actor=actor, action="trial.create")


@transaction.atomic
def change_status(*, freelancer: Freelancer, actor: User | None, status: str) -> Freelancer:
    """Move a freelancer along the vetting pipeline. Approval needs every vetting step done."""
    # The freelancer's row only: a locked workspace row held every other write of the workspace.
    locked = Freelancer.objects.select_for_update(of=("self",)).select_related("workspace").get(pk=freelancer.pk)
    current = locked.status
    if status not in Freelancer.Status.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    if status == current:
        return locked
    if status not in TRANSITIONS[current]:
        allowed = ", ".join(Freelancer.Status(s).label for s in TRANSITIONS[current])
        raise ValidationError(
            {
                "status": f"A freelancer who is {Freelancer.Status(current).label.lower()} cannot move to "
                f"{Freelancer.Status(status).label.lower()}. Possible next steps: {allowed}."
            },
            code="transition",
        )
    if status == Freelancer.Status.APPROVED:
        state = vetting_state(locked)
        if not state.complete:
            raise ValidationError(
                [ValidationError(f"{step.label}: {step.detail}", code="vetting_step_missing") for step in state.missing]
            )
    locked.status = status
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=["status", "status_changed_at", "updated_at"])
    record(
        actor=actor,
        workspace=locked.workspace,
        action="freelancer.approve" if status == Freelancer.Status.APPROVED else "freelancer.status",
        target=locked,
        changes={"status": [current, status]},
    )
    freelancer.status = locked.status
    freelancer.status_changed_at = locked.status_changed_at
    return locked


def invite_to_portal(
    *, freelancer: Freelancer, actor: User | None, email: str = "", base_url: str | None = None
) -> tuple[Any, str]:
    """Invite a freelancer to the portal from their profile: the login that accepts is linked to it.

    The address defaults to the profile's. Owners and managers may both do it (a manager may
    invite freelancers, as on the team page); a profile already linked to a login is refused.
    Returns the invitation and its link (emailed after the commit).
    """

    workspace = freelancer.workspace
    return invite(
        workspace=workspace,
        inviter=actor,
        email=email.strip() or freelancer.email,
        role=Membership.Role.FREELANCER,
        freelancer=freelancer,
        base_url=base_url,
    )

"""An engagement from draft to its end: drafts, its manager, activate, complete, terminate, cancel.

Each write locks the engagement and checks who acts first (`guards.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from sourcewise.audit.services import save_audited, snapshot
from sourcewise.core.access import INTERNAL, OWNER
from sourcewise.engagements.guards import (
    can_assign_manager,
    locked_engagement,
    member_of,
    refresh_from,
    require_actor_manages,
    require_state,
)
from sourcewise.engagements.models import Engagement
from sourcewise.engagements.requirements import unmet_requirements
from sourcewise.talent.models import Freelancer
from sourcewise.tasks.models import Task
from sourcewise.workspaces.models import Membership, Workspace

if TYPE_CHECKING:
    from sourcewise.accounts.models import User


DRAFT_FIELDS = (
    "freelancer",
    "task",
    "manager",
    "kind",
    "billing",
    "rate",
    "currency",
    "budget_cap",
    "start_date",
    "end_date",
    "expected_monthly_saving",
)


def _check_same_workspace(workspace: Workspace, fields: dict[str, Any]) -> None:
    errors = {}
    for name, model in (("freelancer", Freelancer), ("task", Task), ("manager", Membership)):
        value = fields.get(name)
        if value is not None and (not isinstance(value, model) or value.workspace_id != workspace.pk):
            errors[name] = f"Unknown {name} in this workspace."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_draft(*, workspace: Workspace, actor: User | None, **fields: Any) -> Engagement:
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    _check_same_workspace(workspace, fields)
    member = member_of(actor, workspace.pk)
    if member is not None:
        if member.role not in INTERNAL:
            raise PermissionDenied("Only an owner or a manager can plan an engagement.")
        if member.role != OWNER:
            # A manager plans engagements for themself; handing one to someone else is an owner's call.
            if fields.get("manager") is None:
                fields["manager"] = member
            if not can_assign_manager(member, fields["manager"]):
                raise PermissionDenied(
                    "A manager plans engagements they manage themself; ask an owner to assign another."
                )
    engagement = Engagement(workspace=workspace, state=Engagement.State.DRAFT, **fields)
    return save_audited(engagement, actor=actor, action="engagement.create")


@transaction.atomic
def update_draft(*, engagement: Engagement, actor: User | None, **fields: Any) -> Engagement:
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    locked = locked_engagement(engagement)
    member = require_actor_manages(actor, locked)
    if member is not None and member.role != OWNER and "manager" in fields:
        if fields["manager"] is None:  # a manager's draft stays theirs
            fields["manager"] = member
        if not can_assign_manager(member, fields["manager"]):
            raise PermissionDenied("Only an owner can hand an engagement to another manager.")
    require_state(locked, Engagement.State.DRAFT, doing="edited (only a draft can change its terms)")
    _check_same_workspace(locked.workspace, fields)
    if "expected_monthly_saving" in fields:  # entered in the business's currency (the form says which)
        fields["expected_saving_currency"] = locked.workspace.base_currency
    before = snapshot(locked, fields)
    for name, value in fields.items():
        setattr(locked, name, value)
    save_audited(locked, actor=actor, action="engagement.update", fields=[*fields, "updated_at"], before=before)
    refresh_from(engagement, locked)
    return engagement


@transaction.atomic
def assign_manager(*, engagement: Engagement, actor: User | None, manager: Membership) -> Engagement:
    """Name the team member who runs a draft or active engagement (the fix of NO_MANAGER).

    Unlike `update_draft` this also works on an active engagement: a member removed from the
    team leaves theirs without a manager, and the work must not stop to fix that. Same rules
    as everywhere: the actor manages the engagement, and only an owner names someone else.
    """
    locked = locked_engagement(engagement)
    member = require_actor_manages(actor, locked)
    if member is not None and not can_assign_manager(member, manager):
        raise PermissionDenied("Only an owner can hand an engagement to another manager.")
    require_state(locked, Engagement.State.DRAFT, Engagement.State.ACTIVE, doing="given a manager")
    _check_same_workspace(locked.workspace, {"manager": manager})
    if manager.role not in INTERNAL:
        raise ValidationError({"manager": "The manager must be an owner or a manager of your team."})
    return _transition(engagement, locked, actor, "engagement.assign_manager", {"manager": manager})


def _transition(
    engagement: Engagement, locked: Engagement, actor: User | None, action: str, fields: dict[str, Any]
) -> Engagement:
    before = snapshot(locked, fields)
    for name, value in fields.items():
        setattr(locked, name, value)
    save_audited(locked, actor=actor, action=action, fields=[*fields, "updated_at"], before=before)
    refresh_from(engagement, locked)
    return engagement


@transaction.atomic
def activate(*, engagement: Engagement, actor: User | None) -> Engagement:
    """draft → active, when every registered activation requirement is met (all reasons listed)."""
    locked = locked_engagement(engagement)
    require_actor_manages(actor, locked)
    require_state(locked, Engagement.State.DRAFT, doing="activated")
    reasons = unmet_requirements(locked)
    if reasons:
        raise ValidationError([ValidationError(r, code="requirement") for r in reasons])
    return _transition(
        engagement,
        locked,
        actor,
        "engagement.activate",
        {"state": Engagement.State.ACTIVE, "activated_at": timezone.now()},
    )


@transaction.atomic
def complete(*, engagement: Engagement, actor: User | None, rating: int | None = None, note: str = "") -> Engagement:
    """active → completed. A trial needs its rating (1–5): it decides whether a full engagement may follow."""
    locked = locked_engagement(engagement)
    require_actor_manages(actor, locked)
    require_state(locked, Engagement.State.ACTIVE, doing="completed")
    fields: dict[str, Any] = {"state": Engagement.State.COMPLETED, "ended_at": timezone.now(), "completion_note": note}
    if locked.is_trial:
        if rating is None or not 1 <= int(rating) <= 5:
            raise ValidationError({"trial_rating": "Rate the trial from 1 to 5 to complete it."})
        fields["trial_rating"] = int(rating)
    elif rating is not None:
        raise ValidationError({"trial_rating": "Only a trial gets a rating; leave it empty."})
    return _transition(engagement, locked, actor, "engagement.complete", fields)


@transaction.atomic
def terminate(*, engagement: Engagement, actor: User | None, reason: str) -> Engagement:
    """active → terminated, with the reason written down."""
    locked = locked_engagement(engagement)
    require_actor_manages(actor, locked)
    require_state(locked, Engagement.State.ACTIVE, doing="terminated")
    if not reason.strip():
        raise ValidationError({"termination_reason": "Say why the engagement ends early."})
    return _transition(
        engagement,
        locked,
        actor,
        "engagement.terminate",
        {"state": Engagement.State.TERMINATED, "ended_at": timezone.now(), "termination_reason": reason.strip()},
    )


@transaction.atomic
def cancel(*, engagement: Engagement, actor: User | None) -> Engagement:
    """draft → cancelled (a plan that will not happen)."""
    locked = locked_engagement(engagement)
    require_actor_manages(actor, locked)
    require_state(locked, Engagement.State.DRAFT, doing="cancelled")
    return _transition(engagement, locked, actor, "engagement.cancel", {"state": Engagement.State.CANCELLED})

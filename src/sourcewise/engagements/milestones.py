"""Milestones of an engagement: add one, the freelancer submits the deliverable, the manager reviews it."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sourcewise.audit.services import save_audited, snapshot
from sourcewise.engagements.fees import work_changed
from sourcewise.engagements.guards import (
    locked_engagement,
    require_active,
    require_actor_manages,
    require_freelancer,
    require_manager,
)
from sourcewise.engagements.models import Engagement, Milestone
from sourcewise.workspaces.models import Membership

if TYPE_CHECKING:
    from sourcewise.accounts.models import User


@transaction.atomic
def add_milestone(
    *, engagement: Engagement, actor: User | None, title: str, acceptance_criteria: str, due_date: datetime.date
) -> Milestone:
    engagement = locked_engagement(engagement)
    require_actor_manages(actor, engagement)
    if engagement.state not in (Engagement.State.DRAFT, Engagement.State.ACTIVE):
        raise ValidationError("Milestones are planned on a draft or active engagement.", code="state")
    if not acceptance_criteria.strip():
        raise ValidationError({"acceptance_criteria": "Write down what must be true to accept the work."})
    milestone = Milestone(
        workspace_id=engagement.workspace_id,
        engagement=engagement,
        title=title,
        acceptance_criteria=acceptance_criteria,
        due_date=due_date,
    )
    save_audited(milestone, actor=actor, action="milestone.create")
    if not engagement.is_hourly and milestone.engagement.milestones.filter(status=Milestone.Status.ACCEPTED).exists():
        # A fixed price is shared equally between its milestones: a new one changes the share
        # (and so the fee) of those already accepted.
        work_changed(engagement.workspace, [engagement.pk], actor)
    return milestone


def _locked_milestone(milestone: Milestone) -> Milestone:
    return Milestone.objects.select_for_update().select_related("engagement__freelancer").get(pk=milestone.pk)


@transaction.atomic
def submit_deliverable(*, milestone: Milestone, membership: Membership, text: str, link: str = "") -> Milestone:
    """The freelancer hands in the work: open or sent back → submitted."""
    locked = _locked_milestone(milestone)
    require_freelancer(membership, locked.engagement)
    require_active(locked.engagement, "deliverables are submitted")
    if locked.status not in (Milestone.Status.OPEN, Milestone.Status.RETURNED):
        raise ValidationError(f"This milestone is {locked.get_status_display().lower()} already.", code="state")
    if not text.strip():
        raise ValidationError({"deliverable_text": "Describe what you deliver."})
    fields = {
        "status": Milestone.Status.SUBMITTED,
        "deliverable_text": text.strip(),
        "deliverable_link": link.strip(),
        "submitted_at": timezone.now(),
    }
    before = snapshot(locked, fields)
    for k, v in fields.items():
        setattr(locked, k, v)
    return save_audited(
        locked, actor=membership.user, action="milestone.submit", fields=[*fields, "updated_at"], before=before
    )


@transaction.atomic
def review_deliverable(*, milestone: Milestone, membership: Membership, accept: bool, note: str = "") -> Milestone:
    """The manager accepts the deliverable, or sends it back saying what must change."""
    locked = _locked_milestone(milestone)
    require_manager(membership, locked.engagement)
    if locked.status != Milestone.Status.SUBMITTED:
        raise ValidationError("Only a submitted deliverable can be accepted or sent back.", code="state")
    if not accept and not note.strip():
        raise ValidationError({"return_note": "Say what needs to change."})
    fields = {
        "status": Milestone.Status.ACCEPTED if accept else Milestone.Status.RETURNED,
        "return_note": "" if accept else note.strip(),
        "reviewed_at": timezone.now(),
        "reviewed_by": membership.user,
    }
    before = snapshot(locked, fields)
    for k, v in fields.items():
        setattr(locked, k, v)
    action = "milestone.accept" if accept else "milestone.return"
    save_audited(locked, actor=membership.user, action=action, fields=[*fields, "updated_at"], before=before)
    if accept:  # its fee is in the cost ledger before this transaction ends, or neither is
        work_changed(locked.engagement.workspace, [locked.engagement_id], membership.user)
    return locked

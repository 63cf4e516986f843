"""A freelancer leaving: the offboarding and one handover per active engagement of theirs."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from sourcewise.audit.services import record, save_audited, snapshot
from sourcewise.core.access import INTERNAL
from sourcewise.engagements.guards import (
    member_of,
    require_actor_manages,
)
from sourcewise.engagements.models import Engagement, Handover, Offboarding
from sourcewise.talent.models import Freelancer

if TYPE_CHECKING:
    from sourcewise.accounts.models import User


@transaction.atomic
def start_offboarding(
    *, freelancer: Freelancer, actor: User | None, reason: str = "", leaving_on: datetime.date | None = None
) -> Offboarding:
    """Mark a freelancer as leaving: one handover per active engagement of theirs."""
    locked = Freelancer.objects.select_for_update().get(pk=freelancer.pk)
    member = member_of(actor, locked.workspace_id)
    if member is not None and member.role not in INTERNAL:
        raise PermissionDenied("Only an owner or a manager can offboard a freelancer.")
    if Offboarding.objects.filter(freelancer=locked).exists():
        raise ValidationError(f"{locked} is already being offboarded.", code="duplicate")
    offboarding = save_audited(
        Offboarding(
            workspace_id=locked.workspace_id, freelancer=locked, reason=reason, leaving_on=leaving_on, started_by=actor
        ),
        actor=actor,
        action="offboarding.start",
    )
    engagements = list(Engagement.objects.filter(freelancer=locked, state=Engagement.State.ACTIVE).order_by("pk"))
    for engagement in engagements:
        save_audited(
            Handover(workspace_id=locked.workspace_id, offboarding=offboarding, engagement=engagement),
            actor=actor,
            action="handover.create",
        )
    if not engagements:  # nothing to hand over
        offboarding.status = Offboarding.Status.DONE
        offboarding.save(update_fields=["status", "updated_at"])
    return offboarding


@transaction.atomic
def update_handover(
    *, handover: Handover, actor: User | None, status: str, replacement: Freelancer | None = None, notes: str = ""
) -> Handover:
    locked = Handover.objects.select_for_update().select_related("engagement", "offboarding").get(pk=handover.pk)
    require_actor_manages(actor, locked.engagement)
    if status not in Handover.Status.values:
        raise ValidationError({"status": "Unknown handover status."})
    if replacement is not None and (
        replacement.workspace_id != locked.workspace_id or replacement.pk == locked.engagement.freelancer_id
    ):
        raise ValidationError({"replacement": "Choose another freelancer of this workspace."})
    if status != Handover.Status.OPEN and replacement is None:
        raise ValidationError({"replacement": "Choose the replacement first."})
    fields = {"status": status, "replacement": replacement, "notes": notes}
    before = snapshot(locked, fields)
    for k, v in fields.items():
        setattr(locked, k, v)
    save_audited(locked, actor=actor, action="handover.update", fields=[*fields, "updated_at"], before=before)
    offboarding = locked.offboarding
    all_done = not offboarding.handovers.exclude(status=Handover.Status.DONE).exists()
    new_status = Offboarding.Status.DONE if all_done else Offboarding.Status.IN_PROGRESS
    if offboarding.status != new_status:
        old_status = offboarding.status
        offboarding.status = new_status
        offboarding.save(update_fields=["status", "updated_at"])
        record(
            actor=actor,
            workspace=offboarding.workspace,
            action="offboarding.status",
            target=offboarding,
            changes={"status": [str(old_status), str(new_status)]},
        )
    return locked

"""Checkpoint reviews of an engagement: its manager rates quality, timeliness and communication."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from sourcewise.audit.services import save_audited
from sourcewise.core.dates import server_today
from sourcewise.engagements.guards import (
    require_active,
    require_manager,
)
from sourcewise.engagements.models import CheckpointReview, Engagement
from sourcewise.workspaces.models import Membership

if TYPE_CHECKING:
    pass


@transaction.atomic
def record_checkpoint(
    *,
    engagement: Engagement,
    membership: Membership,
    date: datetime.date,
    quality: int,
    timeliness: int,
    communication: int,
    notes: str = "",
) -> CheckpointReview:
    require_manager(membership, engagement)
    require_active(engagement, "checkpoints are recorded")
    if date < engagement.start_date:
        raise ValidationError({"date": "A checkpoint cannot be before the engagement starts."})
    if date > server_today() + datetime.timedelta(days=1):
        raise ValidationError({"date": "A checkpoint cannot be in the future."})
    review = CheckpointReview(
        workspace_id=engagement.workspace_id,
        engagement=engagement,
        reviewer=membership.user,
        date=date,
        quality=quality,
        timeliness=timeliness,
        communication=communication,
        notes=notes,
    )
    return save_audited(review, actor=membership.user, action="checkpoint.create")

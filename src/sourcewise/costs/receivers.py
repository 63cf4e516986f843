"""The costs app's reactions to events of the apps below it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sourcewise.costs import stamp
from sourcewise.costs.fee_posting import post_engagement_fees
from sourcewise.engagements.fees import fees_changed
from sourcewise.engagements.models import Engagement

if TYPE_CHECKING:
    from sourcewise.accounts.models import User
    from sourcewise.workspaces.models import Workspace


@receiver(fees_changed)
def post_fees_of_changed_work(
    sender: Any, *, workspace: Workspace, engagement_ids: list[int], actor: User | None, **_: Any
) -> None:
    """Approving hours or accepting a milestone posts the fee in the same transaction."""
    post_engagement_fees(workspace, engagement_ids, actor)


@receiver(post_save, sender=Engagement)
def engagement_saved(sender: Any, *, instance: Engagement, **_: Any) -> None:
    """An engagement's dates, state and expected saving make the reports' baseline: a stored
    report made before this save is out of date (bumped in the saver's transaction)."""
    stamp.bump(instance.workspace_id)


@receiver(post_delete, sender=Engagement)
def engagement_deleted(sender: Any, *, instance: Engagement, **_: Any) -> None:
    stamp.bump(instance.workspace_id, create=False)

"""The costs app's reactions to events of the apps below it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.dispatch import receiver

from sourcewise.costs.fee_posting import post_engagement_fees
from sourcewise.engagements.fees import fees_changed

if TYPE_CHECKING:
    from sourcewise.accounts.models import User
    from sourcewise.workspaces.models import Workspace


@receiver(fees_changed)
def post_fees_of_changed_work(
    sender: Any, *, workspace: Workspace, engagement_ids: list[int], actor: User | None, **_: Any
) -> None:
    """Approving hours or accepting a milestone posts the fee in the same transaction."""
    post_engagement_fees(workspace, engagement_ids, actor)

"""The costs app's reactions to events of the apps below it."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from sourcewise.costs.services import post_engagement_fees
from sourcewise.engagements.fees import fees_changed


@receiver(fees_changed)
def post_fees_of_changed_work(sender: Any, *, workspace: Any, engagement_ids: list[int], actor: Any, **_: Any) -> None:
    """Approving hours or accepting a milestone posts the fee in the same transaction."""
    post_engagement_fees(workspace, engagement_ids, actor)

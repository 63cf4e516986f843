"""What guidance requires before an engagement becomes active (G6): the freelancer has
acknowledged the current version of every SOP that applies to its task (attached to the
task or to a skill it needs). A new version needs a new acknowledgement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sourcewise.engagements.requirements import activation_requirement
from sourcewise.guidance.selectors import unacknowledged_sops

if TYPE_CHECKING:
    from sourcewise.engagements.models import Engagement


@activation_requirement
def sops_acknowledged(engagement: Engagement) -> list[str]:
    freelancer = engagement.freelancer
    return [
        f"{freelancer} has not acknowledged the SOP “{sop.title}” (version {sop.current_version.number}): "
        "ask them to read and confirm it in their portal."
        for sop in unacknowledged_sops(freelancer, engagement.task).order_by("title", "id")
        if sop.current_version is not None
    ]

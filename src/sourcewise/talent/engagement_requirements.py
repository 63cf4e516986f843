"""What the talent network requires before an engagement becomes active (G7).

Only an approved (or active) freelancer gets a full engagement; nobody rejected or gone
gets any — a trial is part of vetting, so a prospect or someone in vetting may do one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sourcewise.engagements.requirements import activation_requirement
from sourcewise.talent.models import VETTED_STATUSES, Freelancer

if TYPE_CHECKING:
    from sourcewise.engagements.models import Engagement

NEVER_ENGAGED = (Freelancer.Status.REJECTED, Freelancer.Status.LEFT)


@activation_requirement
def freelancer_is_vetted(engagement: Engagement) -> list[str]:
    freelancer = engagement.freelancer
    status = freelancer.get_status_display().lower()
    if freelancer.status in NEVER_ENGAGED:
        return [f"{freelancer} is {status}: choose another freelancer."]
    if not engagement.is_trial and freelancer.status not in VETTED_STATUSES:
        return [
            f"{freelancer} is {status}, not approved: only an approved freelancer gets a full engagement "
            "— finish their vetting (portfolio, references, interview, trial) and approve them first."
        ]
    return []

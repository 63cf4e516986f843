"""The activation requirements of the engagements app itself (G2 and G6).

Other apps add theirs in their own `engagement_requirements.py`.
"""

from __future__ import annotations

from decimal import Decimal

from sourcewise.core.access import INTERNAL
from sourcewise.engagements.models import Engagement
from sourcewise.engagements.requirements import activation_requirement
from sourcewise.engagements.selectors import has_good_trial, trial_days


@activation_requirement
def has_an_internal_manager(engagement: Engagement) -> list[str]:
    """G2: exactly one manager, and it is an owner or manager of this workspace."""
    manager = engagement.manager
    if manager is None:
        return ["No manager: choose the owner or manager of your team who will run this engagement."]
    if manager.workspace_id != engagement.workspace_id or manager.role not in INTERNAL:
        return [
            f"The manager {manager.user} is not an owner or manager of this workspace: "
            "outsourced work is managed by your own team, never by a freelancer."
        ]
    return []


@activation_requirement
def trial_is_small(engagement: Engagement) -> list[str]:
    """G6 start small: a trial stays within the workspace's hour and day limits.

    Hourly trial: the budget cap (hours) ≤ trial_max_hours. Fixed-price trial ("the
    equivalent fixed budget" of SPEC G6): the price (budget cap) ≤ trial_max_hours × rate,
    where the rate is the hourly rate the price is based on. Days count both ends
    (1–14 March is 14 days).
    """
    if not engagement.is_trial:
        return []
    ws = engagement.workspace
    reasons = []
    max_hours = Decimal(ws.trial_max_hours)
    if engagement.budget_cap is None:
        reasons.append("A trial needs a budget cap, so it stays small.")
    elif engagement.is_hourly and engagement.budget_cap > max_hours:
        reasons.append(
            f"A trial is at most {ws.trial_max_hours} hours; this one is capped at "
            f"{engagement.budget_cap.normalize():f} hours."
        )
    elif not engagement.is_hourly and engagement.budget_cap > max_hours * engagement.rate:
        reasons.append(
            f"A fixed-price trial may cost at most {ws.trial_max_hours} hours at the agreed rate "
            f"({max_hours * engagement.rate} {engagement.currency}); this one is {engagement.budget_cap} "
            f"{engagement.currency}."
        )
    days = trial_days(engagement)
    if days is None:
        reasons.append("A trial needs an end date.")
    elif days > ws.trial_max_days:
        reasons.append(f"A trial lasts at most {ws.trial_max_days} days; this one lasts {days} days.")
    return reasons


@activation_requirement
def full_engagement_follows_a_good_trial(engagement: Engagement) -> list[str]:
    """G6: a freelancer's first engagement in a workspace is a trial; full needs a good one."""
    if engagement.is_trial or has_good_trial(engagement.freelancer_id, engagement.workspace):
        return []
    return [
        f"{engagement.freelancer} has no completed trial rated {engagement.workspace.trial_min_rating} or more: "
        "start with a trial engagement."
    ]

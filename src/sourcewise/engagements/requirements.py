"""What must be true before an engagement becomes active.

A requirement is a function of the (locked, draft) engagement that returns the reasons
it is not met — an empty list when it is. `activate()` runs every requirement of
`REQUIREMENTS` and refuses with ALL the reasons at once, so the owner can fix everything
in one go. They read the apps below engagements (talent G7, tasks G1, guidance G6) and
the engagement itself (G2, G6); a new one is a function here added to `REQUIREMENTS`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from sourcewise.core.access import INTERNAL
from sourcewise.engagements.models import Engagement
from sourcewise.engagements.selectors import has_good_trial, trial_days
from sourcewise.guidance.selectors import unacknowledged_sops
from sourcewise.talent.models import VETTED_STATUSES, Freelancer
from sourcewise.tasks.advisor import outsourceable_gaps

Requirement = Callable[[Engagement], list[str]]

# G7: only an approved (or active) freelancer gets a full engagement; nobody rejected or gone
# gets any — a trial is part of vetting, so a prospect or someone in vetting may do one.
NEVER_ENGAGED = (Freelancer.Status.REJECTED, Freelancer.Status.LEFT)


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


# G1: the task is outsourceable — a deliverable with written acceptance criteria and a checkpoint
# cadence within the limit (the same readiness the advisor shows, `advisor.outsourceable_gaps`).
def task_is_outsourceable(engagement: Engagement) -> list[str]:
    task = engagement.task
    return [
        f"The task {task} is not ready to outsource: {gap.message}"
        for gap in outsourceable_gaps(task, engagement.workspace)
    ]


# G6: the freelancer has acknowledged the current version of every SOP that applies to the task
# (attached to the task or to a skill it needs). A new version needs a new acknowledgement.
def sops_acknowledged(engagement: Engagement) -> list[str]:
    freelancer = engagement.freelancer
    return [
        f"{freelancer} has not acknowledged the SOP “{sop.title}” (version {sop.current_version.number}): "
        "ask them to read and confirm it in their portal."
        for sop in unacknowledged_sops(freelancer, engagement.task).order_by("title", "id")
        if sop.current_version is not None
    ]


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


def full_engagement_follows_a_good_trial(engagement: Engagement) -> list[str]:
    """G6: a freelancer's first engagement in a workspace is a trial; full needs a good one."""
    if engagement.is_trial or has_good_trial(engagement.freelancer_id, engagement.workspace):
        return []
    return [
        f"{engagement.freelancer} has no completed trial rated {engagement.workspace.trial_min_rating} or more: "
        "start with a trial engagement."
    ]


REQUIREMENTS: tuple[Requirement, ...] = (
    freelancer_is_vetted,
    task_is_outsourceable,
    sops_acknowledged,
    has_an_internal_manager,
    trial_is_small,
    full_engagement_follows_a_good_trial,
)


def unmet_requirements(engagement: Engagement) -> list[str]:
    """Every reason the engagement cannot become active yet, in the order of `REQUIREMENTS`."""
    reasons: list[str] = []
    for requirement in REQUIREMENTS:
        reasons.extend(requirement(engagement))
    return reasons

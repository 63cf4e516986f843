"""The registry of what must be true before an engagement becomes active.

A requirement is a function of the (locked, draft) engagement that returns the reasons
it is not met — an empty list when it is. `activate()` runs every registered requirement
and refuses with ALL the reasons at once, so the owner can fix everything in one go.

Any app adds its own in a module named `engagement_requirements.py` (discovered at
start-up like `rules.py` for findings):

    from sourcewise.engagements.requirements import activation_requirement

    @activation_requirement
    def sops_acknowledged(engagement: Engagement) -> list[str]:
        return [] if ... else ["Maria has not acknowledged the SOP “Inbox rules” (version 3)."]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sourcewise.engagements.models import Engagement

Requirement = Callable[["Engagement"], list[str]]

_REQUIREMENTS: dict[str, Requirement] = {}


def activation_requirement(function: Requirement) -> Requirement:
    """Register `function(engagement) -> list[str]` (reasons it is not met)."""
    _REQUIREMENTS[f"{function.__module__}.{function.__qualname__}"] = function
    return function


def registered_requirements() -> list[tuple[str, Requirement]]:
    return list(_REQUIREMENTS.items())


def unregister(name: str) -> None:
    """For tests that register a temporary requirement."""
    _REQUIREMENTS.pop(name, None)


def unmet_requirements(engagement: Engagement) -> list[str]:
    """Every reason the engagement cannot become active yet, in registration order."""
    reasons: list[str] = []
    for _, requirement in registered_requirements():
        reasons.extend(requirement(engagement))
    return reasons

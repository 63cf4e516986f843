"""The work inside an engagement changed what it earned: fees are posted at once.

Approving hours or accepting a milestone (or adding one to a fixed-price engagement, which
changes every milestone's share of the price) calls `work_changed(...)` inside the same
transaction as the change. The costs app owns the fee rule and the ledger, and costs already
imports engagements (its models and selectors read engagements), so engagements must not
import costs: costs registers its poster here at start-up (`CostsConfig.ready` →
`costs/wiring.py`), the same pattern as activation requirements and SOP audiences.

A poster must be idempotent (re-posting an engagement whose fees are right changes nothing) and
must run in the caller's transaction, so a refusal or a crash rolls the fee back with the work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sourcewise.accounts.models import User
    from sourcewise.workspaces.models import Workspace

FeePoster = Callable[["Workspace", list[int], "User | None"], object]  # what it returns is not read

_POSTERS: dict[str, FeePoster] = {}


def register_fee_poster(function: FeePoster) -> FeePoster:
    """Register `function(workspace, engagement_ids, actor)`; called once per change, in its transaction."""
    _POSTERS[f"{function.__module__}.{function.__qualname__}"] = function
    return function


def registered_fee_posters() -> list[FeePoster]:
    return list(_POSTERS.values())


def work_changed(workspace: Workspace, engagement_ids: Iterable[int], actor: User | None) -> None:
    """Re-post the fees of these engagements (one call for all of them, however many)."""
    ids = sorted(set(engagement_ids))
    if not ids:
        return
    for poster in registered_fee_posters():
        poster(workspace, ids, actor)

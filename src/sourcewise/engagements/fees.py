"""The work inside an engagement changed what it earned: fees are posted at once.

Approving hours or accepting a milestone (or adding one to a fixed-price engagement, which
changes every milestone's share of the price) calls `work_changed(...)` inside the same
transaction as the change. It sends the `fees_changed` event; the costs app, which owns the
fee rule and the ledger and sits above engagements, posts the fees in its receiver
(`costs/receivers.py`).

A receiver must be idempotent (re-posting an engagement whose fees are right changes nothing)
and runs in the caller's transaction, so a refusal or a crash rolls the fee back with the work.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.dispatch import Signal

if TYPE_CHECKING:
    from sourcewise.accounts.models import User
    from sourcewise.workspaces.models import Workspace

# Arguments: workspace, engagement_ids (sorted list of int), actor (User | None).
fees_changed = Signal()


def work_changed(workspace: Workspace, engagement_ids: Iterable[int], actor: User | None) -> None:
    """Re-post the fees of these engagements (one event for all of them, however many)."""
    ids = sorted(set(engagement_ids))
    if not ids:
        return
    fees_changed.send(sender=work_changed, workspace=workspace, engagement_ids=ids, actor=actor)

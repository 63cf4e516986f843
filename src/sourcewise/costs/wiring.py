"""Costs plugged into engagements at start-up (called from `CostsConfig.ready`).

* Fees are posted the moment the work changes (hours approved, a milestone accepted or
  added): `engagements.fees.work_changed` calls `post_engagement_fees` in the same
  transaction, so "fees so far", TCO and savings agree on every page without a separate
  "Post fees" step. Engagements cannot import costs (costs imports engagements), hence the
  registry.
"""

from __future__ import annotations

from sourcewise.costs.services import post_engagement_fees
from sourcewise.engagements.fees import register_fee_poster


def connect() -> None:
    register_fee_poster(post_engagement_fees)

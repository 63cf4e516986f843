"""`{% ecb_notice workspace %}`: the age of the bundled ECB rates, where conversions are shown.

`{% freelancer_fair_pay freelancer on %}`: the freelancer page's fair-pay card (the profile
rate against each of their skills on `on`), rendered here so the talent app reads no money.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import template

from sourcewise.money.agreed_rates import freelancer_rate_context
from sourcewise.money.conversion import builtin_rates

register = template.Library()


@register.inclusion_tag("money/includes/ecb_notice.html")
def ecb_notice(workspace: Any, used: bool = True) -> dict[str, Any]:
    """The notice when the bundled history is old (`used=False`: the page used no ECB rate, say nothing)."""
    if workspace is None or not used:
        return {"builtin": None}
    builtin = builtin_rates(workspace.today())
    return {"builtin": builtin if builtin.freshness.stale else None}


@register.inclusion_tag("money/includes/freelancer_fair_pay.html", takes_context=True)
def freelancer_fair_pay(context: template.Context, freelancer: Any, on: datetime.date) -> dict[str, Any]:
    """The card with the page's own context (the reader's membership decides the owner-only links)."""
    values: dict[str, Any] = {str(key): value for key, value in context.flatten().items()}
    return {**values, "freelancer": freelancer, **freelancer_rate_context(freelancer, on)}

"""`{% ecb_notice workspace %}`: the age of the bundled ECB rates, where conversions are shown."""

from __future__ import annotations

from typing import Any

from django import template

from sourcewise.money.conversion import builtin_rates

register = template.Library()


@register.inclusion_tag("money/includes/ecb_notice.html")
def ecb_notice(workspace: Any, used: bool = True) -> dict[str, Any]:
    """The notice when the bundled history is old (`used=False`: the page used no ECB rate, say nothing)."""
    if workspace is None or not used:
        return {"builtin": None}
    builtin = builtin_rates(workspace.today())
    return {"builtin": builtin if builtin.freshness.stale else None}

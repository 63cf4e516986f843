"""Template filters of the cost pages: money to the cent, percentages, dictionary lookups."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def cents(amount: Any) -> str:
    """1234.5 → '1,234.50' (rounded for reading; the figures stay exact underneath)."""
    if amount is None or amount == "":
        return "—"
    return f"{Decimal(amount).quantize(Decimal('0.01'), ROUND_HALF_UP):,}"


@register.filter
def pct(value: Any) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value).quantize(Decimal('0.1'), ROUND_HALF_UP)} %"


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None

"""Every formula of SPEC G5 and the concentration of G8, in exact Decimal arithmetic.

    TCO              = Σ ledger amounts (converted to the workspace currency, each at the
                       rate valid on its date)
    in-house baseline = task monthly hours × in-house loaded hourly cost × months
    months           = days / 30 for a period of days (90 days = 3 months); 1 per calendar month
    actual saving    = baseline − TCO                        (same period)
    ROI              = (baseline − TCO) / TCO                (None when TCO is 0)
    expected saving  = expected monthly saving × months
    share            = spend of one freelancer / spend of all
    HHI              = Σ share² × 10 000                      (0 … 10 000)

Nothing is rounded here; rounding to the cent happens only when an amount is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TypeVar

ZERO = Decimal(0)
DAYS_PER_MONTH = Decimal(30)
HHI_SCALE = Decimal(10000)

K = TypeVar("K")


def tco(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, ZERO)


def months_in(days: int) -> Decimal:
    """A period of `days` in months of 30 days (exact: 90 days = 3)."""
    return Decimal(days) / DAYS_PER_MONTH


def baseline(monthly_hours: Decimal, hourly_cost: Decimal, months: Decimal) -> Decimal:
    """What the same work would cost in-house over `months`."""
    return monthly_hours * hourly_cost * months


def actual_saving(baseline_amount: Decimal, tco_amount: Decimal) -> Decimal:
    return baseline_amount - tco_amount


def roi(baseline_amount: Decimal, tco_amount: Decimal) -> Decimal | None:
    """(baseline − TCO) / TCO; None when nothing was spent (no return to measure)."""
    if tco_amount == 0:
        return None
    return (baseline_amount - tco_amount) / tco_amount


def expected_saving(monthly: Decimal, months: Decimal) -> Decimal:
    return monthly * months


def shortfall(actual: Decimal, expected: Decimal, threshold_pct: int) -> bool:
    """True when the actual saving is below `threshold_pct` % of the expected one (strictly)."""
    if expected <= 0:
        return False
    return actual * 100 < expected * threshold_pct


def shares(spend: Mapping[K, Decimal]) -> dict[K, Decimal]:
    """Each key's share of the total (0–1); empty when nothing was spent."""
    total = sum((v for v in spend.values() if v > 0), ZERO)
    if total == 0:
        return {}
    return {k: v / total for k, v in spend.items() if v > 0}


def hhi(spend: Mapping[K, Decimal]) -> Decimal:
    """Herfindahl–Hirschman index Σ share² × 10 000, computed as Σ s² × 10 000 / (Σ s)² (exact)."""
    positive = [v for v in spend.values() if v > 0]
    total = sum(positive, ZERO)
    if total == 0:
        return ZERO
    return sum((v * v for v in positive), ZERO) * HHI_SCALE / (total * total)


def percent(share: Decimal) -> Decimal:
    return share * 100

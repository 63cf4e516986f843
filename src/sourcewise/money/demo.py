"""Demo: six months of exchange rates and market benchmarks for Lumen Studio (GB, GBP).

Some (skill, country) pairs have benchmarks (every classification can be shown on the
fair-band page), some only a GB benchmark (the built-in estimate shows), and some none
(unknown). The figures are the fictional studio's own, for illustration.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sourcewise.money.models import ExchangeRate, RateBenchmark

if TYPE_CHECKING:
    from sourcewise.demo.builder import DemoContext  # the demo app runs these steps

RATE_SOURCE = "Studio bank statements (monthly average)"
# GBP per unit, six months ago → this month; the values drift a little from month to month.
RATES = {
    "EUR": ("0.8520", "0.8610"),
    "USD": ("0.7620", "0.7490"),
    "INR": ("0.00905", "0.00888"),
    "PHP": ("0.01335", "0.01310"),
    "ARS": ("0.000620", "0.000540"),
    "KES": ("0.00590", "0.00580"),
    "PLN": ("0.1990", "0.2010"),
    "NPR": ("0.00566", "0.00555"),
    "MXN": ("0.0410", "0.0405"),
    "UAH": ("0.01830", "0.01800"),
    "VND": ("0.0000300", "0.0000295"),
    "CAD": ("0.5520", "0.5460"),
    "GHS": ("0.0510", "0.0490"),
    "RON": ("0.1710", "0.1730"),
    "AUD": ("0.4960", "0.4910"),
}
SURVEY = "Lumen Studio rate survey 2026"
# (skill, country): (hourly rate, currency, source). Missing on purpose: webdev in UA,
# design in UA, video in MX and VN (estimated from GB), and illustration, ppc and
# strategy anywhere (no GB benchmark either: unknown).
# With the engagements demo the health report shows every G4 code: Daniel (video, MX,
# estimate) and Emily (copy and SEO, GB) below the market; Kwame (bookkeeping, GH:
# 15 USD ≈ 11.24 GBP against a market of 10.78 and a floor of 11.86) under the fair
# floor; Chloé (social, CA) above the home market; Ana (PPC, RO) without a benchmark.
BENCHMARKS = {
    ("webdev", "GB"): ("55.00", "GBP", SURVEY),
    ("webdev", "IN"): ("1800.00", "INR", SURVEY),
    ("webdev", "PL"): ("150.00", "PLN", SURVEY),
    ("design", "GB"): ("45.00", "GBP", SURVEY),
    ("design", "AR"): ("18.00", "USD", "Regional freelance platform report 2026"),
    ("copy", "GB"): ("40.00", "GBP", SURVEY),
    ("copy", "PT"): ("28.00", "EUR", SURVEY),
    ("copy", "CA"): ("60.00", "CAD", SURVEY),
    ("social", "CA"): ("38.00", "CAD", SURVEY),
    ("seo", "GB"): ("42.00", "GBP", SURVEY),
    ("seo", "IN"): ("1200.00", "INR", SURVEY),
    ("seo", "PT"): ("30.00", "EUR", SURVEY),
    ("seo", "AU"): ("95.00", "AUD", SURVEY),
    ("support", "GB"): ("16.00", "GBP", SURVEY),
    ("support", "PH"): ("450.00", "PHP", "Philippine BPO salary guide 2026"),
    ("social", "GB"): ("22.00", "GBP", SURVEY),
    ("social", "PH"): ("500.00", "PHP", "Philippine BPO salary guide 2026"),
    ("bookkeeping", "GB"): ("28.00", "GBP", SURVEY),
    ("bookkeeping", "KE"): ("1500.00", "KES", SURVEY),
    ("bookkeeping", "PH"): ("550.00", "PHP", "Philippine BPO salary guide 2026"),
    ("bookkeeping", "GH"): ("220.00", "GHS", SURVEY),
    ("video", "GB"): ("35.00", "GBP", SURVEY),
}


def _month_starts(today: datetime.date, count: int) -> list[datetime.date]:
    starts = []
    year, month = today.year, today.month
    for _ in range(count):
        starts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(starts)


def build(ctx: DemoContext) -> None:
    workspace = ctx.workspace
    months = _month_starts(ctx.today, 7)  # this month and the six before it
    steps = len(months) - 1
    rows = []
    for currency, (first, last) in RATES.items():
        start, end = Decimal(first), Decimal(last)
        for i, valid_from in enumerate(months):
            rate = start + (end - start) * Decimal(i) / Decimal(steps)
            rows.append(
                ExchangeRate(
                    workspace=workspace,
                    base_currency=workspace.base_currency,
                    currency=currency,
                    rate=rate.quantize(Decimal("0.000000000001")),
                    valid_from=valid_from,
                    source=RATE_SOURCE,
                )
            )
    ExchangeRate.objects.bulk_create(rows)
    as_of = months[0] + datetime.timedelta(days=14)
    benchmarks = []
    for (skill, country), (hourly_rate, currency, source) in BENCHMARKS.items():
        benchmarks.append(
            RateBenchmark(
                workspace=workspace,
                skill=ctx.skills[skill],
                country=country,
                hourly_rate=Decimal(hourly_rate),
                currency=currency,
                as_of=as_of,
                source=source,
            )
        )
    # A newer figure for web development in India: the latest one up to a date wins.
    benchmarks.append(
        RateBenchmark(
            workspace=workspace,
            skill=ctx.skills["webdev"],
            country="IN",
            hourly_rate=Decimal("2000.00"),
            currency="INR",
            as_of=months[3],
            source=SURVEY + " (update)",
        )
    )
    RateBenchmark.objects.bulk_create(benchmarks)
    ctx.extra["money"] = {"months": months}

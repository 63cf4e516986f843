"""The built-in estimate's figures: the World Bank's GDP price level ratio (US = 1).

`data/price_level_ratio.csv` ships with its attribution in `data/README.md`
(CC BY 4.0; the changes made are listed there). Values are read as text into
`Decimal`, exactly as published.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import pycountry

DATA_FILE = Path(__file__).resolve().parent / "data" / "price_level_ratio.csv"
SOURCE = (
    "World Bank, World Development Indicators: price level ratio of PPP conversion factor (GDP) "
    "to market exchange rate (PA.NUS.PPPC.RF), CC BY 4.0"
)
SOURCE_SHORT = "World Bank price level ratio (PA.NUS.PPPC.RF)"
# World Bank codes that ISO 3166-1 does not have.
SPECIAL_ALPHA3 = {"XKX": "XK"}  # Kosovo


@dataclass(frozen=True)
class PriceLevel:
    alpha2: str
    alpha3: str
    country: str
    year: int
    ratio: Decimal


def alpha2_of(alpha3: str) -> str | None:
    if alpha3 in SPECIAL_ALPHA3:
        return SPECIAL_ALPHA3[alpha3]
    country = pycountry.countries.get(alpha_3=alpha3)
    return country.alpha_2 if country is not None else None


def alpha3_of(alpha2: str) -> str | None:
    for alpha3, code in SPECIAL_ALPHA3.items():
        if code == alpha2.upper():
            return alpha3
    country = pycountry.countries.get(alpha_2=alpha2.upper())
    return country.alpha_3 if country is not None else None


@cache
def price_levels() -> dict[str, PriceLevel]:
    """Every row of the shipped table, by ISO 3166 alpha-2 code."""
    levels: dict[str, PriceLevel] = {}
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            alpha2 = alpha2_of(row["iso3"])
            if alpha2 is None:
                continue
            levels[alpha2] = PriceLevel(
                alpha2=alpha2,
                alpha3=row["iso3"],
                country=row["country"],
                year=int(row["year"]),
                ratio=Decimal(row["price_level_ratio"]),
            )
    return levels


def price_level(alpha2: str) -> PriceLevel | None:
    return price_levels().get(alpha2.upper())

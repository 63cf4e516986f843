"""What a country implies: its usual currency and its main time zone; the canonical zone list.

* Currency: `core/data/country_currency.csv`, derived once from ISO 4217 Table A.1 (its
  header says how). pycountry has currencies and countries but no link between them.
* Main time zone: the tz database's `zone.tab` (shipped by the tzdata package). Its rows
  for a country are in an order that "makes geographical sense, most populous first where
  that does not contradict it", so the first row is the main zone for most countries but
  not all (Brazil starts with Noronha, Australia with Lord Howe, Russia with Kaliningrad):
  MAIN_ZONE names the zone holding the capital and most people for those few.
* Zones offered in forms: the zones named in `zone1970.tab` and `zone.tab` plus UTC — one
  Region/City name per place, none of the backward aliases (`US/Pacific`, `Etc/GMT+5`,
  `Asia/Calcutta`). The validator still accepts every IANA name (`validate_timezone`), so a
  value stored before, or sent by the API, stays valid; only the menus are canonical.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
UTC = "UTC"

# Countries whose first zone.tab row is not their main zone (every other multi-zone
# country's first row is: US New York, CN Shanghai, MX Mexico City, ID Jakarta, …).
MAIN_ZONE = {
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "PS": "Asia/Hebron",
    "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv",
    "UZ": "Asia/Tashkent",
}


def _zone_table(name: str) -> list[tuple[list[str], str]]:
    """Rows of a tzdata table as (country codes, zone), in the file's order."""
    text = resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        columns = line.split("\t")
        rows.append((columns[0].split(","), columns[2]))
    return rows


@cache
def country_timezones() -> dict[str, str]:
    main: dict[str, str] = dict(MAIN_ZONE)
    for countries, zone in _zone_table("zone.tab"):
        for code in countries:
            main.setdefault(code, zone)
    return main


@cache
def country_currencies() -> dict[str, str]:
    with (DATA / "country_currency.csv").open(encoding="utf-8") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        return {row["country"]: row["currency"] for row in csv.DictReader(lines)}


def country_timezone(country: str) -> str | None:
    """The most populous time zone of `country` (ISO 3166 alpha-2), or None when unknown."""
    return country_timezones().get((country or "").strip().upper())


def country_currency(country: str) -> str | None:
    """The usual ISO 4217 currency of `country`, or None (unknown, or no universal currency)."""
    return country_currencies().get((country or "").strip().upper())


@cache
def canonical_timezones() -> tuple[str, ...]:
    names = {zone for table in ("zone1970.tab", "zone.tab") for _, zone in _zone_table(table)}
    return (*sorted(names), UTC)


@cache
def timezone_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """Canonical zones grouped by their region, for <optgroup>s: [("Europe", [("Europe/Berlin", "Berlin"), …]), …]."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in canonical_timezones():
        region, _, place = name.partition("/")
        if not place:
            groups.setdefault("Other", []).append((name, name))
        else:
            groups.setdefault(region, []).append((name, place.replace("_", " ").replace("/", " / ")))
    return sorted(groups.items(), key=lambda group: (group[0] == "Other", group[0]))

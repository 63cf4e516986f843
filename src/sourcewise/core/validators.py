"""Validation of countries, time zones, currencies and languages by their standard names.

Each validator raises a Django ValidationError whose message names the bad value and
shows a valid example, so forms, the API and imports all answer the same way.
"""

from __future__ import annotations

import zoneinfo
from functools import cache, lru_cache

import pycountry
from django.core.exceptions import ValidationError

from sourcewise.core.places import canonical_timezones

CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")


@cache
def timezone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in timezone_names():
        raise ValidationError(
            "Unknown time zone %(value)s. Use an IANA name such as Europe/Berlin or Asia/Kolkata.",
            code="unknown_timezone",
            params={"value": repr(value)},
        )


def validate_country(value: str) -> None:
    if not isinstance(value, str) or len(value) != 2 or pycountry.countries.get(alpha_2=value.upper()) is None:
        raise ValidationError(
            "Unknown country %(value)s. Use an ISO 3166 two-letter code such as DE, IN or BR.",
            code="unknown_country",
            params={"value": repr(value)},
        )


def validate_currency(value: str) -> None:
    if not isinstance(value, str) or len(value) != 3 or pycountry.currencies.get(alpha_3=value.upper()) is None:
        raise ValidationError(
            "Unknown currency %(value)s. Use an ISO 4217 code such as EUR, USD or INR.",
            code="unknown_currency",
            params={"value": repr(value)},
        )


def validate_language(value: str) -> None:
    if not isinstance(value, str) or len(value) != 2 or pycountry.languages.get(alpha_2=value.lower()) is None:
        raise ValidationError(
            "Unknown language %(value)s. Use an ISO 639-1 two-letter code such as en, es or hi.",
            code="unknown_language",
            params={"value": repr(value)},
        )


def validate_cefr(value: str) -> None:
    if value not in CEFR_LEVELS:
        raise ValidationError(
            "Unknown language level %(value)s. Use a CEFR level: A1, A2, B1, B2, C1 or C2.",
            code="unknown_cefr",
            params={"value": repr(value)},
        )


@lru_cache(maxsize=512)  # pycountry's lookup is slow; a refresh asks tens of thousands of times
def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code.upper()) if code else None
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


@lru_cache(maxsize=512)
def language_name(code: str) -> str:
    language = pycountry.languages.get(alpha_2=code.lower()) if code else None
    return language.name if language else code


@cache
def country_choices() -> list[tuple[str, str]]:
    return sorted(((c.alpha_2, country_name(c.alpha_2)) for c in pycountry.countries), key=lambda c: c[1])


@cache
def currency_choices() -> list[tuple[str, str]]:
    return sorted((c.alpha_3, f"{c.alpha_3} — {c.name}") for c in pycountry.currencies)


@cache
def language_choices() -> list[tuple[str, str]]:
    langs = [lang for lang in pycountry.languages if hasattr(lang, "alpha_2")]
    return sorted(((lang.alpha_2, lang.name) for lang in langs), key=lambda c: c[1])


@cache
def timezone_choices() -> list[tuple[str, str]]:
    """Canonical zone names (see core/places.py); validate_timezone accepts every IANA name."""

    return [(name, name) for name in canonical_timezones()]

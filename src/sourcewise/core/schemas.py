"""Pydantic field types that validate standard names the same way forms do."""

from __future__ import annotations

from typing import Annotated

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from pydantic import AfterValidator, BeforeValidator, Field

from sourcewise.core.validators import validate_country, validate_currency, validate_language, validate_timezone


def _pydantic(validator, normalise=str.strip):  # type: ignore[no-untyped-def]
    def check(value: str) -> str:
        value = normalise(value)
        try:
            validator(value)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None
        return value

    return check


CountryCode = Annotated[
    str, Field(examples=["IN"]), AfterValidator(_pydantic(validate_country, lambda v: v.strip().upper()))
]
CurrencyCode = Annotated[
    str, Field(examples=["EUR"]), AfterValidator(_pydantic(validate_currency, lambda v: v.strip().upper()))
]
LanguageCode = Annotated[
    str, Field(examples=["en"]), AfterValidator(_pydantic(validate_language, lambda v: v.strip().lower()))
]
TimezoneName = Annotated[str, Field(examples=["Asia/Kolkata"]), AfterValidator(_pydantic(validate_timezone))]
SkillLevel = Annotated[int, Field(ge=1, le=5)]


def _blank_as_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


# An optional code that a GET shows as "" when unset: "" sent back means unset too, so a GET
# representation can be PUT back unchanged.
OptionalCurrencyCode = Annotated[CurrencyCode | None, BeforeValidator(_blank_as_none)]

# The addresses the forms accept (Django's validator): the demo's example.com-style domains
# included, which pydantic's EmailStr refuses as "special-use".
EmailAddress = Annotated[
    str,
    Field(max_length=254, examples=["maria@example.com"], json_schema_extra={"format": "email"}),
    AfterValidator(_pydantic(validate_email)),
]

"""Pydantic field types that validate standard names the same way forms do."""

from __future__ import annotations

from typing import Annotated

from django.core.exceptions import ValidationError
from pydantic import AfterValidator, Field

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

"""Schemas shared by every API module: errors and cursor pages."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from ninja import Path, Schema
from pydantic import Field, field_validator

MAX_ID = 2**63 - 1
# Ids in bodies and paths: positive and inside a database integer, so a huge number is a
# clear 422 instead of a database overflow.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def path_id(description: str = "") -> Any:
    return Path(..., ge=1, le=MAX_ID, description=description)


def _reject_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("Text must not contain NUL characters.")
    if isinstance(value, list):
        for item in value:
            _reject_nul(item)
    return value


class InputSchema(Schema):
    """Base of every request body: text fields may not carry NUL characters (PostgreSQL refuses them)."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return _reject_nul(value)


T = TypeVar("T")


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    message: str
    code: str
    errors: list[FieldError] = []


class Page(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


ERROR_RESPONSES = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    503: ErrorOut,  # the database is busy (a large restore or import): retry after `Retry-After` seconds
}


def responses(ok: type | object, status: int = 200) -> dict[int, object]:
    """The response map of an operation: its success schema plus the shared errors."""
    return {status: ok, **ERROR_RESPONSES}

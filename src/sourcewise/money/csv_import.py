"""Money's CSV files: the wording of its messages and the parsers of its cells.

    for line, row in read_rows(upload, required=RATE_COLUMNS, wording=LINES, errors=errors):

Files are read by the shared `core.csvio.read_rows`; money's messages name lines
("Line 3: …"). The parsers below turn a cell's text into a value or raise `RowProblem`
with a message a person can act on. A refused file raises `CsvErrors` (the shared
`CsvImportError`, a ValidationError, so forms and the API show it as it is).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError

from sourcewise.core.csvio import MAX_BYTES, CsvImportError, Wording, positive_decimal

__all__ = [
    "LINES",
    "MAX_BYTES",
    "CsvErrors",
    "RowProblem",
    "check_with",
    "parse_date",
    "parse_decimal",
    "required_text",
]

LINES = Wording(
    noun="Line",
    too_large="The file is larger than {size}: split it into smaller files.",
    not_utf8="The file is not UTF-8 text: save it as 'CSV UTF-8' and try again.",
    empty="The file is empty. The first line must be: {first_line}",
    bad_header="The header line is not valid CSV ({problem}).",
    missing="Missing column(s) {missing}. The first line must name: {required}.",
    unknown="Unknown column(s) {unknown}. Allowed: {allowed}.",
    repeated="Repeated column(s) {repeated}.",
    too_many="{values} values but the header names {columns} columns.",
    bad_line="Not valid CSV ({problem}).",
)
CsvErrors = CsvImportError  # the name money's callers know


class RowProblem(ValueError):
    """One bad cell or row; the importer adds the line number."""


def required_text(row: dict[str, str], column: str) -> str:
    value = row.get(column, "")
    if not value:
        raise RowProblem(f"{column} is empty.")
    return value


def parse_decimal(row: dict[str, str], column: str, *, places: int, max_digits: int) -> Decimal:
    try:
        return positive_decimal(required_text(row, column), places=places, max_digits=max_digits)
    except ValueError as exc:
        raise RowProblem(f"{column} {exc}") from None


def parse_date(row: dict[str, str], column: str) -> datetime.date:
    text = required_text(row, column)
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise RowProblem(f"{column} {text!r} is not a date: use YYYY-MM-DD, e.g. 2026-03-01.") from None


def check_with(validator: object, value: str) -> str:
    try:
        validator(value)  # type: ignore[operator]
    except ValidationError as exc:
        raise RowProblem(" ".join(exc.messages)) from None
    return value

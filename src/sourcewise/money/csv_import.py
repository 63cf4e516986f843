"""Reading CSV files for all-or-nothing imports: every row checked first, errors by line.

    rows = read_csv(upload, required=("currency", "rate", "valid_from"), optional=("source",))

`read_csv` gives `(line_number, {column: text})` pairs; parsers below turn text into
values or raise `RowProblem` with a message a person can act on. `CsvErrors` carries
every problem of a file (a ValidationError, so forms and the API show it as it is).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO

from django.core.exceptions import ValidationError

MAX_BYTES = 5 * 1024 * 1024
MAX_ERRORS_SHOWN = 50


class RowProblem(ValueError):
    """One bad cell or row; the importer adds the line number."""


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


class CsvErrors(ValidationError):
    """A file with problems: nothing was imported."""

    def __init__(self, errors: list[RowError], *, total: int | None = None) -> None:
        self.row_errors = errors
        shown = [str(e) for e in errors[:MAX_ERRORS_SHOWN]]
        count = total if total is not None else len(errors)
        if count > len(shown):
            shown.append(f"… and {count - len(shown)} more problems.")
        super().__init__([ValidationError(m, code="csv_row") for m in shown])


def _text(source: bytes | str | IO[bytes] | IO[str]) -> str:
    if isinstance(source, str):
        data: bytes | str = source
    elif isinstance(source, bytes):
        data = source
    else:
        data = source.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise CsvErrors([RowError(0, "The file is larger than 5 MB: split it into smaller files.")])
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CsvErrors(
                [RowError(0, "The file is not UTF-8 text: save it as 'CSV UTF-8' and try again.")]
            ) from None
    if "\x00" in data:
        raise CsvErrors([RowError(0, "The file contains binary data: upload a CSV text file.")])
    return data.lstrip("\ufeff")


def read_csv(
    source: bytes | str | IO[bytes] | IO[str], *, required: Iterable[str], optional: Iterable[str] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV file with a header line; raises CsvErrors when the header is wrong."""
    required, optional = tuple(required), tuple(optional)
    reader = csv.reader(io.StringIO(_text(source), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise CsvErrors([RowError(1, f"The file is empty. The first line must be: {','.join(required)}")]) from None
    except csv.Error as exc:
        raise CsvErrors([RowError(1, f"The header line is not valid CSV ({exc}).")]) from None
    columns = [c.strip().lower() for c in header]
    missing = [c for c in required if c not in columns]
    if missing:
        raise CsvErrors(
            [RowError(1, f"Missing column(s) {', '.join(missing)}. The first line must name: {', '.join(required)}.")]
        )
    known = set(required) | set(optional)
    unknown = [c for c in columns if c and c not in known]
    if unknown:
        raise CsvErrors(
            [RowError(1, f"Unknown column(s) {', '.join(unknown)}. Allowed: {', '.join((*required, *optional))}.")]
        )
    line = 1
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(columns):
                yield line, {"__error__": f"{len(cells)} values but the header names {len(columns)} columns."}
                continue
            row = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(columns) if name}
            yield line, row
    except csv.Error as exc:
        raise CsvErrors([RowError(line + 1, f"Not valid CSV ({exc}).")]) from None


def required_text(row: dict[str, str], column: str) -> str:
    value = row.get(column, "")
    if not value:
        raise RowProblem(f"{column} is empty.")
    return value


def parse_decimal(row: dict[str, str], column: str, *, places: int, max_digits: int) -> Decimal:
    text = required_text(row, column).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise RowProblem(f"{column} {text!r} is not a number (use a dot for decimals, e.g. 12.50).") from None
    if not value.is_finite() or value <= 0:
        raise RowProblem(f"{column} {text!r} must be a number above zero.")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise RowProblem(f"{column} {text!r} has more than {places} decimal places.")
    if value >= Decimal(10) ** (max_digits - places):
        raise RowProblem(f"{column} {text!r} is too large.")
    return value


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

"""CSV in and out: the one reader, row error and writer every import and export uses.

Reading:

    for row, values in read_rows(upload, required=("name",), optional=COLUMNS):
        ...  # row: the number a spreadsheet shows (1 is the header); values: {column: text}

`read_rows` decodes UTF-8 (with or without a byte order mark), refuses binary data,
checks the header (missing, unknown and repeated columns; names are matched without
case and blank ones are ignored), skips blank rows (they still count, so row numbers
match the spreadsheet) and strips every value. A file with a size cap (`max_bytes`,
5 MB by default) is read whole; `max_bytes=None` streams a file of any size with flat
memory. Problems are `RowError`s; a refused file raises `CsvImportError` carrying all
of them. Importers check every row before writing and write in one transaction, so a
file is imported whole or not at all.

Each importer keeps the wording its users know (`Wording`): tasks and costs say
"row 3, column hours: …", money says "Line 3: …", freelancers "Row 3: …".

Writing: `write_rows(columns, rows)` gives CSV text line by line with every cell through
`safe_cell`, which neutralises spreadsheet formulas; `csv_response` streams those lines
as a download. Every export goes through both.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse

MAX_BYTES = 5 * 1024 * 1024
MAX_ERRORS_SHOWN = 50  # in `CsvImportError.messages`, what a page or the API shows

Source = IO[bytes] | IO[str] | bytes | str


@dataclass(frozen=True)
class RowError:
    """One problem of a CSV file: the row a spreadsheet shows (1 is the header, 0 the whole file),
    the column when one is at fault ("" otherwise) and what to fix."""

    row: int
    column: str
    message: str

    def describe(self, noun: str = "row") -> str:
        if self.row == 0:  # the whole file (its size, its encoding): no row to point at
            return self.message
        where = f"{noun} {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"

    def __str__(self) -> str:
        return self.describe()


@dataclass(frozen=True)
class Wording:
    """How one importer's messages read. Templates may use {size}, {problem}, {missing},
    {required}, {first_line}, {unknown}, {allowed}, {repeated}, {values} and {columns}."""

    noun: str = "row"  # what a message calls a row: "row 3, column hours: …"
    too_large: str = "The file is larger than {size}; split it into smaller files."
    not_utf8: str = "The file is not UTF-8 text. Save it as 'CSV UTF-8'."
    binary: str = "The file contains binary data: upload a CSV text file."
    empty: str = "The file is empty: it needs a header row."
    bad_header: str = "Not a readable CSV file ({problem})."
    missing: str = "Missing column(s): {missing}."
    unknown: str = "Unknown column(s): {unknown}. Allowed: {allowed}."
    repeated: str = "Repeated column(s): {repeated}."
    too_many: str = "{values} values for {columns} columns."
    bad_line: str = "Not a readable CSV line ({problem})."


ROWS = Wording()


class CsvImportError(ValidationError):
    """A refused file: nothing was imported.

    `errors` holds every `RowError`; `lines` each as text in the importer's wording;
    `messages` (a ValidationError's, so forms and the API show them as they are) the first
    MAX_ERRORS_SHOWN of them and how many more there are.
    """

    def __init__(self, errors: Sequence[RowError], *, wording: Wording = ROWS) -> None:
        self.errors = list(errors)
        self.lines = [error.describe(wording.noun) for error in self.errors]
        shown = self.lines[:MAX_ERRORS_SHOWN]
        if len(self.lines) > len(shown):
            shown.append(f"… and {len(self.lines) - len(shown)} more problems.")
        super().__init__([ValidationError(line, code="csv_row") for line in shown])

    def __str__(self) -> str:
        return "; ".join(self.lines[:20])


def _refuse(row: int, message: str, wording: Wording) -> CsvImportError:
    return CsvImportError([RowError(row, "", message)], wording=wording)


def _whole_text(source: Source, max_bytes: int, wording: Wording) -> Iterator[str]:
    """A capped file, read and checked whole: its lines."""
    data = source if isinstance(source, bytes | str) else source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _refuse(0, wording.too_large.format(size=f"{max_bytes // (1024 * 1024)} MB"), wording)
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _refuse(0, wording.not_utf8, wording) from None
    if "\x00" in data:
        raise _refuse(0, wording.binary, wording)
    return iter(io.StringIO(data.lstrip("\ufeff"), newline=""))


def _decoded(stream: IO[bytes]) -> IO[str]:
    return io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")


def _streamed_text(source: Source, wording: Wording) -> Iterator[str]:
    """A file of any size, line by line: checked as it is read."""
    if isinstance(source, bytes | str):
        return _whole_text(source, len(source), wording)
    text: Iterable[str] = source if isinstance(source, io.TextIOBase) else _decoded(source)  # type: ignore[arg-type]

    def lines() -> Iterator[str]:
        first = True
        for line in text:
            if first:
                line, first = line.lstrip("\ufeff"), False
            if "\x00" in line:
                raise _refuse(0, wording.binary, wording)
            yield line

    return lines()


def read_rows(
    source: Source,
    *,
    required: Iterable[str],
    optional: Iterable[str] = (),
    max_bytes: int | None = MAX_BYTES,
    wording: Wording = ROWS,
    errors: list[RowError] | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (row number, {column: stripped text}) for each non-blank data row.

    A wrong header, an unreadable file or line refuses the file (`CsvImportError`). A row with
    more values than columns is a `RowError`: appended to `errors` (the row is skipped) when
    the importer collects them there, else it refuses the file at once.
    """
    required = list(required)
    allowed = required + [c for c in optional if c not in required]
    reader = csv.reader(
        _whole_text(source, max_bytes, wording) if max_bytes is not None else _streamed_text(source, wording)
    )
    number = 1
    try:
        try:
            header = [name.strip().lower() for name in next(reader)]
        except StopIteration:
            empty = wording.empty.format(missing=", ".join(required), first_line=",".join(required))
            raise _refuse(1, empty, wording) from None
        except csv.Error as exc:
            raise _refuse(1, wording.bad_header.format(problem=exc), wording) from None
        _check_header(header, required, allowed, wording)
        named = [(i, name) for i, name in enumerate(header) if name]
        width = len(header)
        for number, values in enumerate(reader, start=2):
            if not "".join(values).strip():
                continue
            if len(values) > width:
                problem = RowError(number, "", wording.too_many.format(values=len(values), columns=width))
                if errors is None:
                    raise CsvImportError([problem], wording=wording)
                errors.append(problem)
                continue
            if len(values) < width:
                values += [""] * (width - len(values))
            yield number, {name: values[i].strip() for i, name in named}
    except csv.Error as exc:
        raise _refuse(number + 1, wording.bad_line.format(problem=exc), wording) from None
    except UnicodeDecodeError:
        raise _refuse(0, wording.not_utf8, wording) from None


def _check_header(header: list[str], required: list[str], allowed: list[str], wording: Wording) -> None:
    names = [name for name in header if name]
    missing = [c for c in required if c not in names]
    unknown = [name for name in names if name not in allowed]
    repeated = sorted({name for name in names if names.count(name) > 1})
    problems = []
    if missing:
        text = wording.missing.format(missing=", ".join(missing), required=", ".join(required))
        problems.append(RowError(1, "", text))
    if unknown:
        text = wording.unknown.format(unknown=", ".join(unknown), allowed=", ".join(allowed))
        problems.append(RowError(1, "", text))
    if repeated:
        problems.append(RowError(1, "", wording.repeated.format(repeated=", ".join(repeated))))
    if problems:
        raise CsvImportError(problems, wording=wording)


# -- writing -------------------------------------------------------------------------------


def write_rows(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """CSV text line by line (header first, every cell through `safe_cell`), for a download or a file."""
    buffer = io.StringIO()
    # The writer quotes a cell only when it holds a character of its line terminator: with
    # "\r\n" a cell holding a lone CR is quoted too (with "\n" it broke the line). Lines
    # still end with "\n".
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    yield buffer.getvalue()[:-2] + "\n"
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(v) for v in row])
        yield buffer.getvalue()[:-2] + "\n"


def csv_response(lines: Iterable[str], filename: str) -> StreamingHttpResponse:
    """A download of `write_rows` lines, streamed (memory stays flat for a big export)."""
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


FORMULA_STARTS = "=+-@\t\r"


def safe_cell(value: Any) -> str:
    """One exported CSV cell, with spreadsheet formulas neutralised (CSV injection).

    Text starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
    apostrophe, so a spreadsheet shows it as text instead of running it; plain numbers
    such as `-12.50` stay numbers. Every CSV export goes through this function.
    """
    if value is None:
        return ""
    text = str(value)
    if text and text[0] in FORMULA_STARTS and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    if text != text.strip():  # float() ignores a leading tab or CR; a spreadsheet may not
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


def positive_decimal(text: str, *, places: int, max_digits: int) -> Decimal:
    """A positive number typed in a CSV cell ("1_000.50"; "1,000.50" when the caller drops the commas).

    At most `places` decimals and fewer than `max_digits` digits in all, as the column stores it.
    Raises ValueError whose message quotes the cell; the importer adds the row and column."""
    text = text.strip().replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number (use a dot for decimals, e.g. 12.50).") from None
    if not value.is_finite() or value <= 0:
        raise ValueError(f"{text!r} must be a number above zero.")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise ValueError(f"{text!r} has more than {places} decimal places.")
    if value >= Decimal(10) ** (max_digits - places):
        raise ValueError(f"{text!r} is too large.")
    return value

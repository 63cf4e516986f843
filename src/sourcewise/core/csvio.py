"""CSV import and export helpers shared by the domain apps.

Reading: `read_rows(file, required=..., optional=...)` checks the header and yields
`(row_number, {column: text})` where row 1 is the header, so errors name the line a
spreadsheet shows. Importers collect `RowError`s and raise `CsvImportError` with all
of them; they write inside one transaction, so a file is imported whole or not at all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class RowError:
    row: int  # 1 is the header line
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class CsvImportError(Exception):
    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors[:20]))


def _text(file: IO[Any] | bytes | str) -> io.StringIO:
    if isinstance(file, str):
        return io.StringIO(file)
    raw = file if isinstance(file, bytes) else file.read(MAX_BYTES + 1)
    if isinstance(raw, str):
        return io.StringIO(raw)
    if len(raw) > MAX_BYTES:
        raise CsvImportError([RowError(0, "", "The file is larger than 5 MB; split it into smaller files.")])
    try:
        return io.StringIO(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise CsvImportError([RowError(0, "", "The file is not UTF-8 text. Save it as 'CSV UTF-8'.")]) from None


def read_rows(
    file: IO[Any] | bytes | str, *, required: Iterable[str], optional: Iterable[str] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (row number, values) for each non-empty data row; refuse unknown or missing columns."""
    required = list(required)
    optional = [c for c in optional if c not in required]
    reader = csv.reader(_text(file))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise CsvImportError([RowError(1, "", "The file is empty: it needs a header row.")]) from None
    except csv.Error as exc:
        raise CsvImportError([RowError(1, "", f"Not a readable CSV file ({exc}).")]) from None
    missing = [c for c in required if c not in header]
    unknown = [h for h in header if h not in required and h not in optional]
    dupes = sorted({h for h in header if header.count(h) > 1})
    problems = []
    if missing:
        problems.append(RowError(1, "", f"Missing column(s): {', '.join(missing)}."))
    if unknown:
        problems.append(
            RowError(1, "", f"Unknown column(s): {', '.join(unknown)}. Allowed: {', '.join(required + optional)}.")
        )
    if dupes:
        problems.append(RowError(1, "", f"Repeated column(s): {', '.join(dupes)}."))
    if problems:
        raise CsvImportError(problems)
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header):
                raise CsvImportError([RowError(number, "", f"{len(values)} values for {len(header)} columns.")])
            padded = values + [""] * (len(header) - len(values))
            yield number, {h: v.strip() for h, v in zip(header, padded, strict=True)}
    except csv.Error as exc:
        raise CsvImportError([RowError(reader.line_num, "", f"Not a readable CSV line ({exc}).")]) from None


def write_rows(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """CSV text line by line (header first), for a streaming download or a file."""
    buffer = io.StringIO()
    # The writer quotes a cell only when it holds a character of its line terminator: with
    # "\r\n" a cell holding a lone CR is quoted too (with "\n" it broke the line). Lines
    # still end with "\n", as they always did.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    yield buffer.getvalue()[:-2] + "\n"
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(v) for v in row])
        yield buffer.getvalue()[:-2] + "\n"


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

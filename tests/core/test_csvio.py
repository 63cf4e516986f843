"""The shared CSV reader, row error and writer (core.csvio) that every import and export uses."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sourcewise.core.csvio import (
    FORMULA_STARTS,
    MAX_ERRORS_SHOWN,
    CsvImportError,
    RowError,
    Wording,
    csv_response,
    positive_decimal,
    read_rows,
    safe_cell,
    write_rows,
)

LINES = Wording(noun="Line", missing="Missing column(s) {missing}. The first line must name: {required}.")


def rows(source, **options):
    options.setdefault("required", ("name",))
    options.setdefault("optional", ("hours", "notes"))
    return list(read_rows(source, **options))


def refusal(source, **options) -> CsvImportError:
    with pytest.raises(CsvImportError) as caught:
        rows(source, **options)
    return caught.value


# -- reading ---------------------------------------------------------------------------------


def test_rows_are_numbered_as_a_spreadsheet_shows_them():
    text = 'name,notes\nA,one\n\n , \nB,"two\nlines"\nC,three\n'
    assert rows(text) == [
        (2, {"name": "A", "notes": "one"}),
        (5, {"name": "B", "notes": "two\nlines"}),  # blank rows 3 and 4 are skipped but counted
        (6, {"name": "C", "notes": "three"}),
    ]


def test_header_names_match_without_case_or_spaces_and_values_are_stripped():
    assert rows(b" Name ,HOURS\n  Ada , 3 \n") == [(2, {"name": "Ada", "hours": "3"})]


def test_short_rows_are_padded_and_blank_header_names_ignored():
    assert rows("name,,hours,\nAda\n") == [(2, {"name": "Ada", "hours": ""})]


@pytest.mark.parametrize(
    "data",
    [b"\xef\xbb\xbfname\nAda\n", "\ufeffname\nAda\n", b"\xef\xbb\xbf\xef\xbb\xbfname\nAda\n"],
    ids=["bytes with a BOM", "text with a BOM", "two BOMs"],
)
def test_a_byte_order_mark_is_not_part_of_the_first_column(data):
    assert rows(data) == [(2, {"name": "Ada"})]


def test_cr_only_line_ends_are_lines():
    assert rows(b"name,hours\rAda,1\rBo,2\r") == [(2, {"name": "Ada", "hours": "1"}), (3, {"name": "Bo", "hours": "2"})]


def test_an_open_binary_or_text_file_is_read():
    assert rows(io.BytesIO(b"name\nAda\n")) == rows(io.StringIO("name\nAda\n")) == [(2, {"name": "Ada"})]


def test_every_header_problem_is_listed_at_once_on_row_1():
    refused = refusal("notes,colour,notes,size\n", required=("name", "hours"))
    assert [(e.row, e.column) for e in refused.errors] == [(1, "")] * 3
    assert refused.lines == [
        "row 1: Missing column(s): name, hours.",
        "row 1: Unknown column(s): colour, size. Allowed: name, hours, notes.",
        "row 1: Repeated column(s): notes.",
    ]


@pytest.mark.parametrize("data", ["", b""])
def test_an_empty_file_is_refused(data):
    assert refusal(data).lines == ["row 1: The file is empty: it needs a header row."]


@pytest.mark.parametrize("streamed", [False, True])
def test_text_that_is_not_utf8_is_refused(streamed):
    data = io.BytesIO("name\nCaf\u00e9\n".encode("latin-1"))
    refused = refusal(data, max_bytes=None if streamed else 1000)
    assert refused.errors == [RowError(0, "", "The file is not UTF-8 text. Save it as 'CSV UTF-8'.")]


@pytest.mark.parametrize("streamed", [False, True])
def test_binary_data_is_refused(streamed):
    refused = refusal(io.BytesIO(b"name\nA\x00B\n"), max_bytes=None if streamed else 1000)
    assert refused.errors == [RowError(0, "", "The file contains binary data: upload a CSV text file.")]


def test_a_capped_file_over_its_size_is_refused_and_a_streamed_one_is_not():
    big = b"name\n" + b"Ada\n" * (2 * 1024 * 1024)  # 8 MB
    # A problem of the whole file is not numbered as a row ("row 0: …" read like a spreadsheet row).
    assert refusal(big).lines == ["The file is larger than 5 MB; split it into smaller files."]
    streamed = read_rows(io.BytesIO(big), required=("name",), max_bytes=None)
    assert sum(1 for _ in streamed) == 2 * 1024 * 1024


def test_a_row_with_more_values_than_columns_refuses_the_file_or_joins_the_errors():
    text = "name,hours\nA,1\nB,2,3\nC,4\n"
    assert refusal(text).errors == [RowError(3, "", "3 values for 2 columns.")]
    errors: list[RowError] = []
    assert rows(text, errors=errors) == [(2, {"name": "A", "hours": "1"}), (4, {"name": "C", "hours": "4"})]
    assert errors == [RowError(3, "", "3 values for 2 columns.")]


def test_an_unreadable_line_names_its_row():
    huge = "x" * (csv.field_size_limit() + 1)
    refused = refusal(f"name\nA\n{huge}\n")
    assert refused.errors[0].row == 3
    assert refused.errors[0].message.startswith("Not a readable CSV line (field larger than field limit")


def test_the_importer_wording_names_lines_its_own_way():
    refused = refusal("notes\n", wording=LINES)
    assert refused.messages == ["Line 1: Missing column(s) name. The first line must name: name."]


# -- the row error and the refusal -----------------------------------------------------------


def test_a_row_error_names_its_row_and_column():
    assert str(RowError(4, "hours", "must be a number")) == "row 4, column hours: must be a number"
    assert str(RowError(4, "", "a bad row")) == "row 4: a bad row"
    assert RowError(4, "", "a bad row").describe("Line") == "Line 4: a bad row"


def test_a_refusal_keeps_every_error_and_shows_the_first_ones():
    errors = [RowError(n, "", "bad") for n in range(2, 2 + MAX_ERRORS_SHOWN + 7)]
    refused = CsvImportError(errors, wording=LINES)
    assert refused.errors == errors and len(refused.lines) == MAX_ERRORS_SHOWN + 7
    assert refused.messages[:2] == ["Line 2: bad", "Line 3: bad"]
    assert refused.messages[-1] == "… and 7 more problems."
    assert len(refused.messages) == MAX_ERRORS_SHOWN + 1
    assert str(refused) == "; ".join(f"Line {n}: bad" for n in range(2, 22))


# -- writing ---------------------------------------------------------------------------------


def parse(lines) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(lines), newline="")))


def test_written_lines_end_with_a_newline_and_keep_line_breaks_inside_cells():
    lines = list(write_rows(["name", "notes"], [["Ada", "one\ntwo"], ["Bo", "a\rb"], [None, 3]]))
    assert lines == ["name,notes\n", 'Ada,"one\ntwo"\n', 'Bo,"a\rb"\n', ",3\n"]
    assert parse(lines) == [["name", "notes"], ["Ada", "one\ntwo"], ["Bo", "a\rb"], ["", "3"]]


@pytest.mark.parametrize(
    "hostile", ['=HYPERLINK("http://evil.example","x")', "+1+1", "-1+cmd|' /C calc'!A0", "@SUM(A1:A2)", "\t=1", "\r=1"]
)
def test_a_written_formula_gets_an_apostrophe(hostile):
    assert parse(write_rows(["cell"], [[hostile]]))[1] == ["'" + hostile]


@pytest.mark.parametrize("number", ["+1", "-1", "-12.50", "3"])
def test_a_written_plain_number_stays_a_number(number):
    assert parse(write_rows(["cell"], [[number]]))[1] == [number]


# Any text, often starting like a formula (or with the apostrophe the neutraliser adds).
TEXTS = st.builds(lambda start, rest: start + rest, st.sampled_from(["", "'", *FORMULA_STARTS]), st.text())


@given(TEXTS)
def test_any_text_round_trips_through_the_writer_neutralised_only_when_it_would_run(text):
    (cell,) = parse(write_rows(["cell"], [[text]]))[1]
    runs = bool(text) and text[0] in FORMULA_STARTS
    if runs and cell == text:  # only a plain number may start like a formula and stay as it is
        assert cell == cell.strip()
        float(cell)
    elif runs:
        assert cell == "'" + text  # the apostrophe is all that was added
    else:
        assert cell == text
    assert safe_cell(text) == cell


def test_a_download_streams_the_lines_as_an_attachment():
    response = csv_response(write_rows(["name"], [["=1+1"]]), "people.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="people.csv"'
    assert b"".join(response.streaming_content) == b"name\n'=1+1\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.50", Decimal("12.50")),
        (" 1_000 ", Decimal("1000")),
        ("0.01", Decimal("0.01")),
        ("9999.99", Decimal("9999.99")),
    ],
)
def test_a_positive_decimal_is_read_as_typed(text, expected):
    assert positive_decimal(text, places=2, max_digits=6) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("abc", "is not a number"),
        ("1,5", "is not a number"),
        ("0", "above zero"),
        ("-3", "above zero"),
        ("NaN", "above zero"),
        ("Infinity", "above zero"),
        ("1.005", "more than 2 decimal places"),
        ("10000", "too large"),  # max_digits 6 with 2 places: below 10,000
    ],
)
def test_a_bad_amount_is_refused_with_the_cell_quoted(text, problem):
    with pytest.raises(ValueError, match=problem) as refused:
        positive_decimal(text, places=2, max_digits=6)
    assert repr(text.strip().replace("_", "")) in str(refused.value)

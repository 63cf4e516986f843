"""The freelancer import reads through the shared CSV reader: broken files are refused with a message."""

from __future__ import annotations

import io

import pytest

from sourcewise.talent.csv_io import ImportRefused, import_freelancers
from sourcewise.talent.models import Freelancer

HEADER = "name,email,country,timezone\n"


def refused(workspace, data: bytes) -> list[str]:
    with pytest.raises(ImportRefused) as caught:
        import_freelancers(lambda: io.BytesIO(data), workspace=workspace, actor=None)
    assert not Freelancer.objects.exists()
    return caught.value.result.errors


def test_text_that_is_not_utf8_is_refused(workspace):
    data = (HEADER + "Caf\u00e9,a@example.org,RO,UTC\n").encode("latin-1")
    assert refused(workspace, data) == ["The file is not UTF-8 text. Save it as 'CSV UTF-8'."]


def test_more_values_than_columns_is_a_row_error(workspace):
    data = HEADER + "Ana,a@example.org,RO,UTC,surplus\nBo,b@example.org,RO,UTC\n"
    assert refused(workspace, data.encode()) == ["Row 2: 5 values for 4 columns."]


def test_rows_after_blank_ones_keep_their_spreadsheet_number(workspace):
    data = HEADER + "Ana,a@example.org,RO,UTC\n\n,,,\nBo,b@example.org,ZZ,UTC\n"
    assert refused(workspace, data.encode()) == ["Row 5: unknown country 'ZZ' (use an ISO 3166 code such as DE)."]


def test_a_repeated_column_is_refused(workspace):
    data = "name,email,country,timezone,email\nAna,a@example.org,RO,UTC,b@example.org\n"
    assert refused(workspace, data.encode()) == ["Repeated column(s): email."]


def test_a_file_with_blank_rows_only_has_no_rows(workspace):
    assert refused(workspace, (HEADER + ",,,\n\n").encode()) == ["The file has a header but no rows."]

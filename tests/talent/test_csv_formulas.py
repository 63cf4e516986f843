"""The freelancer export neutralises spreadsheet formulas in every text a person typed."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from sourcewise.talent.csv_io import export_lines
from tests.talent.factories import FreelancerFactory

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-1+cmd|' /C calc'!A0", "@SUM(A1:A2)", "\t=1+1"]
NUMBERS = ["+1", "-1"]  # a spreadsheet reads the same number: nothing runs, so they stay as they are


def cells(text: str) -> list[tuple[str, str]]:
    return [(row["name"], row["notes"]) for row in csv.DictReader(io.StringIO(text, newline=""))]


def test_freelancer_export_neutralises_formulas(workspace, owner_client):
    for n, text in enumerate(HOSTILE + NUMBERS):
        FreelancerFactory(workspace=workspace, name=text, notes=text, email=f"f{n}@example.org")
    expected = [("'" + text, "'" + text) for text in HOSTILE] + [(text, text) for text in NUMBERS]
    assert cells("".join(export_lines(workspace))) == expected
    response = owner_client.get(reverse("talent:freelancer_export"))
    assert response["Content-Disposition"] == 'attachment; filename="freelancers.csv"'
    assert cells(b"".join(response.streaming_content).decode()) == expected

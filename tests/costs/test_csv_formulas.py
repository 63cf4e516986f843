"""The cost ledger export neutralises spreadsheet formulas in every text a person typed."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

from django.urls import reverse

from sourcewise.costs.entry_csv import export_lines
from sourcewise.costs.models import CostEntry
from tests.tasks.factories import TaskFactory

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-1+cmd|' /C calc'!A0", "@SUM(A1:A2)", "\t=1+1"]
NUMBERS = ["+1", "-1"]  # a spreadsheet reads the same number: nothing runs, so they stay as they are


def cells(text: str) -> list[tuple[str, str, str]]:
    rows = csv.DictReader(io.StringIO(text, newline=""))
    return [(row["description"], row["task"], row["reference"]) for row in rows]


def test_cost_export_neutralises_formulas(workspace, owner_client):
    for text in HOSTILE + NUMBERS:
        CostEntry.objects.create(
            workspace=workspace, task=TaskFactory(workspace=workspace, name=text), category="tools",
            date=datetime.date(2026, 3, 1), amount=Decimal("10"), currency="EUR", description=text, source=text,
        )  # fmt: skip
    expected = [("'" + t, "'" + t, "'" + t) for t in HOSTILE] + [(t, t, t) for t in NUMBERS]
    assert cells("".join(export_lines(CostEntry.objects.filter(workspace=workspace)))) == expected
    response = owner_client.get(reverse("costs:entry_export"))
    assert response["Content-Disposition"] == 'attachment; filename="costs.csv"'
    assert cells(b"".join(response.streaming_content).decode()) == expected

"""Every CSV export, on the web and on the command line, is safe to open in a spreadsheet.

Text a user typed that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would run
as a formula in Excel or LibreOffice; every export neutralises it with a leading apostrophe
(core.csvio.safe_cell), and plain numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from sourcewise.core.csvio import FORMULA_STARTS, safe_cell
from sourcewise.costs.models import CostEntry
from tests.talent.factories import FreelancerFactory
from tests.tasks.factories import TaskFactory

PAYLOADS = [
    '=HYPERLINK("http://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture
def poisoned(workspace):
    """One freelancer, task and cost entry per payload, the payload in every free-text column."""
    for n, payload in enumerate(PAYLOADS):
        FreelancerFactory(workspace=workspace, name=payload, notes=payload, email=f"f{n}@example.org")
        task = TaskFactory(workspace=workspace, name=f"{payload} {n}", description=payload, justification=payload)
        CostEntry.objects.create(
            workspace=workspace, task=task, category="tools", date=datetime.date(2026, 3, 1),
            amount=Decimal("10"), currency="EUR", description=payload,
            source=f"{payload}{n}",
        )  # fmt: skip
    return workspace


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_safe(text: str) -> None:
    cells = _cells(text)
    assert any(cell.startswith("'") for cell in cells), "the payloads should be in the export"
    for cell in cells:
        if cell and cell[0] in FORMULA_STARTS:
            float(cell)  # only a plain number may start with + or -; anything else fails here
            assert cell == cell.strip()


def _web(client, name: str) -> str:
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    return b"".join(response.streaming_content).decode()


@pytest.mark.parametrize("name", ["talent:freelancer_export", "tasks:task_export", "costs:entry_export"])
def test_every_web_export_neutralises_formulas(owner_client, poisoned, name):
    _assert_safe(_web(owner_client, name))


@pytest.mark.parametrize(
    "command",
    [
        ("export_freelancers", "--workspace", "{id}"),
        ("export_costs", "--workspace", "{id}"),
        ("tasks_csv", "export", "--workspace", "{id}"),
    ],
)
def test_every_command_line_export_neutralises_formulas(poisoned, command, tmp_path, capsys):
    name, *args = command
    out = io.StringIO()
    call_command(name, *[a.format(id=poisoned.pk) for a in args], stdout=out)
    _assert_safe(out.getvalue() + capsys.readouterr().out)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_safe_cell_quotes_each_formula_start(payload):
    assert safe_cell(payload) == "'" + payload


@pytest.mark.parametrize("number", ["-12.50", "+3", "0", "12"])
def test_safe_cell_keeps_plain_numbers(number):
    assert safe_cell(number) == number

"""CSV import and export of the ledger: all or nothing, errors by row, the same file twice adds nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sourcewise.core.csvio import CsvImportError
from sourcewise.costs import entry_csv
from sourcewise.costs.models import CostEntry
from tests.costs.helpers import active_engagement, assert_summary_matches_entries, cost
from tests.tasks.factories import TaskFactory

HEADER = "date,category,amount,currency,description,engagement,task,reference\n"


def test_a_file_with_one_bad_row_imports_nothing_and_names_every_row(workspace, owner):
    e = active_engagement(workspace)
    text = (
        HEADER
        + "2026-03-01,licences,49.00,GBP,Helpdesk,,,\n"
        + "2026-03-02,snacks,1,GBP,,,,\n"
        + "2026-13-01,tools,-4,XYZ,,,,\n"
        + f"2026-03-04,fees,10,GBP,,{e.pk},,\n"
        + "2026-03-05,tools,1.234,GBP,,999999,Nope,\n"
    )
    with pytest.raises(CsvImportError) as caught:
        entry_csv.import_entries(workspace=workspace, actor=owner.user, file=text)
    messages = [str(err) for err in caught.value.errors]
    assert messages[0].startswith("row 3, column category: unknown category 'snacks'")
    assert any(m.startswith("row 4, column date") for m in messages)
    assert any(m.startswith("row 4, column amount") for m in messages)
    assert any(m.startswith("row 4, column currency") for m in messages)
    assert any(m.startswith("row 5, column category") and "posted by Sourcewise" in m for m in messages)
    assert any(m.startswith("row 6, column amount: '1.234' has more than 2 decimal places") for m in messages)
    assert any(m.startswith("row 6, column engagement") for m in messages)
    assert any(m.startswith("row 6, column task: no task named 'Nope'") for m in messages)
    assert not CostEntry.objects.exists()


def test_importing_the_same_file_twice_adds_nothing(workspace, owner):
    task = TaskFactory(workspace=workspace, name="Support inbox")
    e = active_engagement(workspace)
    text = (
        HEADER
        + "2026-03-01,licences,49.00,GBP,Helpdesk,,support inbox,\n"
        + "2026-03-01,licences,49.00,GBP,Helpdesk,,support inbox,\n"  # the same cost twice is two costs
        + f"2026-03-04,Platform & payment fees,12.40,usd,Payment fee,{e.pk},,PAY-7\n"
    )
    first = entry_csv.import_entries(workspace=workspace, actor=owner.user, file=text.encode())
    assert (first.added, first.updated, first.unchanged) == (3, 0, 0)
    again = entry_csv.import_entries(workspace=workspace, actor=owner.user, file=text.encode())
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    assert CostEntry.objects.filter(task=task).count() == 2
    fee = CostEntry.objects.get(source="import:PAY-7")
    assert (fee.category, fee.currency, fee.amount, fee.task_id) == ("platform_fees", "USD", D("12.40"), e.task_id)
    changed = text.replace("12.40", "12.90")
    result = entry_csv.import_entries(workspace=workspace, actor=owner.user, file=changed)
    assert (result.added, result.updated, result.unchanged) == (0, 1, 2)
    assert_summary_matches_entries(workspace)


def test_export_then_import_into_the_same_ledger_adds_nothing(workspace, owner):
    cost(workspace, amount="10", description="=HYPERLINK(evil)")
    cost(workspace, amount="3.50", category="training", date=datetime.date(2026, 1, 2))
    exported = "".join(entry_csv.export_lines(CostEntry.objects.filter(workspace=workspace)))
    assert exported.startswith(HEADER) and "'=HYPERLINK" in exported
    result = entry_csv.import_entries(workspace=workspace, actor=owner.user, file=exported.replace("'=", "="))
    assert (result.added, result.unchanged) == (0, 2)


def test_import_and_export_commands(workspace, owner, tmp_path):
    path = tmp_path / "costs.csv"
    path.write_text(HEADER + "2026-03-01,hardware,89.00,USD,Headset,,,H-1\n", encoding="utf-8")
    out = StringIO()
    call_command("import_costs", str(path), "--workspace", str(workspace.pk), stdout=out)
    call_command("import_costs", str(path), "--workspace", str(workspace.pk), stdout=out)
    assert "1 costs added" in out.getvalue() and "1 already in the ledger" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "2026-03-01,hardware,zero,USD,,,,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="row 2, column amount"):
        call_command("import_costs", str(bad), "--workspace", str(workspace.pk))
    exported = StringIO()
    call_command("export_costs", "--workspace", str(workspace.pk), stdout=exported)
    assert exported.getvalue().splitlines()[1] == "2026-03-01,hardware,89.00,USD,Headset,,,H-1"
    assert CostEntry.objects.count() == 1

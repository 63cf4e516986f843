"""The task export neutralises spreadsheet formulas in every text a person typed."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from sourcewise.tasks.importer import export_tasks
from sourcewise.tasks.models import Task
from tests.tasks.factories import TaskFactory

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-1+cmd|' /C calc'!A0", "@SUM(A1:A2)", "\t=1+1"]
NUMBERS = ["+1", "-1"]  # a spreadsheet reads the same number: nothing runs, so they stay as they are


def cells(text: str) -> set[tuple[str, str, str]]:
    rows = csv.DictReader(io.StringIO(text, newline=""))
    return {(row["name"], row["description"], row["justification"]) for row in rows}


def test_task_export_neutralises_formulas(owner, owner_client):
    for text in HOSTILE + NUMBERS:
        TaskFactory(workspace=owner.workspace, name=text, description=text, justification=text)
    expected = {("'" + t, "'" + t, "'" + t) for t in HOSTILE} | {(t, t, t) for t in NUMBERS}
    assert cells("".join(export_tasks(Task.objects.in_workspace(owner.workspace)))) == expected
    response = owner_client.get(reverse("tasks:task_export"))
    assert response["Content-Disposition"].startswith(f'attachment; filename="tasks-{owner.workspace.pk}-')
    assert cells(b"".join(response.streaming_content).decode()) == expected

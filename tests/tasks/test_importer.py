from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sourcewise.audit.models import AuditEvent
from sourcewise.core.csvio import CsvImportError
from sourcewise.jobs.models import Job
from sourcewise.tasks.importer import export_tasks, import_tasks
from sourcewise.tasks.models import Task
from tests.talent.factories import SkillFactory

pytestmark = pytest.mark.django_db

HEADER = "name,hours,inhouse_hourly_cost,currency,sourcing,checkpoint_every_days,differentiates,proprietary,skills\n"


def test_import_creates_then_reimport_changes_nothing(owner):
    ws = owner.workspace
    SkillFactory(workspace=ws, name="Bookkeeping")
    data = HEADER + "Bookkeeping,12.5,40.10,,outsource,7,no,no,Bookkeeping:3\nBrand strategy,20,,,in_house,,yes,yes,\n"
    result = import_tasks(workspace=ws, actor=owner.user, file=data.encode())
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    books = Task.objects.get(name="Bookkeeping")
    assert (books.hours, books.inhouse_hourly_cost, books.inhouse_cost_currency) == (
        Decimal("12.5"),
        Decimal("40.10"),
        "GBP",
    )
    assert books.skill_needs.get().level == 3 and books.q_differentiates is False
    events = AuditEvent.objects.count()
    again = import_tasks(workspace=ws, actor=owner.user, file=data.encode())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Task.objects.count() == 2 and AuditEvent.objects.count() == events
    changed = data.replace("Brand strategy,20", "brand STRATEGY,25")
    assert import_tasks(workspace=ws, actor=owner.user, file=changed.encode()).updated == 1
    assert Task.objects.get(name="Brand strategy").hours == Decimal("25")


def test_errors_name_the_row_and_nothing_is_imported(owner):
    data = (
        HEADER
        + "Good one,10,,,,,,,\n"
        + "Bad hours,-2,,,,,,,\n"
        + "Bad money,1,12.345,,,,,,\n"
        + ",1,,,,,,,\n"
        + "Bad skill,1,,,,,maybe,,Astrology:3\n"
        + "good ONE,1,,,,,,,\n"
    )
    with pytest.raises(CsvImportError) as caught:
        import_tasks(workspace=owner.workspace, actor=owner.user, file=data.encode())
    errors = [(e.row, e.column) for e in caught.value.errors]
    assert errors == [
        (3, "hours"),
        (4, "inhouse_hourly_cost"),
        (5, "name"),
        (6, "differentiates"),
        (6, "skills"),
        (7, "name"),
    ]
    assert Task.objects.count() == 0


def test_database_refusal_rolls_back_the_whole_file(owner):
    data = "name,currency,inhouse_hourly_cost\nFirst,,\nSecond,ZZZ,10\n"
    with pytest.raises(CsvImportError) as caught:
        import_tasks(workspace=owner.workspace, actor=owner.user, file=data.encode())
    assert caught.value.errors[0].row == 3 and "currency" in str(caught.value.errors[0])
    assert Task.objects.count() == 0


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"title,hours\nX,1\n", "Missing column(s): name"),
        (b"name,colour\nX,red\n", "Unknown column(s): colour"),
        ("name\nCaf\u00e9\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_bad_files_are_refused_with_a_message(owner, data, message):
    with pytest.raises(CsvImportError, match=re.escape(message)):
        import_tasks(workspace=owner.workspace, actor=owner.user, file=data)


def test_export_round_trips(owner):
    ws = owner.workspace
    SkillFactory(workspace=ws, name="SEO")
    data = HEADER + 'SEO audits,6,55.00,EUR,outsource,14,no,yes,"SEO:3"\n=cmd,1,,,,,,,\n'
    import_tasks(workspace=ws, actor=owner.user, file=data.encode())
    exported = "".join(export_tasks(Task.objects.in_workspace(ws)))
    assert exported.splitlines()[0].startswith("name,description,frequency,hours")
    assert "'=cmd" in exported  # spreadsheet formulas are neutralised
    plain = exported.replace("'=cmd", "=cmd")
    result = import_tasks(workspace=ws, actor=owner.user, file=plain.encode())
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)


def test_import_and_export_pages(owner_client, owner):
    upload = SimpleUploadedFile("tasks.csv", b"name,hours\nInvoicing,4\n", content_type="text/csv")
    response = owner_client.post("/tasks/import/", {"file": upload})
    job = Job.objects.get(kind="tasks.import")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.state == "done" and not Path(job.temp_path).exists()
    assert "1 added" in owner_client.get(response["Location"]).content.decode()
    bad = SimpleUploadedFile("tasks.csv", b"name,hours\nX,lots\n", content_type="text/csv")
    response = owner_client.post("/tasks/import/", {"file": bad}, follow=True)
    assert response.status_code == 200 and "Row 2, column hours" in response.content.decode()
    assert Job.objects.latest("id").state == "failed" and not Task.objects.filter(name="X").exists()
    export = owner_client.get("/tasks/export.csv")
    assert export["Content-Type"].startswith("text/csv")
    assert b"Invoicing,,recurring,4.00" in b"".join(export.streaming_content)

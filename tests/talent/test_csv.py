"""CSV import/export: checked by name, all-or-nothing, idempotent, streamed, with progress."""

from __future__ import annotations

import io
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sourcewise.jobs.models import Job
from sourcewise.talent.csv_io import ImportRefused, export_lines, import_freelancers
from sourcewise.talent.models import Freelancer, FreelancerLanguage, FreelancerSkill
from tests.talent.factories import SkillFactory

HEADER = "name,email,country,timezone,work_start,work_end,work_days,languages,skills,hourly_rate,currency,availability_hours,notes\n"  # noqa: E501
GOOD = (
    HEADER
    + "Ana Popescu,Ana@Example.ro,RO,Europe/Bucharest,09:00,17:00,Mon Tue Wed Thu Fri,en:C1; ro:C2,PPC:4,"
    + "28.00,EUR,30,\n"
    + 'Priya Sharma,priya@example.in,IN,Asia/Kolkata,22:00,06:00,Mon;Tue,en:B2,"PPC:3; SEO:2",2400,INR,20,'
    + '"Night, shift"\n'
)


def opener(text: str):
    return lambda: io.BytesIO(text.encode())


@pytest.fixture
def skills(workspace):
    return SkillFactory(workspace=workspace, name="PPC"), SkillFactory(workspace=workspace, name="SEO")


def run(workspace, text, progress=None):
    return import_freelancers(opener(text), workspace=workspace, actor=None, progress=progress)


def test_import_creates_everything_and_reimport_changes_nothing(workspace, skills):
    result = run(workspace, GOOD)
    assert (result.rows, result.created, result.updated, result.unchanged) == (2, 2, 0, 0)
    ana = Freelancer.objects.get(email="ana@example.ro")
    assert (ana.country, ana.timezone, ana.hourly_rate, ana.rate_currency, ana.work_days) == (
        "RO", "Europe/Bucharest", Decimal("28.00"), "EUR", [0, 1, 2, 3, 4])  # fmt: skip
    priya = Freelancer.objects.get(email="priya@example.in")
    assert (str(priya.work_start), str(priya.work_end), priya.notes) == ("22:00:00", "06:00:00", "Night, shift")
    assert sorted(FreelancerSkill.objects.filter(freelancer=priya).values_list("skill__name", "level")) == [
        ("PPC", 3), ("SEO", 2)]  # fmt: skip
    before = list(Freelancer.objects.order_by("pk").values())
    again = run(workspace, GOOD)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert list(Freelancer.objects.order_by("pk").values()) == before
    assert FreelancerLanguage.objects.count() == 3 and FreelancerSkill.objects.count() == 3


def test_changed_rows_are_updated_by_email(workspace, skills):
    run(workspace, GOOD)
    changed = GOOD.replace("28.00,EUR,30", "31.50,EUR,30").replace("en:C1; ro:C2", "en:C2; ro:C2")
    result = run(workspace, changed)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    ana = Freelancer.objects.get(email="ana@example.ro")
    assert ana.hourly_rate == Decimal("31.50")
    assert dict(ana.languages.values_list("language", "level")) == {"en": "C2", "ro": "C2"}


def test_unknown_values_are_row_errors_naming_them_and_nothing_is_written(workspace, skills):
    bad = (
        GOOD
        + "X,x@example.org,ZZ,Mars/Olympus,09:00,17:00,Mon,xx:C1,Knitting:4,10,ABC,40,\n"
        + "Y,ana@example.ro,RO,Europe/Bucharest,,,,en:C1,,,,,\n"
        + "Z,z@example.org,RO,Europe/Bucharest,,,,en:Z9,,,,,\n"
    )
    with pytest.raises(ImportRefused) as refused:
        run(workspace, bad)
    errors = refused.value.result.errors
    assert errors[0].startswith("Row 4: ") and "unknown country 'ZZ'" in errors[0]
    for needle in ("'Mars/Olympus'", "unknown language 'xx'", "unknown skill 'Knitting'", "unknown currency 'ABC'"):
        assert needle in errors[0]
    assert errors[1:] == [
        "Row 5: email 'ana@example.ro' already appears on row 2.",
        "Row 6: unknown level 'Z9' for language en (use A1 … C2).",
    ]
    assert not Freelancer.objects.exists()


def test_bad_header_is_refused(workspace):
    with pytest.raises(ImportRefused, match="lacks the column"):
        run(workspace, "name,email\nA,a@example.org\n")


def test_export_is_what_import_reads(workspace, skills):
    run(workspace, GOOD)
    exported = "".join(export_lines(workspace))
    assert exported.splitlines()[0].startswith("name,email,country")
    assert run(workspace, exported).unchanged == 2


def test_progress_is_reported(workspace, skills, monkeypatch):
    monkeypatch.setattr("sourcewise.talent.csv_io.CHUNK", 1)
    seen = []
    run(workspace, GOOD, progress=lambda phase, done: seen.append((phase, done)))
    assert seen == [("checking", 1), ("checking", 2), ("saving", 0), ("saving", 1), ("saving", 2)]


def test_command_imports_and_exports(workspace, skills, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(GOOD)
    out, err = StringIO(), StringIO()
    call_command("import_freelancers", str(path), "--workspace", str(workspace.pk), stdout=out, stderr=err)
    assert "2 added, 0 updated, 0 unchanged" in out.getvalue() and "rows" in err.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "A,a@example.org,ZZ,UTC,,,,,,,,,\n")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_freelancers", str(bad), "--workspace", str(workspace.pk), stdout=StringIO(), stderr=err)
    assert "Row 2: unknown country 'ZZ'" in err.getvalue()
    target = tmp_path / "out.csv"
    call_command("export_freelancers", "--workspace", str(workspace.pk), "-o", str(target))
    assert "priya@example.in" in target.read_text()


def test_web_import_runs_as_a_job_and_reports_progress_and_errors(owner_client, owner):
    SkillFactory(workspace=owner.workspace, name="PPC")
    SkillFactory(workspace=owner.workspace, name="SEO")
    upload = io.BytesIO(GOOD.encode())
    upload.name = "people.csv"
    response = owner_client.post("/talent/freelancers/import/", {"file": upload})
    job = Job.objects.get(kind="talent.import")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (job.state, job.result["created"], job.total, job.temp_path.endswith(".csv")) == ("done", 2, 2, True)
    assert not Path(job.temp_path).exists()  # the upload is deleted when the job ends
    fragment = owner_client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "2 added" in fragment and "<html" not in fragment and "every 1s" not in fragment
    bad = io.BytesIO((HEADER + "A,a@example.org,ZZ,UTC,,,,,,,,,\n").encode())
    bad.name = "bad.csv"
    owner_client.post("/talent/freelancers/import/", {"file": bad})
    failed = Job.objects.latest("id")
    assert failed.state == "failed" and "unknown country 'ZZ'" in failed.errors[0]
    body = owner_client.get(f"/jobs/{failed.pk}/").content.decode()
    assert "Nothing was imported" in body
    running = Job.objects.create(
        workspace=owner.workspace, kind="talent.import", title="Import of big.csv", state="running", total=200, done=50
    )
    body = owner_client.get(f"/jobs/{running.pk}/").content.decode()
    assert "50 of 200" in body and 'value="25"' in body and "every 1s" in body
    listing = owner_client.get("/talent/freelancers/import/").content.decode()
    assert "people.csv" in listing and f"/jobs/{job.pk}/" in listing
    export = owner_client.get("/talent/freelancers/export.csv")
    assert b"".join(export.streaming_content).decode().count("\n") == 3

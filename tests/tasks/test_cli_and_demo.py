from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sourcewise.findings.engine import evaluate
from sourcewise.tasks.advisor import advise
from sourcewise.tasks.models import Deliverable
from sourcewise.tasks.selectors import workspace_tasks

pytestmark = pytest.mark.django_db


SHARED_DEMO = {"domain": "tasks.test"}


@pytest.fixture
def demo(shared_demo):
    """The demo, built once for this module (see tests/conftest.py)."""
    return shared_demo


def test_demo_shows_every_verdict_and_every_g1_finding(demo):
    verdicts = {str(advise(t).verdict) for t in workspace_tasks(demo.workspace)}
    assert verdicts == {"outsource", "keep_in_house", "not_ready", "caution"}
    main = {(f.code, str(f.severity)) for f in evaluate(demo.workspace).findings if f.guardrail == "G1"}
    assert main == {("CORE_TASK_OUTSOURCED", "info")}  # Lumen Studio wrote its justifications down
    codes = {(f.code, str(f.severity)) for f in evaluate(demo.classic.workspace).findings}
    assert {
        ("CORE_TASK_OUTSOURCED", "warning"),
        ("CORE_TASK_OUTSOURCED", "info"),
        ("NO_DELIVERABLES", "warning"),
        ("NO_CHECKPOINTS", "warning"),
        ("OUTSOURCING_EVERYTHING", "warning"),
    } <= codes
    assert Deliverable.objects.filter(workspace=demo.workspace).exists()


def test_health_json_on_the_demo_shows_the_four_codes(demo):
    out = StringIO()
    call_command("health", "--workspace", str(demo.classic.workspace.pk), "--json", stdout=out)
    codes = {f["code"] for f in json.loads(out.getvalue())["findings"]}
    assert {"CORE_TASK_OUTSOURCED", "NO_DELIVERABLES", "NO_CHECKPOINTS", "OUTSOURCING_EVERYTHING"} <= codes


def test_advise_command_calls_the_same_advisor(demo):
    task = demo.tasks["website"]
    out = StringIO()
    call_command("advise", "--task", str(task.pk), "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload == {"task": task.name, "workspace_id": demo.workspace.pk, **advise(task).as_dict()}
    assert payload["verdict"] == "caution"
    text = StringIO()
    call_command("advise", "--workspace", str(demo.workspace.pk), stdout=text)
    assert "Brand strategy" in text.getvalue() and "Keep in-house" in text.getvalue()
    assert "Studio website relaunch" not in text.getvalue()  # archived


def test_advise_command_unknown_task(db):
    with pytest.raises(CommandError, match="No task #999"):
        call_command("advise", "--task", "999")


def test_tasks_csv_command_round_trip(tmp_path, owner):
    source = tmp_path / "tasks.csv"
    source.write_text("name,hours,sourcing\nPayroll,4,outsource\n", encoding="utf-8")
    out = StringIO()
    call_command("tasks_csv", "import", str(source), "--workspace", str(owner.workspace_id), stdout=out)
    assert "1 added" in out.getvalue()
    target = tmp_path / "export.csv"
    call_command("tasks_csv", "export", str(target), "--workspace", str(owner.workspace_id))
    assert "Payroll,,recurring,4.00" in target.read_text(encoding="utf-8")
    again = StringIO()
    call_command("tasks_csv", "import", str(target), "--workspace", str(owner.workspace_id), stdout=again)
    assert "0 added, 0 updated, 1 unchanged" in again.getvalue()
    source.write_text("name,hours\nPayroll,lots\n", encoding="utf-8")
    with pytest.raises(CommandError, match="row 2, column hours"):
        call_command("tasks_csv", "import", str(source), "--workspace", str(owner.workspace_id))

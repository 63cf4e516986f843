from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from sourcewise.findings import registry
from sourcewise.findings.codes import CODES, Severity
from sourcewise.findings.engine import UndeclaredFindingCode, evaluate, health_score
from sourcewise.findings.models import FindingRecord
from sourcewise.findings.registry import Finding


def make(severity: Severity, code: str = "NO_SOP", subject_id: int = 1) -> Finding:
    return Finding(code, severity, "task", subject_id, "message", "fix", "Bookkeeping")


@pytest.mark.parametrize(
    "criticals, warnings, infos, expected",
    [
        (0, 0, 0, 100),
        (1, 0, 0, 85),
        (0, 1, 0, 95),
        (0, 0, 1, 99),
        (1, 2, 3, 72),
        (6, 1, 4, 1),
        (6, 2, 0, 0),
        (7, 0, 0, 0),  # floor at 0, never negative
        (20, 20, 20, 0),
    ],
)
def test_health_score_follows_the_spec(criticals, warnings, infos, expected):
    findings = (
        [make(Severity.CRITICAL)] * criticals + [make(Severity.WARNING)] * warnings + [make(Severity.INFO)] * infos
    )
    assert health_score(findings) == expected


def test_a_check_must_declare_known_codes():
    with pytest.raises(ValueError, match="known finding codes"):
        registry.check("NOT_A_CODE")
    with pytest.raises(ValueError):
        registry.check()


def test_engine_refuses_a_code_the_check_did_not_declare(workspace, temporary_check):
    def sneaky(ctx):
        yield Finding("NO_MANAGER", Severity.CRITICAL, "engagement", 1, "m", "f")

    temporary_check(["NO_SOP"], sneaky)
    with pytest.raises(UndeclaredFindingCode):
        evaluate(workspace)


def test_findings_are_sorted_by_severity_and_scored(workspace, temporary_check):
    def produce(ctx):
        assert ctx.workspace == workspace
        yield Finding("NO_SOP", Severity.INFO, "task", 2, "info", "fix it")
        yield Finding("NO_SOP", Severity.CRITICAL, "task", 1, "critical", "fix it")
        yield Finding("NO_SOP", Severity.WARNING, "task", 3, "warning", "fix it")

    temporary_check(["NO_SOP"], produce)
    report = evaluate(workspace)
    ours = [f for f in report.findings if f.subject_type == "task" and f.message in {"info", "critical", "warning"}]
    assert [f.severity for f in ours] == [Severity.CRITICAL, Severity.WARNING, Severity.INFO]
    assert report.counts["critical"] >= 1
    assert report.for_subject("task", 1)[0].message == "critical"


def test_every_code_of_the_spec_is_catalogued():
    spec_codes = {
        "CORE_TASK_OUTSOURCED", "NO_DELIVERABLES", "NO_CHECKPOINTS", "OUTSOURCING_EVERYTHING",
        "NO_MANAGER", "MANAGER_UNTRAINED", "MANAGER_OVERLOADED",
        "LOW_TZ_OVERLAP", "NO_SHARED_LANGUAGE", "SKILL_GAP",
        "RATE_BELOW_MARKET", "RATE_UNDER_FAIR_FLOOR", "RATE_ABOVE_HOME", "NO_RATE_BENCHMARK",
        "HIDDEN_COSTS_UNTRACKED", "SAVINGS_OVERESTIMATED", "NEGATIVE_ROI",
        "NO_SOP", "SOP_NOT_ACKNOWLEDGED", "NO_TRIAL",
        "UNVETTED_FREELANCER", "WEAK_REFERENCES",
        "NO_BACKUP", "HIGH_CONCENTRATION",
        "CHECKPOINT_OVERDUE", "UNHAPPY_FREELANCER",
    }  # fmt: skip
    assert spec_codes <= set(CODES)


@pytest.fixture
def outsourced(monkeypatch):
    """The workspace counts as having outsourced work, so it is scored (tests/findings/test_setup.py
    covers what counts); only the temporary check's findings then make the score."""
    from sourcewise.findings import engine, selectors, store

    for module in (engine, selectors, store):  # computed (evaluate) and stored (CLI, pages) scores
        monkeypatch.setattr(module, "has_outsourced_work", lambda workspace: True, raising=False)


def test_dashboard_lists_findings_with_their_fix(owner_client, workspace, outsourced, temporary_check):
    def produce(ctx):
        yield Finding("NO_SOP", Severity.WARNING, "task", 7, "Bookkeeping has no SOP.", "Write a short SOP.", "Books")

    temporary_check(["NO_SOP"], produce)
    response = owner_client.get("/dashboard/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Bookkeeping has no SOP." in body
    assert "Write a short SOP." in body
    assert 'data-testid="health-score">95<' in body


def test_dashboard_filters_by_severity_with_htmx(owner_client, temporary_check):
    def produce(ctx):
        yield Finding("NO_SOP", Severity.WARNING, "task", 7, "warn-msg", "fix")
        yield Finding("NO_SOP", Severity.INFO, "task", 8, "info-msg", "fix")

    temporary_check(["NO_SOP"], produce)
    response = owner_client.get("/dashboard/?severity=info", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "info-msg" in body and "warn-msg" not in body
    assert "<html" not in body  # only the fragment


def test_health_command_prints_json(workspace, outsourced, temporary_check):
    def produce(ctx):
        yield Finding("NO_SOP", Severity.CRITICAL, "task", 3, "msg", "fix", "Books")

    temporary_check(["NO_SOP"], produce)
    out = StringIO()
    call_command("health", "--json", "--workspace", str(workspace.pk), stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["score"] == 85
    assert payload["status"] == "scored"
    assert payload["findings"][0] == {
        "code": "NO_SOP",
        "severity": "critical",
        "guardrail": "G6",
        "subject": {"type": "task", "id": 3, "label": "Books"},
        "message": "msg",
        "fix": "fix",
    }


def test_health_command_prints_stored_findings_in_evaluate_order(workspace, outsourced, temporary_check):
    def produce(ctx):
        yield Finding("NO_SOP", Severity.WARNING, "task", 4, "w", "fix", "B")
        yield Finding("NO_SOP", Severity.WARNING, "task", 2, "w", "fix", "B")
        yield Finding("NO_SOP", Severity.CRITICAL, "task", 9, "c", "fix", "Z")

    temporary_check(["NO_SOP"], produce)
    out = StringIO()
    call_command("health", "--json", "--workspace", str(workspace.pk), stdout=out)
    payload = json.loads(out.getvalue())
    assert [(f["severity"], f["subject"]["id"]) for f in payload["findings"]] == [
        ("critical", 9),
        ("warning", 2),
        ("warning", 4),
    ]
    assert payload["findings"] == [f.as_dict() for f in evaluate(workspace).findings]
    assert FindingRecord.objects.filter(workspace=workspace).count() == 3  # read from the stored findings


def test_health_refresh_recomputes_and_summarises(workspace, temporary_check):
    def produce(ctx):
        yield Finding("NO_SOP", Severity.WARNING, "task", 3, "msg", "fix")

    out = StringIO()
    call_command("health", "--refresh", stdout=out)
    assert f"{workspace.name} (#{workspace.pk}): " in out.getvalue()
    temporary_check(["NO_SOP"], produce)
    out = StringIO()
    call_command("health", "--refresh", "--workspace", str(workspace.pk), stdout=out)
    assert f"{workspace.name} (#{workspace.pk}): 1 new, 0 reopened, 0 changed, 0 resolved" in out.getvalue()
    assert FindingRecord.objects.filter(workspace=workspace, code="NO_SOP", resolved_at=None).count() == 1


def test_health_command_fail_on(workspace, temporary_check):
    def produce(ctx):
        yield Finding("NO_SOP", Severity.WARNING, "task", 3, "msg", "fix")

    temporary_check(["NO_SOP"], produce)
    call_command("health", "--fail-on", "critical", stdout=StringIO())  # no critical: exits normally
    with pytest.raises(SystemExit) as exit_info:
        call_command("health", "--fail-on", "warning", stdout=StringIO())
    assert exit_info.value.code == 1


def test_health_api(client, owner, owner_api, outsourced, temporary_check):
    def produce(ctx):
        yield Finding("NO_SOP", Severity.INFO, "task", 3, "msg", "fix")

    temporary_check(["NO_SOP"], produce)
    response = client.get("/api/v1/health", headers=owner_api)
    assert response.status_code == 200
    assert response.json()["score"] == 99
    assert response.json()["status"] == "scored"
    assert response.json()["workspace"]["id"] == owner.workspace_id

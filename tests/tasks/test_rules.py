"""G1 findings at the exact thresholds: two yes vs one, 60 % vs 60.01 %, startup vs growth, justification."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from sourcewise.findings.engine import evaluate
from sourcewise.tasks.models import Deliverable
from tests.tasks.helpers import make_task

pytestmark = pytest.mark.django_db
G1 = {"CORE_TASK_OUTSOURCED", "NO_DELIVERABLES", "NO_CHECKPOINTS", "OUTSOURCING_EVERYTHING"}


def g1(workspace):
    return [(f.code, str(f.severity), f.subject_id) for f in evaluate(workspace).findings if f.code in G1]


def _with_in_house_balance(workspace, hours="100"):
    # enough in-house hours that OUTSOURCING_EVERYTHING stays quiet
    return make_task(workspace, hours=Decimal(hours), name="In-house anchor")


@pytest.mark.parametrize(
    "stage, justification, severity",
    [
        ("idea", "", "critical"),
        ("startup", "", "critical"),
        ("startup", "Needed for now.", "critical"),
        ("growth", "", "warning"),
        ("growth", "Needed for now.", "info"),
        ("established", "", "warning"),
        ("established", "Needed for now.", "info"),
    ],
)
def test_core_task_outsourced_by_stage_and_justification(workspace, stage, justification, severity):
    workspace.stage = stage
    workspace.save()
    _with_in_house_balance(workspace)
    task = make_task(workspace, yes=2, sourcing="outsource", justification=justification)
    assert g1(workspace) == [("CORE_TASK_OUTSOURCED", severity, task.pk)]


def test_one_yes_is_not_core_so_no_finding(workspace):
    _with_in_house_balance(workspace)
    make_task(workspace, yes=1, sourcing="outsource")
    assert g1(workspace) == []


def test_explicit_non_core_overrides_two_yes(workspace):
    _with_in_house_balance(workspace)
    make_task(workspace, yes=2, sourcing="outsource", core_choice="non_core")
    assert g1(workspace) == []


def test_core_task_kept_in_house_is_fine(workspace):
    make_task(workspace, yes=4, sourcing="in_house")
    assert g1(workspace) == []


def test_no_deliverables_and_no_criteria(workspace):
    _with_in_house_balance(workspace)
    bare = make_task(workspace, sourcing="outsource", ready=False, checkpoint_every_days=7, name="Bare")
    vague = make_task(workspace, sourcing="outsource", ready=False, checkpoint_every_days=7, name="Vague")
    Deliverable.objects.create(workspace=workspace, task=vague, name="Stuff", acceptance_criteria="")
    make_task(workspace, ready=False, name="In-house, not ready")  # in-house: no finding
    findings = evaluate(workspace).findings
    assert sorted((f.code, f.subject_id) for f in findings if f.code in G1) == sorted(
        [("NO_DELIVERABLES", bare.pk), ("NO_DELIVERABLES", vague.pk)]
    )
    assert "acceptance criteria" in next(f.message for f in findings if f.subject_id == vague.pk)


@pytest.mark.parametrize("days, found", [(None, True), (14, False), (15, True)])
def test_no_checkpoints_at_the_threshold(workspace, days, found):
    _with_in_house_balance(workspace)
    task = make_task(workspace, sourcing="outsource", checkpoint_every_days=days)
    assert g1(workspace) == ([("NO_CHECKPOINTS", "warning", task.pk)] if found else [])


@pytest.mark.parametrize("outsourced, found", [("60", False), ("60.01", True)])
def test_outsourcing_everything_at_60_percent(workspace, outsourced, found):
    make_task(workspace, sourcing="outsource", hours=Decimal(outsourced), name="Out")
    make_task(workspace, sourcing="in_house", hours=Decimal(100) - Decimal(outsourced), name="In")
    expected = [("OUTSOURCING_EVERYTHING", "warning", workspace.pk)] if found else []
    assert g1(workspace) == expected


def test_outsourcing_everything_follows_the_workspace_setting(workspace):
    workspace.outsourcing_share_max_pct = 80
    workspace.save()
    make_task(workspace, sourcing="outsource", hours=Decimal("70"), name="Out")
    make_task(workspace, sourcing="in_house", hours=Decimal("30"), name="In")
    assert g1(workspace) == []


def test_all_tasks_outsourced_even_without_recurring_hours(workspace):
    make_task(workspace, sourcing="outsource", frequency="one_off", hours=Decimal("40"), name="Logo")
    findings = [f for f in evaluate(workspace).findings if f.code == "OUTSOURCING_EVERYTHING"]
    assert len(findings) == 1 and "All 1 tasks" in findings[0].message


def test_archived_tasks_do_not_count(workspace):
    make_task(workspace, yes=4, sourcing="outsource", ready=False, archived_at=timezone.now())
    assert g1(workspace) == []


def test_findings_use_a_fixed_number_of_queries(workspace, django_assert_max_num_queries):
    # Every app's checks run in evaluate(); what matters here is that the count does not
    # grow with the number of tasks.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_task(workspace, yes=1, sourcing="outsource", name="T-first")
    with CaptureQueriesContext(connection) as one_task:
        evaluate(workspace)
    for i in range(20):
        make_task(workspace, yes=i % 3, sourcing="outsource" if i % 2 else "in_house", name=f"T{i}")
    with django_assert_max_num_queries(len(one_task)):
        evaluate(workspace)

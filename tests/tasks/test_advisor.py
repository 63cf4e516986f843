"""The advisor's verdict at the exact thresholds of SPEC §2 G1."""

from __future__ import annotations

import pytest

from sourcewise.guidance.services import create_sop
from sourcewise.tasks import advisor
from sourcewise.tasks.advisor import Verdict, advise
from sourcewise.tasks.models import Deliverable, Task, TaskSkill
from sourcewise.tasks.selectors import with_advice_data
from tests.talent.factories import SkillFactory
from tests.tasks.helpers import make_task

pytestmark = pytest.mark.django_db


def _codes(advice):
    return [r.code for r in advice.reasons]


def test_two_yes_answers_suggest_core_one_does_not(workspace):
    workspace.stage = "growth"
    one = make_task(workspace, yes=1)
    two = make_task(workspace, yes=2)
    assert (one.suggested_core, two.suggested_core) == (False, True)
    assert advise(one).verdict == Verdict.OUTSOURCE
    assert advise(two).verdict == Verdict.KEEP_IN_HOUSE


def test_explicit_choice_wins_and_the_suggestion_stays_visible(workspace):
    task = make_task(workspace, yes=3, core_choice="non_core")
    advice = advise(task)
    assert advice.verdict == Verdict.OUTSOURCE
    assert advice.core is False and advice.suggested_core is True
    assert "differs from the suggestion" in advice.reasons[0].message
    task.core_choice = "core"
    task.q_differentiates = task.q_proprietary = task.q_revenue_critical = False
    assert advise(task).core is True and advise(task).suggested_core is False


@pytest.mark.parametrize(
    "stage, justification, expected",
    [
        ("idea", "", Verdict.KEEP_IN_HOUSE),
        ("startup", "", Verdict.KEEP_IN_HOUSE),
        ("startup", "We must, for now.", Verdict.KEEP_IN_HOUSE),
        ("growth", "", Verdict.KEEP_IN_HOUSE),
        ("growth", "We must, for now.", Verdict.CAUTION),
        ("established", "   ", Verdict.KEEP_IN_HOUSE),
        ("established", "A specialist agency does it better.", Verdict.CAUTION),
    ],
)
def test_stage_and_justification_decide_a_core_task(workspace, stage, justification, expected):
    workspace.stage = stage
    workspace.save()
    task = make_task(workspace, yes=2, justification=justification)
    assert advise(task).verdict == expected


def test_justified_core_task_that_is_not_ready_is_not_ready(workspace):
    workspace.stage = "growth"
    task = make_task(workspace, yes=2, justification="Agency is better.", ready=False)
    advice = advise(task)
    assert advice.verdict == Verdict.NOT_READY
    assert {"core_justified", "no_deliverables", "no_checkpoints"} <= set(_codes(advice))


def test_unassessed_task_is_not_ready(workspace):
    task = make_task(workspace, q_differentiates=None, q_proprietary=None, q_revenue_critical=None, q_must_own=None)
    advice = advise(task)
    assert advice.verdict == Verdict.NOT_READY and advice.suggested_core is None
    assert advice.next_step == "Answer the four core questions."


def test_readiness_needs_a_deliverable_with_written_criteria(workspace):
    task = make_task(workspace, ready=False, sop=True, checkpoint_every_days=7)
    assert _codes(advise(task))[1:3] == ["non_core", "no_deliverables"]
    Deliverable.objects.create(workspace=workspace, task=task, name="Draft", acceptance_criteria="  ")
    task = Task.objects.get(pk=task.pk)
    assert "no_acceptance_criteria" in _codes(advise(task))
    Deliverable.objects.create(workspace=workspace, task=task, name="Final", acceptance_criteria="Signed off.")
    task = Task.objects.get(pk=task.pk)
    assert advise(task).verdict == Verdict.OUTSOURCE


@pytest.mark.parametrize("days, ready", [(None, False), (1, True), (14, True), (15, False)])
def test_checkpoint_cadence_at_the_threshold(workspace, days, ready):
    task = make_task(workspace, checkpoint_every_days=days)
    advice = advise(task)
    assert advice.ready is ready
    assert advice.verdict == (Verdict.OUTSOURCE if ready else Verdict.NOT_READY)


def test_the_threshold_is_the_workspace_setting(workspace):
    workspace.checkpoint_max_days = 7
    task = make_task(workspace, checkpoint_every_days=8)
    assert advise(task, workspace).verdict == Verdict.NOT_READY


def test_sop_hook_is_pluggable_and_unknown_is_only_a_note(workspace):
    task = make_task(workspace, sop=False)
    wired = advisor._sop_status[0], advisor._sop_annotations[0], advisor._sop_missing[0]
    advisor.register_sop_status(advisor._sop_unknown)
    try:
        advice = advise(task)
        assert advice.verdict == Verdict.OUTSOURCE and "sop_unknown" in _codes(advice)
        advisor.register_sop_status(lambda t: False)
        assert "no_sop" in _codes(advise(task))
    finally:
        advisor.register_sop_status(*wired)


def test_guidance_tells_the_advisor_whether_an_sop_covers_the_task(workspace):
    """Wired at start-up: no SOP at all → not_ready with "no SOP"; one on the task or on a skill it needs → ready."""
    task = make_task(workspace, sop=False)
    advice = advise(task)
    assert advice.verdict == Verdict.NOT_READY and not advice.ready
    assert [g.code for g in advice.gaps] == ["no_sop"] and "sop_unknown" not in _codes(advice)
    assert advice.next_step == "No SOP covers this task: write down how the work is done."
    skill = SkillFactory(workspace=workspace)
    TaskSkill.objects.create(task=task, skill=skill, level=3)
    other_skill_sop = create_sop(
        workspace=workspace, actor=None, title="Other", body="x", skills=[SkillFactory(workspace=workspace)]
    )
    assert advise(task).verdict == Verdict.NOT_READY  # an SOP on a skill the task does not need does not count
    other_skill_sop.skills.add(skill)
    assert advise(task).verdict == Verdict.OUTSOURCE


def test_a_list_of_tasks_knows_its_sops_without_a_query_per_task(workspace, django_assert_num_queries):
    make_task(workspace, name="With SOP")
    make_task(workspace, name="Without SOP", sop=False)
    tasks = list(with_advice_data(Task.objects.filter(workspace=workspace)).order_by("name"))
    with django_assert_num_queries(0):
        verdicts = [advise(t, workspace).verdict for t in tasks]
    assert verdicts == [Verdict.OUTSOURCE, Verdict.NOT_READY]

"""The outsourcing map page reads each task's facts in SQL (`advisor.fact_annotations`) and
places them with `advisor.decide`: it must show exactly what the advisor says task by task
(`advise`, and the map built from it, `outsourcing_map`), on a mixed set of tasks."""

from __future__ import annotations

import itertools
import random
from decimal import Decimal

import pytest

from sourcewise.guidance.services import create_sop
from sourcewise.tasks.advisor import advise, decide, fact_annotations
from sourcewise.tasks.models import CORE_QUESTION_FIELDS, Deliverable, Task
from sourcewise.tasks.selectors import FACTS, outsourcing_map, outsourcing_map_page, workspace_tasks
from sourcewise.workspaces.models import Workspace
from tests.talent.factories import SkillFactory
from tests.tasks.factories import TaskFactory, TaskSkillFactory

ANSWERS = [None, 0, 1, 2, 3, 4]  # None: no question answered; n: n yes, the rest no
CHOICES = ["", "core", "non_core"]
JUSTIFICATIONS = ["", " \n\t ", "We must grow fast."]
DELIVERABLES = [[], ["  \n"], ["", "Signed off."], ["Signed off."]]  # acceptance criteria of each
CADENCES = [None, 7, 14, 15, 60]
SOPS = ["none", "task", "skill"]


def mixed_tasks(workspace: Workspace, count: int, seed: int) -> None:
    """`count` tasks drawing every fact the advisor reads at random (the same ones for a seed)."""
    rng = random.Random(seed)
    sop_skill = SkillFactory(workspace=workspace, name="Covered skill")
    create_sop(workspace=workspace, actor=None, title="Covered", body="Steps.", skills=[sop_skill])
    on_task: list[Task] = []
    for i in range(count):
        yes = rng.choice(ANSWERS)
        answers = {name: None if yes is None else n < yes for n, name in enumerate(CORE_QUESTION_FIELDS)}
        if yes is not None and rng.random() < 0.2:
            answers[CORE_QUESTION_FIELDS[-1]] = None  # partly answered
        task = TaskFactory(
            workspace=workspace,
            name=f"Task {i:03d}",
            hours=Decimal(rng.choice(["0", "2.5", "10", "10", "33.25", "80"])),
            frequency=rng.choice([Task.Frequency.RECURRING, Task.Frequency.RECURRING, Task.Frequency.ONE_OFF]),
            sourcing=rng.choice([Task.Sourcing.IN_HOUSE, Task.Sourcing.OUTSOURCE]),
            core_choice=rng.choice(CHOICES),
            justification=rng.choice(JUSTIFICATIONS),
            checkpoint_every_days=rng.choice(CADENCES),
            archived_at="2026-01-01T00:00Z" if rng.random() < 0.05 else None,
            **answers,
        )
        for n, criteria in enumerate(rng.choice(DELIVERABLES)):
            Deliverable.objects.create(workspace=workspace, task=task, name=f"D{n}", acceptance_criteria=criteria)
        sop = rng.choice(SOPS)
        if sop == "task":
            on_task.append(task)
        elif sop == "skill":
            TaskSkillFactory(task=task, skill=sop_skill)
        else:
            TaskSkillFactory(task=task)  # a skill no SOP covers
    create_sop(workspace=workspace, actor=None, title="On tasks", body="Steps.", tasks=on_task)


@pytest.mark.parametrize("stage", [Workspace.Stage.STARTUP, Workspace.Stage.GROWTH])
def test_the_facts_read_in_sql_give_the_advisors_verdict_for_every_task(workspace, stage):
    workspace.stage = stage
    workspace.save()
    mixed_tasks(workspace, 120, seed=stage == Workspace.Stage.GROWTH)
    facts = Task.objects.filter(workspace=workspace).annotate(**fact_annotations(workspace)).values_list("pk", *FACTS)
    in_sql = {pk: values for pk, *values in facts}
    early = stage == Workspace.Stage.STARTUP
    for task in workspace_tasks(workspace):
        assessed, core, justified, ready = in_sql[task.pk]
        advice = advise(task, workspace)
        assert (core, ready) == (advice.core, advice.ready), task.name
        verdict = decide(assessed=assessed, core=core, early_stage=early, justified=justified, ready=ready)
        assert verdict == advice.verdict, task.name
    assert {str(advise(t, workspace).verdict) for t in workspace_tasks(workspace)} == (
        {"not_ready", "keep_in_house", "outsource"} if early else {"not_ready", "keep_in_house", "caution", "outsource"}
    )  # the mix reaches every verdict the stage allows


@pytest.mark.parametrize("limit", [3, 12])
def test_the_page_shows_what_the_map_built_from_every_task_shows(workspace, limit):
    workspace.stage = Workspace.Stage.GROWTH
    workspace.save()
    mixed_tasks(workspace, 80, seed=7)
    old = outsourcing_map(workspace, Task.objects.in_workspace(workspace))
    page = outsourcing_map_page(workspace, Task.objects.in_workspace(workspace), limit=limit)

    assert (page.monthly_hours, page.outsourced_monthly_hours, page.share_pct, page.over_limit) == (
        old.monthly_hours,
        old.outsourced_monthly_hours,
        old.share_pct,
        old.over_limit,
    )
    assert page.verdict_summary() == old.verdict_summary()
    shown = [(key, [(e.task.pk, e.advice) for e in entries], n) for key, _, _, entries, n in page.shown_quadrants()]
    expected = [
        (key, [(e.task.pk, e.advice) for e in entries], n) for key, _, _, entries, n in old.shown_quadrants(limit)
    ]
    assert shown == expected
    assert [t.pk for t in page.chart_tasks] == [t.pk for t in old.chart_tasks]
    assert sum(n for *_, n in shown) == Task.objects.filter(workspace=workspace, archived_at__isnull=True).count()


def test_decide_follows_the_rules_in_order():
    for assessed, core, early, justified, ready in itertools.product([False, True], repeat=5):
        verdict = decide(assessed=assessed, core=core, early_stage=early, justified=justified, ready=ready)
        if not assessed:
            assert verdict == "not_ready"
        elif core and (early or not justified):
            assert verdict == "keep_in_house"
        elif not ready:
            assert verdict == "not_ready"
        else:
            assert verdict == ("caution" if core else "outsource")


def test_the_page_takes_a_fixed_number_of_queries(owner_client, owner, django_assert_max_num_queries):
    mixed_tasks(owner.workspace, 60, seed=3)
    with django_assert_max_num_queries(9):
        page = owner_client.get("/tasks/map/").content.decode()
    assert page.count('class="map-tasks"') == 4

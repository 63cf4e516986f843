"""The dashboard's setup checklist, and "not enough data yet" instead of a score for a
workspace with no outsourced work (dashboard, API, CLI)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from sourcewise.engagements.dashboard import STEPS, setup_checklist
from sourcewise.engagements.models import Engagement
from sourcewise.findings.engine import evaluate
from sourcewise.findings.selectors import has_outsourced_work
from sourcewise.guidance.models import SOP
from tests.engagements.factories import EngagementFactory
from tests.money.factories import RateBenchmarkFactory
from tests.talent.factories import FreelancerFactory, SkillFactory
from tests.tasks.factories import TaskFactory
from tests.workspaces.factories import WorkspaceFactory


def done(workspace) -> set[str]:
    return {s.key for s in setup_checklist(workspace).steps if s.done}


def test_a_new_workspace_has_every_step_open_in_order_with_a_link(workspace):
    checklist = setup_checklist(workspace)
    assert [s.key for s in checklist.steps] == ["tasks", "skills", "rates", "freelancers", "sops", "trial"]
    assert checklist.done_count == 0 and not checklist.complete
    assert checklist.next_step.key == "tasks"
    assert [s.url for s in checklist.steps] == [reverse(name) for *_, name in STEPS]


@pytest.mark.parametrize(
    "make, step",
    [
        (lambda ws: TaskFactory(workspace=ws), "tasks"),
        (lambda ws: SkillFactory(workspace=ws), "skills"),
        (lambda ws: FreelancerFactory(workspace=ws), "freelancers"),
        (lambda ws: SOP.objects.create(workspace=ws, title="Inbox rules"), "sops"),
    ],
)
def test_each_step_ticks_from_its_own_data_only(workspace, make, step):
    make(workspace)
    assert done(workspace) == {step}


def test_a_rate_benchmark_ticks_rates(workspace):
    RateBenchmarkFactory(workspace=workspace)
    assert done(workspace) == {"rates", "skills"}  # a benchmark is for a skill, which it creates


def test_another_workspaces_data_ticks_nothing(workspace):
    other = WorkspaceFactory()
    TaskFactory(workspace=other)
    SkillFactory(workspace=other)
    FreelancerFactory(workspace=other)
    EngagementFactory(workspace=other, state=Engagement.State.ACTIVE)
    assert done(workspace) == set()


def test_an_archived_task_does_not_count(workspace):
    TaskFactory(workspace=workspace, archived_at=timezone.now())
    assert "tasks" not in done(workspace)


@pytest.mark.parametrize(
    "kind, state, ticked",
    [
        (Engagement.Kind.TRIAL, Engagement.State.DRAFT, False),
        (Engagement.Kind.TRIAL, Engagement.State.CANCELLED, False),
        (Engagement.Kind.TRIAL, Engagement.State.ACTIVE, True),
        (Engagement.Kind.TRIAL, Engagement.State.COMPLETED, True),
        (Engagement.Kind.TRIAL, Engagement.State.TERMINATED, True),
        (Engagement.Kind.FULL, Engagement.State.ACTIVE, False),
    ],
)
def test_the_trial_step_needs_a_trial_that_started(workspace, kind, state, ticked):
    rating = 4 if (kind, state) == (Engagement.Kind.TRIAL, Engagement.State.COMPLETED) else None
    EngagementFactory(workspace=workspace, kind=kind, state=state, trial_rating=rating)
    assert ("trial" in done(workspace)) is ticked


def test_all_steps_done_completes_the_checklist(workspace):
    RateBenchmarkFactory(workspace=workspace)
    SOP.objects.create(workspace=workspace, title="Inbox rules")
    EngagementFactory(workspace=workspace, state=Engagement.State.ACTIVE)
    checklist = setup_checklist(workspace)
    assert checklist.complete and checklist.next_step is None and checklist.done_count == 6


def test_the_checklist_is_one_query_however_much_data(workspace, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        setup_checklist(workspace)
    for _ in range(5):
        TaskFactory(workspace=workspace)
        FreelancerFactory(workspace=workspace)
        EngagementFactory(workspace=workspace, state=Engagement.State.ACTIVE)
    with django_assert_max_num_queries(1):
        setup_checklist(workspace)


# -- "no outsourced work": no task marked outsourced (not archived), no engagement that started --


@pytest.mark.parametrize(
    "make, outsourced",
    [
        (lambda ws: None, False),
        (lambda ws: TaskFactory(workspace=ws, sourcing="in_house"), False),
        (lambda ws: TaskFactory(workspace=ws, sourcing="outsource", archived_at=timezone.now()), False),
        (lambda ws: EngagementFactory(workspace=ws, state=Engagement.State.DRAFT, task__sourcing="in_house"), False),
        (
            lambda ws: EngagementFactory(workspace=ws, state=Engagement.State.CANCELLED, task__sourcing="in_house"),
            False,
        ),
        (lambda ws: TaskFactory(workspace=ws, sourcing="outsource"), True),
        (lambda ws: EngagementFactory(workspace=ws, state=Engagement.State.ACTIVE, task__sourcing="in_house"), True),
        (
            lambda ws: EngagementFactory(
                workspace=ws, state=Engagement.State.COMPLETED, trial_rating=4, task__sourcing="in_house"
            ),
            True,
        ),
    ],
)
def test_what_counts_as_outsourced_work(workspace, make, outsourced):
    make(workspace)
    assert has_outsourced_work(workspace) is outsourced
    report = evaluate(workspace)
    assert (report.score is not None) is outsourced
    assert report.status == ("scored" if outsourced else "not_enough_data")


def test_a_thin_workspace_dashboard_says_not_enough_data_and_shows_the_checklist(owner_client, workspace):
    TaskFactory(workspace=workspace, name="Bookkeeping")
    body = owner_client.get("/dashboard/").content.decode()
    assert "Not enough data yet" in body
    assert 'data-testid="health-score">100<' not in body
    assert 'data-testid="setup-checklist"' in body
    assert 'data-step="tasks" data-done="true"' in body
    assert 'data-step="skills" data-done="false"' in body
    assert f'href="{reverse("talent:skill_list")}"' in body
    assert "1 of 6 done" in body


def test_the_checklist_disappears_once_every_step_is_done(owner_client, workspace):
    RateBenchmarkFactory(workspace=workspace)
    SOP.objects.create(workspace=workspace, title="Inbox rules")
    EngagementFactory(workspace=workspace, state=Engagement.State.ACTIVE)
    body = owner_client.get("/dashboard/").content.decode()
    assert 'data-testid="setup-checklist"' not in body
    assert "Not enough data yet" not in body


def test_thin_workspace_over_the_api(client, owner, owner_api):
    payload = client.get("/api/v1/health", headers=owner_api).json()
    assert payload["score"] is None
    assert payload["status"] == "not_enough_data"
    TaskFactory(workspace=owner.workspace, sourcing="outsource")
    payload = client.get("/api/v1/health", headers=owner_api).json()
    assert isinstance(payload["score"], int) and payload["status"] == "scored"


def test_thin_workspace_in_the_cli(workspace):
    out = StringIO()
    call_command("health", "--workspace", str(workspace.pk), stdout=out)
    assert "not enough data yet" in out.getvalue()
    assert "/100" not in out.getvalue()
    out = StringIO()
    call_command("health", "--workspace", str(workspace.pk), "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert (payload["score"], payload["status"]) == (None, "not_enough_data")

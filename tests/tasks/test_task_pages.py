from __future__ import annotations

from decimal import Decimal

import pytest

from sourcewise.guidance.services import create_sop
from sourcewise.tasks.models import Deliverable, Task, TaskSkill
from tests.talent.factories import SkillFactory
from tests.tasks.factories import TaskFactory
from tests.tasks.helpers import make_task

pytestmark = pytest.mark.django_db


def test_add_a_task_with_skill_needs(owner_client, owner):
    skill = SkillFactory(workspace=owner.workspace, name="Copywriting")
    response = owner_client.post(
        "/tasks/new/", {"name": "Blog posts", "description": "Two a week", f"skill_{skill.pk}": "3"}
    )
    task = Task.objects.get()
    assert response.status_code == 302
    assert list(TaskSkill.objects.filter(task=task).values_list("skill__name", "level")) == [("Copywriting", 3)]
    assert "Copywriting ≥ 3" in owner_client.get(f"/tasks/{task.pk}/").content.decode()


def test_add_a_task_with_money_and_a_template(owner_client, owner):
    page = owner_client.get("/tasks/new/?template=customer_support").content.decode()
    assert 'value="Customer support inbox"' in page
    response = owner_client.post(
        "/tasks/new/",
        {
            "template": "customer_support",
            "name": "Support",
            "frequency": "recurring",
            "hours": "40",
            "inhouse_hourly_cost": "31.50",
            "inhouse_cost_currency": "EUR",
            "sourcing": "in_house",
            "checkpoint_every_days": "",
        },
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert (task.inhouse_hourly_cost, task.inhouse_cost_currency, task.checkpoint_every_days) == (
        Decimal("31.50"),
        "EUR",
        7,
    )
    assert task.deliverables.count() == 2


def test_bad_input_shows_a_message_and_saves_nothing(owner_client, owner):
    response = owner_client.post("/tasks/new/", {"name": "X", "hours": "-3", "inhouse_hourly_cost": "abc"})
    assert response.status_code == 200
    assert "greater than or equal to 0" in response.content.decode()
    assert Task.objects.count() == 0


def test_task_names_are_unique_per_workspace_case_insensitively(owner_client, owner):
    TaskFactory(workspace=owner.workspace, name="Bookkeeping")
    TaskFactory(name="Bookkeeping")  # another workspace may have the same name
    response = owner_client.post("/tasks/new/", {"name": "bookkeeping", "description": ""})
    assert "already exists" in response.content.decode()
    assert Task.objects.filter(workspace=owner.workspace).count() == 1


def test_detail_shows_verdict_reasons_and_findings(owner_client, owner):
    task = make_task(owner.workspace, yes=2, sourcing="outsource")
    page = owner_client.get(f"/tasks/{task.pk}/").content.decode()
    assert 'data-verdict="keep_in_house"' in page
    assert "Does it differentiate you to your customers?" in page
    assert 'data-code="CORE_TASK_OUTSOURCED"' in page


def test_answering_and_adding_deliverables_with_htmx_returns_the_workbench(owner_client, owner):
    task = TaskFactory(workspace=owner.workspace, checkpoint_every_days=7)
    create_sop(workspace=owner.workspace, actor=None, title="How", body="Step by step.", tasks=[task])
    htmx = {"HX-Request": "true"}
    answers = {"q_differentiates": "no", "q_proprietary": "yes", "q_revenue_critical": "no", "q_must_own": ""}
    response = owner_client.post(f"/tasks/{task.pk}/assess/", answers, headers=htmx)
    body = response.content.decode()
    assert (response.status_code == 200 and body.startswith('\n<div id="workbench">')) or 'id="workbench"' in body
    assert "<html" not in body and 'data-verdict="not_ready"' in body
    task.refresh_from_db()
    assert (task.q_differentiates, task.q_proprietary, task.q_must_own) == (False, True, None)
    response = owner_client.post(
        f"/tasks/{task.pk}/deliverables/", {"name": "Report", "acceptance_criteria": "Weekly."}, headers=htmx
    )
    assert 'data-verdict="outsource"' in response.content.decode()


def test_deliverable_without_name_is_refused(owner_client, owner):
    task = TaskFactory(workspace=owner.workspace)
    response = owner_client.post(f"/tasks/{task.pk}/deliverables/", {"name": ""})
    assert response.status_code == 422 and "This field is required" in response.content.decode()
    assert Deliverable.objects.count() == 0


def test_edit_and_delete_a_deliverable(owner_client, owner):
    task = make_task(owner.workspace)
    deliverable = task.deliverables.get()
    owner_client.post(f"/tasks/deliverables/{deliverable.pk}/edit/", {"name": "Final", "acceptance_criteria": "OK"})
    deliverable.refresh_from_db()
    assert deliverable.name == "Final"
    owner_client.post(f"/tasks/deliverables/{deliverable.pk}/delete/")
    assert not Deliverable.objects.exists()


def test_archive_removes_from_the_list_and_restore_brings_back(owner_client, owner):
    task = TaskFactory(workspace=owner.workspace, name="Old job")
    owner_client.post(f"/tasks/{task.pk}/archive/", follow=True)
    assert "Old job" not in owner_client.get("/tasks/").content.decode()
    assert "Old job" in owner_client.get("/tasks/?show=archived").content.decode()
    owner_client.post(f"/tasks/{task.pk}/archive/")
    assert "Old job" in owner_client.get("/tasks/").content.decode()


def test_apply_template_to_an_existing_task(owner_client, owner):
    task = TaskFactory(workspace=owner.workspace)
    owner_client.post(f"/tasks/{task.pk}/template/", {"template": "graphic_design"})
    owner_client.post(f"/tasks/{task.pk}/template/", {"template": "graphic_design"})  # idempotent
    assert task.deliverables.count() == 2


def test_outsourcing_map_page_with_svg_chart(owner_client, owner):
    make_task(owner.workspace, sourcing="outsource", hours=Decimal("70"), name="Out <b>")
    make_task(owner.workspace, hours=Decimal("30"), name="In", yes=3)
    page = owner_client.get("/tasks/map/").content.decode()
    assert "70.0 %" in page and "<svg" in page and "limit 60 %" in page
    assert "Out &lt;b&gt;" in page and "<b>" not in page.split("<svg", 1)[1].split("</svg>")[0]
    assert 'data-quadrant="core_ready"' in page


def test_list_and_map_use_a_fixed_number_of_queries(owner_client, owner, django_assert_max_num_queries):
    for i in range(25):
        make_task(owner.workspace, name=f"Task {i}", yes=i % 3)
    with django_assert_max_num_queries(12):
        assert owner_client.get("/tasks/").status_code == 200
    with django_assert_max_num_queries(12):
        assert owner_client.get("/tasks/map/").status_code == 200

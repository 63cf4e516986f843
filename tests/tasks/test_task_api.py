from __future__ import annotations

from decimal import Decimal

import pytest

from sourcewise.guidance.services import create_sop
from sourcewise.tasks.models import Deliverable, Task
from tests.tasks.factories import TaskFactory
from tests.tasks.helpers import make_task

pytestmark = pytest.mark.django_db


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", headers=headers)


def put(client, url, body, headers):
    return client.put(url, body, content_type="application/json", headers=headers)


def test_create_with_money_and_the_workspace_currency_by_default(client, owner, owner_api):
    body = {"name": "Bookkeeping", "hours": "12.5", "inhouse_hourly_cost": "40.10", "sourcing": "outsource"}
    response = post(client, "/api/v1/tasks", body, owner_api)
    assert response.status_code == 201
    data = response.json()
    assert (data["hours"], data["inhouse_hourly_cost"], data["inhouse_cost_currency"]) == ("12.50", "40.10", "GBP")
    assert data["verdict"] == "not_ready" and data["assessment"]["suggested_core"] is None
    task = Task.objects.get()
    assert task.inhouse_hourly_cost == Decimal("40.10") and isinstance(task.hours, Decimal)


def test_template_prefills_deliverables_and_cadence(client, owner, owner_api):
    response = post(client, "/api/v1/tasks", {"name": "Books", "template": "bookkeeping"}, owner_api)
    data = response.json()
    assert data["checkpoint_every_days"] == 7
    assert [d["name"] for d in data["deliverables"]] == ["Monthly reconciliation", "VAT / sales-tax workpaper"]
    assert all(d["acceptance_criteria"] for d in data["deliverables"])
    templates = client.get("/api/v1/task-templates", headers=owner_api).json()
    assert {"bookkeeping", "social_media", "customer_support", "web_development", "graphic_design"} <= {
        t["key"] for t in templates
    }


def test_bad_input_is_a_clear_422_and_changes_nothing(client, owner, owner_api):
    for body in (
        {"name": "X", "hours": "-1"},
        {"name": "X", "inhouse_hourly_cost": "1.001"},
        {"name": "X", "inhouse_cost_currency": "ZZZ"},
        {"name": "X", "sourcing": "abroad"},
        {"name": "X", "checkpoint_every_days": 0},
        {"name": "X", "template": "astrology"},
        {"name": "   "},
    ):
        response = post(client, "/api/v1/tasks", body, owner_api)
        assert response.status_code == 422, body
        assert response.json()["message"]
    assert Task.objects.count() == 0


def test_advice_assessment_and_deliverables_change_the_verdict(client, owner, owner_api):
    task = TaskFactory(workspace=owner.workspace, checkpoint_every_days=7)
    create_sop(workspace=owner.workspace, actor=None, title="How", body="Step by step.", tasks=[task])
    advice_url = f"/api/v1/tasks/{task.pk}/advice"
    assert client.get(advice_url, headers=owner_api).json()["verdict"] == "not_ready"
    answers = {"q_differentiates": False, "q_proprietary": True, "q_revenue_critical": False, "q_must_own": None}
    assessed = put(client, f"/api/v1/tasks/{task.pk}/assessment", answers, owner_api).json()
    assert assessed["suggested_core"] is False and assessed["core"] is False
    advice = client.get(advice_url, headers=owner_api).json()
    assert advice["verdict"] == "not_ready" and "no_deliverables" in [r["code"] for r in advice["reasons"]]
    created = post(
        client,
        f"/api/v1/tasks/{task.pk}/deliverables",
        {"name": "Monthly report", "acceptance_criteria": "By the 5th."},
        owner_api,
    )
    assert created.status_code == 201
    assert client.get(advice_url, headers=owner_api).json()["verdict"] == "outsource"
    override = {**answers, "core_choice": "core"}
    assert put(client, f"/api/v1/tasks/{task.pk}/assessment", override, owner_api).json()["core"] is True
    assert client.get(advice_url, headers=owner_api).json()["verdict"] == "keep_in_house"  # startup stage


def test_deliverable_crud_and_duplicate_names(client, owner, owner_api):
    task = TaskFactory(workspace=owner.workspace)
    url = f"/api/v1/tasks/{task.pk}/deliverables"
    first = post(client, url, {"name": "Draft"}, owner_api).json()
    assert post(client, url, {"name": "draft"}, owner_api).status_code == 409
    updated = put(
        client, f"/api/v1/deliverables/{first['id']}", {"name": "Draft", "acceptance_criteria": "OK"}, owner_api
    )
    assert updated.json()["acceptance_criteria"] == "OK"
    page = client.get(url, headers=owner_api).json()
    assert [d["name"] for d in page["items"]] == ["Draft"]
    assert client.delete(f"/api/v1/deliverables/{first['id']}", headers=owner_api).status_code == 204
    assert Deliverable.objects.count() == 0


def test_archive_and_restore(client, owner, owner_api):
    task = TaskFactory(workspace=owner.workspace)
    assert post(client, f"/api/v1/tasks/{task.pk}/archive", {}, owner_api).json()["archived"] is True
    assert client.get("/api/v1/tasks", headers=owner_api).json()["items"] == []
    assert len(client.get("/api/v1/tasks?archived=true", headers=owner_api).json()["items"]) == 1
    assert post(client, f"/api/v1/tasks/{task.pk}/restore", {}, owner_api).json()["archived"] is False


def test_outsourcing_map(client, owner, owner_api):
    make_task(owner.workspace, sourcing="outsource", hours=Decimal("60.01"), name="Out")
    make_task(owner.workspace, hours=Decimal("39.99"), name="In", yes=2)
    data = client.get("/api/v1/outsourcing-map", headers=owner_api).json()
    assert data["outsourced_share_pct"] == "60.01" and data["over_limit"] is True
    quadrants = {q["key"]: len(q["task_ids"]) for q in data["quadrants"]}
    assert quadrants == {"non_core_ready": 1, "non_core_not_ready": 0, "core_ready": 1, "core_not_ready": 0}


def test_task_list_query_count_does_not_grow(client, owner, owner_api, django_assert_max_num_queries):
    for i in range(30):
        make_task(owner.workspace, name=f"Task {i}")
    with django_assert_max_num_queries(9):
        response = client.get("/api/v1/tasks?limit=200", headers=owner_api)
    assert len(response.json()["items"]) == 30

from __future__ import annotations

from sourcewise.tasks.models import Task, TaskSkill
from tests.factories import SkillFactory, TaskFactory


def test_add_a_task_with_skill_needs(owner_client, owner):
    skill = SkillFactory(workspace=owner.workspace, name="Copywriting")
    response = owner_client.post(
        "/tasks/new/", {"name": "Blog posts", "description": "Two a week", f"skill_{skill.pk}": "3"}
    )
    task = Task.objects.get()
    assert response.status_code == 302
    assert list(TaskSkill.objects.filter(task=task).values_list("skill__name", "level")) == [("Copywriting", 3)]
    assert "Copywriting ≥ 3" in owner_client.get(f"/tasks/{task.pk}/").content.decode()


def test_task_names_are_unique_per_workspace_case_insensitively(owner_client, owner):
    TaskFactory(workspace=owner.workspace, name="Bookkeeping")
    TaskFactory(name="Bookkeeping")  # another workspace may have the same name
    response = owner_client.post("/tasks/new/", {"name": "bookkeeping", "description": ""})
    assert "already exists" in response.content.decode()
    assert Task.objects.filter(workspace=owner.workspace).count() == 1


def test_task_api_round_trip(client, owner, owner_api):
    skill = SkillFactory(workspace=owner.workspace, name="SEO")
    body = {"name": "SEO audit", "description": "Quarterly", "skills": [{"skill_id": skill.pk, "level": 3}]}
    created = client.post("/api/v1/tasks", body, content_type="application/json", headers=owner_api)
    assert created.status_code == 201
    task_id = created.json()["id"]
    body["skills"] = []
    updated = client.put(f"/api/v1/tasks/{task_id}", body, content_type="application/json", headers=owner_api)
    assert updated.status_code == 200 and updated.json()["skills"] == []
    bad = client.post("/api/v1/tasks", {"name": ""}, content_type="application/json", headers=owner_api)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "name"

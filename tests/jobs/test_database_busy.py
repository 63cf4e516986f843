"""A locked SQLite database never answers 500: the request is retried when safe, else 503."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from sourcewise.core import middleware
from sourcewise.jobs.models import Job
from sourcewise.talent.models import Skill

LOCKED = OperationalError("database is locked")


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch):
    monkeypatch.setattr("sourcewise.core.middleware.time.sleep", lambda seconds: None)


def test_a_write_that_finds_the_database_locked_is_retried_and_succeeds(owner_client, owner, monkeypatch):
    from sourcewise.talent import services

    real = services.create_skill
    calls = []

    def locked_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise LOCKED
        return real(**kwargs)

    monkeypatch.setattr(services, "create_skill", locked_once)
    response = owner_client.post("/talent/skills/", {"name": "Copywriting", "description": ""})
    assert response.status_code == 302 and len(calls) == 2
    assert Skill.objects.filter(workspace=owner.workspace, name="Copywriting").count() == 1


def test_a_write_that_stays_locked_gets_503_with_retry_after_and_changes_nothing(owner_client, owner, monkeypatch):
    from sourcewise.talent import services

    calls = []

    def always_locked(**kwargs):
        calls.append(1)
        raise LOCKED

    monkeypatch.setattr(services, "create_skill", always_locked)
    response = owner_client.post("/talent/skills/", {"name": "Copywriting", "description": ""})
    assert response.status_code == 503 and response["Retry-After"] == str(middleware.RETRY_AFTER_SECONDS)
    assert "try again in a few seconds" in response.content.decode()
    assert len(calls) == 1 + middleware.RETRIES
    assert not Skill.objects.filter(name="Copywriting").exists()


def test_a_post_that_already_wrote_is_not_run_twice(owner_client, owner, monkeypatch):
    from sourcewise.talent import services

    calls = []

    def write_then_locked(**kwargs):
        calls.append(1)
        Job.objects.create(workspace=owner.workspace, kind="x", title="a write before the lock")
        raise LOCKED

    monkeypatch.setattr(services, "create_skill", write_then_locked)
    response = owner_client.post("/talent/skills/", {"name": "Copywriting", "description": ""})
    assert response.status_code == 503 and response["Retry-After"] and len(calls) == 1


def test_the_api_answers_a_locked_database_with_json_503(owner, owner_api, client, monkeypatch):
    job = Job.objects.create(workspace=owner.workspace, kind="x", title="t", created_by=owner.user)

    def locked(*args, **kwargs):
        raise LOCKED

    monkeypatch.setattr("sourcewise.jobs.api.scoped_object", locked)
    response = client.get(f"/api/v1/jobs/{job.pk}", headers=owner_api)
    assert response.status_code == 503 and response["Retry-After"] == str(middleware.RETRY_AFTER_SECONDS)
    assert response.json()["code"] == "busy"


def test_other_database_errors_are_not_hidden(owner, owner_api, client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("no such table: nothing")

    monkeypatch.setattr("sourcewise.jobs.api.scoped_object", broken)
    response = client.get("/api/v1/jobs/1", headers=owner_api)
    assert response.status_code == 500

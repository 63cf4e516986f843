"""API request bodies: over the limit is a 413 naming it, a body that is not one JSON object a clear 400."""

from __future__ import annotations

import json

import pytest

from sourcewise.api.limits import LARGE_BODIES, default_limit
from sourcewise.backups.forms import MAX_BACKUP_BYTES
from sourcewise.costs.models import CostEntry
from sourcewise.tasks.models import Task


def _post(client, path, body: str | bytes, headers, **extra):
    return client.post(path, data=body, content_type="application/json", headers=headers, **extra)


def test_a_body_over_the_default_limit_is_413_with_the_limit_in_the_message(client, owner_api):
    body = json.dumps({"name": "Bookkeeping", "description": "x" * (default_limit() + 10)})

    response = _post(client, "/api/v1/tasks", body, owner_api)

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "2.5 MB" in response.json()["message"]
    assert not Task.objects.exists()


def test_a_body_over_the_default_limit_is_413_on_put_too(client, owner_api, workspace):
    task = Task.objects.create(workspace=workspace, name="Bookkeeping")
    body = json.dumps({"name": "x" * (default_limit() + 10)})

    response = client.put(f"/api/v1/tasks/{task.pk}", data=body, content_type="application/json", headers=owner_api)

    assert response.status_code == 413
    assert Task.objects.get().name == "Bookkeeping"


def test_restore_takes_a_backup_larger_than_the_default_limit(client, owner_api):
    backup = client.get("/api/v1/backup", headers=owner_api).json()
    backup["workspace"]["padding"] = "x" * (default_limit() + 1024)
    body = json.dumps(backup)
    assert len(body) > default_limit()

    response = _post(client, "/api/v1/backup/restore", body, owner_api)

    # The restore itself judges the file (an unknown field may be refused); the size is no reason.
    assert response.status_code not in {413, 500}, response.content[:300]


def test_restore_refuses_a_body_over_the_backup_limit_before_reading_it(client, owner_api):
    # The declared length alone decides: the 201 MB are never read.
    response = _post(
        client, "/api/v1/backup/restore", b"{}", owner_api, CONTENT_LENGTH=str(MAX_BACKUP_BYTES + 2 * 1024 * 1024)
    )

    assert response.status_code == 413
    assert f"{LARGE_BODIES['restore'] / (1024 * 1024):.1f} MB" in response.json()["message"]


def test_without_a_token_a_large_restore_body_is_not_read(client):
    response = _post(client, "/api/v1/backup/restore", b"{}", {}, CONTENT_LENGTH=str(10 * 1024 * 1024))

    assert response.status_code == 401


def test_a_csv_import_takes_a_file_larger_than_the_default_limit(client, owner_api):
    row = "2026-03-01,tools,10.00,EUR," + "Licence " * 35 + ",,,L-{n}\n"
    csv_text = "date,category,amount,currency,description,engagement,task,reference\n"
    csv_text += "".join(row.format(n=n) for n in range(10_000))
    body = json.dumps({"csv": csv_text})
    assert default_limit() < len(body) < 5 * 1024 * 1024

    response = _post(client, "/api/v1/cost-entries/import", body, owner_api)

    assert response.status_code == 200, response.content[:300]
    assert CostEntry.objects.count() == 10_000


@pytest.mark.parametrize(
    ("body", "kind"),
    [("[1, 2]", "an array"), ('"text"', "a string"), ("3", "a number"), ("null", "null"), ("true", "true or false")],
)
def test_a_body_that_is_not_a_json_object_is_refused_clearly(client, owner_api, body, kind):
    response = _post(client, "/api/v1/tasks", body, owner_api)

    assert response.status_code == 400
    assert response.json()["message"] == f"The request body must be a JSON object ({{...}}), not {kind}."
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ('{"name": "x", "hours": NaN}', "NaN is not a JSON number"),
        ('{"name": "x", "hours": Infinity}', "Infinity is not a JSON number"),
        ('{"name": "x", "name": "y"}', 'The key "name" appears twice'),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"name": ', "not valid JSON"),
        (b'{"name": "\xff"}', "not valid JSON"),
    ],
)
def test_malformed_json_is_a_clear_400(client, owner_api, body, words):
    response = _post(client, "/api/v1/tasks", body, owner_api)

    assert response.status_code == 400
    assert words in response.json()["message"]
    assert not Task.objects.exists()

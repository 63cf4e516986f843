"""What the API gives can be sent back: GET a resource, PUT the same JSON, get 200 and no change.

Every PUT operation of the API is covered (the OpenAPI schema is enumerated), on the demo
business, for every row of each resource: started engagements, posted fees, tasks without
an in-house currency and freelancers with example.com-style addresses included.
"""

from __future__ import annotations

import pytest
import time_machine

from sourcewise.demo.builder import build_demo
from sourcewise.workspaces.models import Membership
from tests.conftest import api_headers

# PUT path → where its representation is read: the same path, or a list whose items are it.
SAME = "same"
RESOURCES = {
    "/api/v1/freelancers/{freelancer_id}": ("/api/v1/freelancers", SAME),
    "/api/v1/tasks/{task_id}": ("/api/v1/tasks", SAME),
    "/api/v1/tasks/{task_id}/assessment": ("/api/v1/tasks", SAME),
    "/api/v1/deliverables/{deliverable_id}": ("/api/v1/tasks/{task_id}/deliverables", SAME),
    "/api/v1/sops/{sop_id}": ("/api/v1/sops", SAME),
    "/api/v1/engagements/{engagement_id}": ("/api/v1/engagements", SAME),
    "/api/v1/cost-entries/{entry_id}": ("/api/v1/cost-entries", SAME),
    "/api/v1/document-types/{document_type_id}": ("/api/v1/document-types", "list"),
    "/api/v1/handovers/{handover_id}": ("/api/v1/handovers", "list"),
    "/api/v1/members/{membership_id}/internal-cost": ("/api/v1/members/costs", "list"),
}
# A freelancer's answer to this month's pulse is written, never read back one by one.
NOT_RESOURCES = {"/api/v1/pulses/current"}


def _put_paths() -> set[str]:
    from sourcewise.api.main import api

    return {path for path, operations in api.get_openapi_schema()["paths"].items() if "put" in operations}


def test_every_put_operation_is_covered():
    assert _put_paths() == set(RESOURCES) | NOT_RESOURCES


def _all(client, url, headers):
    """Every item of a list (following the cursor), or the list itself when it is not paged."""
    items, cursor = [], None
    while True:
        response = client.get(url, {"limit": 200, **({"cursor": cursor} if cursor else {})}, headers=headers)
        assert response.status_code == 200, (url, response.content[:300])
        body = response.json()
        if isinstance(body, list):
            return body
        items += body["items"]
        cursor = body.get("next_cursor")
        if not cursor:
            return items


@pytest.fixture
def demo(db):
    with time_machine.travel("2026-06-15 10:00:00+00:00", tick=False):
        yield build_demo(domain="roundtrip.example")


def test_a_get_representation_put_back_changes_nothing(client, demo):
    headers = api_headers(Membership.objects.get(workspace=demo.workspace, user__email="olivia@roundtrip.example"))
    tried: dict[str, int] = {}
    failures = []
    for put_path, (source, how) in RESOURCES.items():
        param = put_path.split("{", 1)[1].split("}", 1)[0]
        if "{task_id}" in source:
            sources = [source.format(task_id=t["id"]) for t in _all(client, "/api/v1/tasks", headers)]
        else:
            sources = [source]
        items = [item for url in sources for item in _all(client, url, headers)]
        key = "membership_id" if param == "membership_id" else "id"
        for item in items:
            url = put_path.replace("{" + param + "}", str(item[key]))
            before = client.get(url, headers=headers).json() if how == SAME else item
            response = client.put(url, data=before, content_type="application/json", headers=headers)
            after = client.get(url, headers=headers).json() if how == SAME else response.json()
            if response.status_code != 200 or after != before:
                failures.append((url, response.status_code, response.content[:300]))
            tried[put_path] = tried.get(put_path, 0) + 1

    assert failures == []
    assert set(tried) == set(RESOURCES), "the demo has rows of every resource"

"""The engagements list and detail over the API answer what ninja's schema would, in ≤ 4 queries."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from ninja.responses import NinjaJSONEncoder

from sourcewise.api.schemas import Page
from sourcewise.engagements.api import EngagementOut
from sourcewise.talent.models import Freelancer
from tests.conftest import api_headers
from tests.engagements.factories import EngagementFactory


def _as_ninja_writes(data, schema):
    """What ninja answers for `data` through the operation's response schema."""
    return json.dumps(schema.model_validate(data).model_dump(), cls=NinjaJSONEncoder)


def _mixed(workspace, manager):
    """Engagements with and without the optional values, one with microseconds in its timestamps."""
    moment = timezone.now().replace(microsecond=123456)
    return [
        EngagementFactory(
            workspace=workspace,
            manager=manager,
            rate=Decimal("25.50"),
            budget_cap=Decimal("40"),
            expected_monthly_saving=Decimal("300.10"),
            activated_at=moment,
            state="active",
            end_date=datetime.date(2026, 9, 30),
        ),
        EngagementFactory(
            workspace=workspace,
            manager=None,
            rate=Decimal("7"),
            budget_cap=None,
            activated_at=moment.replace(microsecond=0),
        ),
        EngagementFactory(workspace=workspace, manager=manager, trial_hours_cap=12),
    ]


def test_list_and_detail_answer_the_schemas_json_byte_for_byte(client, workspace, manager, owner_api):
    made = _mixed(workspace, manager)
    listed = client.get("/api/v1/engagements", headers=owner_api)
    assert listed.status_code == 200 and listed["Content-Type"] == "application/json; charset=utf-8"
    assert listed.content.decode() == _as_ninja_writes(listed.json(), Page[EngagementOut])
    for engagement in made:
        one = client.get(f"/api/v1/engagements/{engagement.pk}", headers=owner_api)
        assert one.content.decode() == _as_ninja_writes(one.json(), EngagementOut)
        assert one.json() == next(item for item in listed.json()["items"] if item["id"] == engagement.pk)


def test_the_items_hold_the_engagements_values(client, workspace, manager, owner_api):
    first, second, third = _mixed(workspace, manager)
    items = {item["id"]: item for item in client.get("/api/v1/engagements", headers=owner_api).json()["items"]}
    item = items[first.pk]
    assert (item["rate"], item["budget_cap"], item["expected_monthly_saving"]) == ("25.50", "40.00", "300.10")
    assert (item["start_date"], item["end_date"]) == (first.start_date.isoformat(), "2026-09-30")
    assert item["activated_at"].endswith(".123Z")
    assert datetime.datetime.fromisoformat(item["activated_at"]) == first.activated_at.replace(microsecond=123000)
    assert item["manager"] == {"id": manager.pk, "name": manager.user.full_name or manager.user.email}
    assert item["freelancer"] == {"id": first.freelancer_id, "name": first.freelancer.name}
    assert item["task"] == {"id": first.task_id, "name": first.task.name}
    assert item["expected_saving_currency"] == workspace.base_currency
    assert items[second.pk]["manager"] is None and items[second.pk]["budget_cap"] is None
    assert "." not in items[second.pk]["activated_at"] and items[second.pk]["activated_at"].endswith("Z")
    assert items[second.pk]["rate"] == "7.00"
    assert items[third.pk]["trial_hours_cap"] == 12 and items[third.pk]["activated_at"] is None


def test_at_most_four_queries_whatever_the_page_size(client, workspace, manager, owner_api):
    for _ in range(12):
        EngagementFactory(workspace=workspace, manager=manager)
    client.get("/api/v1/engagements?limit=1", headers=owner_api)  # stamps the token's last use
    counts = {}
    for limit in (1, 5, 50, 200):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/engagements?limit={limit}", headers=owner_api)
        assert len(response.json()["items"]) == min(limit, 12)
        counts[limit] = len(queries)
    assert max(counts.values()) <= 4 and len(set(counts.values())) == 1, counts


def test_pages_follow_each_other_by_cursor(client, workspace, manager, owner_api):
    made = sorted(e.pk for e in (EngagementFactory(workspace=workspace, manager=manager) for _ in range(7)))
    EngagementFactory()  # another workspace: never listed
    seen, cursor = [], None
    while True:
        query = "?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"/api/v1/engagements{query}", headers=owner_api).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == made
    assert client.get("/api/v1/engagements?limit=201", headers=owner_api).status_code == 422
    assert client.get("/api/v1/engagements?cursor=-1", headers=owner_api).status_code == 422


def test_another_workspace_and_another_freelancer_are_not_found(
    client, workspace, manager, owner_api, freelancer_member
):
    stranger = EngagementFactory()
    response = client.get(f"/api/v1/engagements/{stranger.pk}", headers=owner_api)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    mine = EngagementFactory(
        workspace=workspace, manager=manager, freelancer=Freelancer.objects.get(user=freelancer_member.user),
        expected_monthly_saving=Decimal("10"),
    )  # fmt: skip
    theirs = EngagementFactory(workspace=workspace, manager=manager)
    as_freelancer = api_headers(freelancer_member)
    assert client.get(f"/api/v1/engagements/{theirs.pk}", headers=as_freelancer).status_code == 404
    own = client.get(f"/api/v1/engagements/{mine.pk}", headers=as_freelancer).json()
    assert own["expected_monthly_saving"] is None and own["expected_saving_currency"] is None
    assert [e["id"] for e in client.get("/api/v1/engagements", headers=as_freelancer).json()["items"]] == [mine.pk]


def test_the_security_headers_stay_on_api_answers(client, workspace, owner_api):
    engagement = EngagementFactory(workspace=workspace)
    for url in ("/api/v1/engagements", f"/api/v1/engagements/{engagement.pk}"):
        response = client.get(url, headers=owner_api)
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"

"""GET /api/v1/health/history: the workspace's daily snapshots."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from sourcewise.findings.models import HealthSnapshot
from tests.conftest import api_headers
from tests.workspaces.factories import MembershipFactory, WorkspaceFactory

TODAY = datetime.date(2026, 11, 20)
URL = "/api/v1/health/history"


@pytest.fixture(autouse=True)
def frozen():
    # Noon in London: the workspace's today is TODAY.
    with time_machine.travel(datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC), tick=False):
        yield


def snap(workspace, days_ago, score, **counts):
    return HealthSnapshot.objects.create(
        workspace=workspace,
        day=TODAY - datetime.timedelta(days=days_ago),
        score=score,
        critical=counts.get("critical", 0),
        warning=counts.get("warning", 0),
        info=counts.get("info", 0),
        accepted=counts.get("accepted", 0),
        by_guardrail=counts.get("by_guardrail", {}),
    )


def test_lists_the_days_with_a_snapshot_oldest_first(client, owner, owner_api):
    snap(owner.workspace, 100, 10)  # older than 90 days: outside the default window
    snap(owner.workspace, 40, 55, critical=2, warning=3, by_guardrail={"G2": 2, "G6": 3})
    snap(owner.workspace, 1, None)  # a day with nothing to score
    response = client.get(URL, headers=owner_api)
    assert response.status_code == 200
    days = response.json()
    assert [d["day"] for d in days][:2] == ["2026-10-11", "2026-11-19"]
    assert days[0] == {
        "day": "2026-10-11",
        "score": 55,
        "critical": 2,
        "warning": 3,
        "info": 0,
        "accepted": 0,
        "by_guardrail": {"G2": 2, "G6": 3},
    }
    assert days[1]["score"] is None
    assert days[-1]["day"] == "2026-11-20"  # the read itself refreshed today's findings: today's snapshot


def test_days_chooses_the_window(client, owner, owner_api):
    snap(owner.workspace, 100, 10)
    snap(owner.workspace, 3, 20)
    assert [d["score"] for d in client.get(URL, {"days": 365}, headers=owner_api).json()][:2] == [10, 20]
    only_today = client.get(URL, {"days": 1}, headers=owner_api).json()
    assert [d["day"] for d in only_today] == ["2026-11-20"]


def test_another_workspace_sees_only_its_own(client, owner, owner_api):
    snap(owner.workspace, 5, 42)
    other_owner = MembershipFactory(workspace=WorkspaceFactory(), role="owner")
    snap(other_owner.workspace, 5, 99)
    theirs = client.get(URL, headers=api_headers(other_owner)).json()
    assert [d["score"] for d in theirs if d["day"] == "2026-11-15"] == [99]
    ours = client.get(URL, headers=owner_api).json()
    assert [d["score"] for d in ours if d["day"] == "2026-11-15"] == [42]


def test_a_manager_may_read_it(client, manager):
    assert client.get(URL, headers=api_headers(manager)).status_code == 200


def test_no_token_is_a_401(client, owner):
    assert client.get(URL).status_code == 401


@pytest.mark.parametrize("days", ["0", "366", "-1", "abc", "1.5"])
def test_days_out_of_range_is_a_422(client, owner_api, days):
    response = client.get(URL, {"days": days}, headers=owner_api)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "days"


def test_query_count_does_not_grow_with_the_days(client, owner, owner_api, django_assert_max_num_queries):
    client.get(URL, headers=owner_api)  # today's full refresh happens on the first read
    for n in range(1, 365):
        snap(owner.workspace, n, 50)
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"days": 365}, headers=owner_api)
    assert len(response.json()) == 365

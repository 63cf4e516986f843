"""GET /api/v1/findings (keyset pages, filters) and GET /api/v1/health (stored, first page + next_cursor)."""

from __future__ import annotations

import base64
import datetime

import pytest
import time_machine
from django.utils import timezone

from sourcewise.findings.acceptance import finding_accept
from sourcewise.findings.models import FindingRecord
from tests.conftest import api_headers
from tests.findings.stored import finding
from tests.workspaces.factories import MembershipFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def _walk(client, headers, query: str) -> tuple[list[dict], int]:
    items: list[dict] = []
    cursor = None
    pages = 0
    while True:
        url = f"/api/v1/findings?{query}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.content
        body = response.json()
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items, pages


def test_pages_cover_every_open_finding_once_in_fix_first_order(client, owner_api, stored):
    start = timezone.now()
    with time_machine.travel(start - datetime.timedelta(days=5), tick=False):
        stored.set(*(finding("NO_SOP", "warning", "task", i) for i in range(10)))
    stored.add(
        *(finding("NO_MANAGER", "critical", "engagement", i) for i in range(3)),
        *(finding("WEAK_REFERENCES", "info", "freelancer", i) for i in range(4)),
    )
    items, pages = _walk(client, owner_api, "limit=4")
    assert pages == 5 and len(items) == 17 and len({i["id"] for i in items}) == 17
    order = [(i["severity"], i["first_seen"]) for i in items]
    assert [s for s, _ in order] == ["critical"] * 3 + ["warning"] * 10 + ["info"] * 4
    warnings = [i for i in items if i["severity"] == "warning"]
    assert [w["first_seen"] for w in warnings] == sorted(w["first_seen"] for w in warnings)
    first = items[0]
    assert first["subject"]["url"] == f"/engagements/{first['subject']['id']}/"
    assert first["status"] == "open" and first["title"] == "Engagement without a manager"


def test_the_filters(client, owner, owner_api, workspace, stored):
    today = workspace.today()
    with time_machine.travel(timezone.now() - datetime.timedelta(days=40), tick=False):
        stored.set(finding("NO_SOP", "warning", "task", 1))
    stored.add(
        finding("NO_MANAGER", "critical", "engagement", 2),
        finding("NO_MANAGER", "critical", "engagement", 3),
        finding("WEAK_REFERENCES", "info", "freelancer", 4),
        finding("DOCUMENT_MISSING", "warning", "freelancer", 5, starts_on=today + datetime.timedelta(days=4)),
    )
    accepted = FindingRecord.objects.get(code="NO_MANAGER", subject_id=3)
    finding_accept(finding=accepted, membership=owner, reason="ok", review_on=today + datetime.timedelta(days=5))
    stored.set(*[f for f in stored.findings if f.subject_id != 4])  # WEAK_REFERENCES is fixed

    def subjects(query: str) -> list[int]:
        return [i["subject"]["id"] for i in _walk(client, owner_api, query)[0]]

    assert subjects("") == [2, 1]
    assert subjects("guardrail=G6") == [1]
    assert subjects("severity=critical") == [2]
    assert subjects("code=NO_MANAGER") == [2]
    assert subjects("subject_type=engagement&subject_id=2") == [2]
    assert subjects("min_age_days=30") == [1]
    assert subjects("status=accepted") == [3]
    assert subjects("status=coming_up") == [5]
    assert subjects("status=resolved") == [4]
    statuses = {
        i["subject"]["id"]: i["status"]
        for s in ("accepted", "coming_up", "resolved")
        for i in _walk(client, owner_api, f"status={s}")[0]
    }
    assert statuses == {3: "accepted", 5: "coming_up", 4: "resolved"}


@pytest.mark.parametrize(
    "query",
    [
        "cursor=nonsense",
        "cursor=" + base64.urlsafe_b64encode(b"f1.0.1.x").decode().rstrip("="),
        "cursor=" + base64.urlsafe_b64encode(b"f2.0.1.1").decode().rstrip("="),
        "cursor=" + base64.urlsafe_b64encode(b"f1.0.99999999999999999999.1").decode().rstrip("="),
        "cursor=" + base64.urlsafe_b64encode(b"\xff\xfe").decode().rstrip("="),
        "cursor=%00",
        "cursor=" + "A" * 300,
        "limit=0",
        "limit=201",
        "severity=fatal",
        "status=everything",
        "subject_id=0",
        "subject_id=99999999999999999999",
        "min_age_days=-1",
        "guardrail=G9",
    ],
)
def test_bad_input_is_a_422_never_a_500(client, owner_api, stored, query):
    stored.set(finding("NO_SOP", "warning", "task", 1))
    response = client.get(f"/api/v1/findings?{query}", headers=owner_api)
    assert response.status_code == 422, (query, response.content)
    assert response.json()["code"] == "invalid_input"


def test_another_workspace_sees_only_its_own_and_a_freelancer_none(client, stored, freelancer_member):
    stored.set(finding("NO_SOP", "warning", "task", 1))
    stranger = MembershipFactory(workspace=WorkspaceFactory(), role="owner")
    assert client.get("/api/v1/findings", headers=api_headers(stranger)).json()["items"] == []
    record = FindingRecord.objects.get(code="NO_SOP")
    assert client.get(f"/api/v1/findings/{record.pk}", headers=api_headers(stranger)).status_code == 404
    assert client.get("/api/v1/findings", headers=api_headers(freelancer_member)).status_code == 403
    assert client.get("/api/v1/health", headers=api_headers(freelancer_member)).status_code == 403


def test_health_reads_the_stored_findings_with_the_first_page_and_a_cursor(client, owner_api, workspace, stored):
    stored.set(*(finding("NO_SOP", "warning" if i else "critical", "task", i) for i in range(7)))
    body = client.get("/api/v1/health?limit=5", headers=owner_api).json()
    assert {"workspace", "evaluated_on", "score", "status", "counts", "findings"} <= set(body)
    assert body["score"] == 100 - 15 - 6 * 5 and body["status"] == "scored"
    assert body["counts"] == {"critical": 1, "warning": 6, "info": 0}
    assert len(body["findings"]) == 5 and body["findings"][0]["severity"] == "critical"
    # The old fields of a finding are all still there.
    assert {"code", "severity", "guardrail", "subject", "message", "fix"} <= set(body["findings"][0])
    rest = client.get(f"/api/v1/findings?cursor={body['next_cursor']}", headers=owner_api).json()
    assert rest["next_cursor"] is None
    assert len({f["id"] for f in body["findings"] + rest["items"]}) == 7
    assert client.get("/api/v1/health", headers=owner_api).json()["next_cursor"] is None  # 50 by default


@pytest.mark.parametrize("size", [20, 300])
def test_health_and_list_take_a_bounded_number_of_queries(
    client, owner_api, stored, size, django_assert_max_num_queries
):
    stored.set(*(finding("NO_SOP", ("critical", "warning", "info")[i % 3], "task", i) for i in range(size)))
    client.get("/api/v1/health", headers=owner_api)
    with django_assert_max_num_queries(10):
        assert client.get("/api/v1/health", headers=owner_api).status_code == 200
    cursor = client.get("/api/v1/findings?limit=10", headers=owner_api).json()["next_cursor"]
    with django_assert_max_num_queries(10):
        assert (
            client.get(f"/api/v1/findings?limit=10&cursor={cursor}&severity=warning", headers=owner_api).status_code
            == 200
        )

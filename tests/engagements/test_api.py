"""Engagements over the API: drafts, transitions with reasons, work inside, freelancer scope, query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.engagements.models import Engagement, TimeEntry
from sourcewise.talent.models import Freelancer
from tests.conftest import api_headers
from tests.engagements.factories import START, EngagementFactory, MilestoneFactory, TimeEntryFactory
from tests.talent.factories import FreelancerFactory
from tests.tasks.factories import ReadyTaskFactory


def _post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", headers=headers)


@pytest.fixture
def manager_api(manager):
    return api_headers(manager)


@pytest.fixture
def freelancer_api(freelancer_member):
    return api_headers(freelancer_member)


def test_plan_and_activate_a_trial(client, workspace, manager, owner_api):
    freelancer, task = FreelancerFactory(workspace=workspace), ReadyTaskFactory(workspace=workspace)
    body = {
        "freelancer_id": freelancer.pk, "task_id": task.pk, "manager_id": None, "kind": "trial",
        "billing": "hourly", "rate": "25.50", "currency": "usd", "budget_cap": "25", "start_date": "2026-03-02",
        "end_date": "2026-03-20", "expected_monthly_saving": "300.00",
    }  # fmt: skip
    created = _post(client, "/api/v1/engagements", body, owner_api)
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["state"], data["rate"], data["currency"], data["manager"]) == ("draft", "25.50", "USD", None)
    refused = _post(client, f"/api/v1/engagements/{data['id']}/activate", {}, owner_api)
    assert refused.status_code == 422
    messages = [e["message"] for e in refused.json()["errors"]]
    assert len(messages) == 3 and messages[0].startswith("No manager")
    assert Engagement.objects.get(pk=data["id"]).state == "draft"
    body.update(manager_id=manager.pk, budget_cap="20", end_date="2026-03-15")
    assert client.put(f"/api/v1/engagements/{data['id']}", body, content_type="application/json",
                      headers=owner_api).status_code == 200  # fmt: skip
    active = _post(client, f"/api/v1/engagements/{data['id']}/activate", {}, owner_api)
    assert active.status_code == 200 and active.json()["state"] == "active"
    again = _post(client, f"/api/v1/engagements/{data['id']}/activate", {}, owner_api)
    assert again.status_code == 422 and "active; it cannot be activated" in again.json()["message"]
    done = _post(client, f"/api/v1/engagements/{data['id']}/complete", {"trial_rating": 4}, owner_api)
    assert done.status_code == 200 and done.json()["trial_rating"] == 4


def test_unknown_ids_in_the_body_are_named(client, workspace, owner_api):
    stranger = FreelancerFactory()  # another workspace
    body = {"freelancer_id": stranger.pk, "task_id": 999999, "rate": "1", "currency": "EUR", "start_date": "2026-03-02"}
    response = _post(client, "/api/v1/engagements", body, owner_api)
    assert response.status_code == 422 and f"Unknown freelancer id {stranger.pk}" in response.json()["message"]
    assert not Engagement.objects.exists()


def test_terminate_and_cancel(client, workspace, manager, owner_api):
    active = EngagementFactory(workspace=workspace, manager=manager, state="active")
    assert _post(client, f"/api/v1/engagements/{active.pk}/terminate", {"reason": ""}, owner_api).status_code == 422
    ok = _post(client, f"/api/v1/engagements/{active.pk}/terminate", {"reason": "Left us"}, owner_api)
    assert ok.json()["state"] == "terminated" and ok.json()["termination_reason"] == "Left us"
    draft = EngagementFactory(workspace=workspace, manager=manager)
    assert _post(client, f"/api/v1/engagements/{draft.pk}/cancel", {}, owner_api).json()["state"] == "cancelled"


def test_list_and_detail_take_at_most_four_queries_whatever_the_page_size(client, workspace, manager, owner_api):
    for _ in range(30):
        EngagementFactory(workspace=workspace, manager=manager)
    EngagementFactory()  # another workspace: never listed
    client.get("/api/v1/engagements?limit=1", headers=owner_api)  # stamps the token's last use
    counts = []
    for limit in (1, 30):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/engagements?limit={limit}", headers=owner_api)
        assert response.status_code == 200 and len(response.json()["items"]) == limit
        counts.append(len(queries))
    assert max(counts) <= 4 and counts[0] == counts[1]
    page = client.get("/api/v1/engagements?limit=20", headers=owner_api).json()
    rest = client.get(f"/api/v1/engagements?limit=20&cursor={page['next_cursor']}", headers=owner_api).json()
    assert len(page["items"]) + len(rest["items"]) == 30 and rest["next_cursor"] is None
    first = page["items"][0]["id"]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/api/v1/engagements/{first}", headers=owner_api).status_code == 200
    assert len(queries) <= 4


def test_a_freelancer_sees_only_their_own_engagements(client, workspace, manager, freelancer_member, freelancer_api):
    freelancer = Freelancer.objects.get(user=freelancer_member.user)
    mine = EngagementFactory(
        workspace=workspace,
        manager=manager,
        state="active",
        freelancer=freelancer,
        expected_monthly_saving=Decimal("500"),
    )
    theirs = EngagementFactory(workspace=workspace, manager=manager, state="active")
    listed = client.get("/api/v1/engagements", headers=freelancer_api).json()["items"]
    assert [e["id"] for e in listed] == [mine.pk]
    assert listed[0]["expected_monthly_saving"] is None  # business figures stay internal
    assert client.get(f"/api/v1/engagements/{theirs.pk}", headers=freelancer_api).status_code == 404
    assert client.get(f"/api/v1/engagements/{theirs.pk}/time-entries", headers=freelancer_api).status_code == 404
    refused = _post(client, f"/api/v1/engagements/{theirs.pk}/time-entries", {"date": "2026-03-03", "hours": "2"},
                    freelancer_api)  # fmt: skip
    assert refused.status_code == 404 and not TimeEntry.objects.exists()
    assert _post(client, f"/api/v1/engagements/{mine.pk}/activate", {}, freelancer_api).status_code == 403


def test_hours_logged_by_the_freelancer_and_approved_over_the_api(
    client, workspace, manager, manager_api, freelancer_member, freelancer_api
):
    mine = EngagementFactory(
        workspace=workspace,
        manager=manager,
        state="active",
        freelancer=Freelancer.objects.get(user=freelancer_member.user),
    )
    logged = _post(client, f"/api/v1/engagements/{mine.pk}/time-entries", {"date": "2026-03-03", "hours": "2.25"},
                   freelancer_api)  # fmt: skip
    assert logged.status_code == 201 and logged.json()["hours"] == "2.25"
    too_many = _post(client, f"/api/v1/engagements/{mine.pk}/time-entries", {"date": "2026-03-03", "hours": "24.5"},
                     freelancer_api)  # fmt: skip
    assert too_many.status_code == 422
    entry_id = logged.json()["id"]
    approved = _post(client, f"/api/v1/time-entries/{entry_id}/review", {"approve": True}, manager_api)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    listed = client.get(f"/api/v1/engagements/{mine.pk}/time-entries", headers=freelancer_api).json()["items"]
    assert [(e["id"], e["status"]) for e in listed] == [(entry_id, "approved")]


def test_milestones_and_reviews_over_the_api(
    client, workspace, manager, manager_api, freelancer_member, freelancer_api
):
    mine = EngagementFactory(
        workspace=workspace,
        manager=manager,
        state="active",
        freelancer=Freelancer.objects.get(user=freelancer_member.user),
    )
    body = {"title": "Logo", "acceptance_criteria": "Three options", "due_date": "2026-03-10"}
    created = _post(client, f"/api/v1/engagements/{mine.pk}/milestones", body, manager_api)
    assert created.status_code == 201
    mid = created.json()["id"]
    submitted = _post(client, f"/api/v1/milestones/{mid}/submit", {"text": "Done", "link": "https://x.test/a"},
                      freelancer_api)  # fmt: skip
    assert submitted.json()["status"] == "submitted"
    back = _post(client, f"/api/v1/milestones/{mid}/review", {"accept": False, "note": "Bigger"}, manager_api)
    assert back.json()["status"] == "returned"
    listed = client.get(f"/api/v1/engagements/{mine.pk}/milestones", headers=freelancer_api).json()["items"]
    assert [m["status"] for m in listed] == ["returned"]
    review = {"date": "2026-03-05", "quality": 4, "timeliness": 5, "communication": 3, "notes": "Good"}
    assert _post(client, f"/api/v1/engagements/{mine.pk}/reviews", review, manager_api).status_code == 201
    assert client.get(f"/api/v1/engagements/{mine.pk}/reviews", headers=freelancer_api).status_code == 403
    reviews = client.get(f"/api/v1/engagements/{mine.pk}/reviews", headers=manager_api).json()["items"]
    assert [(r["quality"], r["timeliness"], r["communication"]) for r in reviews] == [(4, 5, 3)]


def test_offboarding_and_handovers_over_the_api(client, workspace, manager, owner_api):
    leaving = FreelancerFactory(workspace=workspace)
    e = EngagementFactory(workspace=workspace, manager=manager, freelancer=leaving, state="active")
    started = _post(client, f"/api/v1/freelancers/{leaving.pk}/offboarding", {"reason": "Moving"}, owner_api)
    assert started.status_code == 201
    handovers = started.json()["handovers"]
    assert [(h["engagement_id"], h["status"]) for h in handovers] == [(e.pk, "open")]
    assert _post(client, f"/api/v1/freelancers/{leaving.pk}/offboarding", {}, owner_api).status_code == 409
    successor = FreelancerFactory(workspace=workspace)
    body = {"status": "done", "replacement_id": successor.pk, "notes": "Handed over"}
    updated = client.put(f"/api/v1/handovers/{handovers[0]['id']}", body, content_type="application/json",
                         headers=owner_api)  # fmt: skip
    assert updated.status_code == 200 and updated.json()["replacement_id"] == successor.pk
    assert [h["status"] for h in client.get("/api/v1/handovers", headers=owner_api).json()["items"]] == ["done"]


def test_milestone_of_another_freelancer_is_not_found(client, workspace, freelancer_api):
    milestone = MilestoneFactory(engagement__workspace=workspace)
    response = _post(client, f"/api/v1/milestones/{milestone.pk}/submit", {"text": "Mine"}, freelancer_api)
    assert response.status_code == 404
    entry = TimeEntryFactory(engagement__workspace=workspace)
    assert entry.status == "submitted" and START

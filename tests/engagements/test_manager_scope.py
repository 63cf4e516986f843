"""A manager acts only on the engagements they manage (SPEC §7), on every interface.

Each service that changes an engagement or the work inside it is tried by another manager
of the same workspace — over the web and over the API — and must answer 403 with nothing
changed and an audit row written; the engagement's own manager gets through the same
request (so the test cannot pass by refusing everyone).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client

from sourcewise.audit.models import AuditEvent
from sourcewise.core.access import FREELANCER, MANAGER, OWNER
from sourcewise.engagements import lifecycle, milestones, offboarding_flow
from sourcewise.engagements.models import CheckpointReview, Engagement, Handover, Milestone, Offboarding, TimeEntry
from tests.conftest import api_headers, client_for
from tests.engagements.factories import START, EngagementFactory, MilestoneFactory, TimeEntryFactory
from tests.workspaces.factories import MembershipFactory

TODAY = datetime.datetime(2026, 3, 9, 12, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _state(workspace) -> list[Any]:
    """Every row the engagement services write, to prove a refusal changed nothing."""
    return [
        list(model.objects.filter(workspace=workspace).order_by("pk").values())
        for model in (Engagement, Milestone, TimeEntry, CheckpointReview, Handover, Offboarding)
    ]


def _denials() -> int:
    return AuditEvent.objects.filter(action="permission.denied").count()


@dataclass(frozen=True)
class Case:
    name: str
    state: str  # the engagement's state before the attempt
    web: Callable[[Engagement], tuple[str, dict[str, Any]]]  # POST url, form data
    api: Callable[[Engagement], tuple[str, str, dict[str, Any]]]  # method, url, JSON body


def _engagement_body(e: Engagement) -> dict[str, Any]:
    return {
        "freelancer_id": e.freelancer_id, "task_id": e.task_id, "manager_id": e.manager_id, "kind": "trial",
        "billing": "hourly", "rate": "26.00", "currency": "USD", "budget_cap": "20",
        "start_date": str(START), "end_date": str(START + datetime.timedelta(days=13)),
        "expected_monthly_saving": None,
    }  # fmt: skip


def _engagement_form(e: Engagement) -> dict[str, Any]:
    return {
        "freelancer": e.freelancer_id, "task": e.task_id, "manager": e.manager_id, "kind": "trial",
        "billing": "hourly", "rate": "26.00", "currency": "USD", "budget_cap": "20",
        "start_date": str(START), "end_date": str(START + datetime.timedelta(days=13)),
    }  # fmt: skip


def _submitted_milestone(e: Engagement) -> Milestone:
    return MilestoneFactory(engagement=e, status=Milestone.Status.SUBMITTED, deliverable_text="Done")


def _handover(e: Engagement) -> Handover:
    offboarding_flow.start_offboarding(freelancer=e.freelancer, actor=None)
    return Handover.objects.get(engagement=e)


CASES = [
    Case(
        "update_draft",
        "draft",
        lambda e: (f"/engagements/{e.pk}/edit/", _engagement_form(e)),
        lambda e: ("PUT", f"/api/v1/engagements/{e.pk}", _engagement_body(e)),
    ),
    Case(
        "activate",
        "draft",
        lambda e: (f"/engagements/{e.pk}/activate/", {}),
        lambda e: ("POST", f"/api/v1/engagements/{e.pk}/activate", {}),
    ),
    Case(
        "cancel",
        "draft",
        lambda e: (f"/engagements/{e.pk}/cancel/", {}),
        lambda e: ("POST", f"/api/v1/engagements/{e.pk}/cancel", {}),
    ),
    Case(
        "complete",
        "active",
        lambda e: (f"/engagements/{e.pk}/complete/", {"trial_rating": "4", "completion_note": "Good"}),
        lambda e: ("POST", f"/api/v1/engagements/{e.pk}/complete", {"trial_rating": 4}),
    ),
    Case(
        "terminate",
        "active",
        lambda e: (f"/engagements/{e.pk}/terminate/", {"termination_reason": "Missed deadlines"}),
        lambda e: ("POST", f"/api/v1/engagements/{e.pk}/terminate", {"reason": "Missed deadlines"}),
    ),
    Case(
        "add_milestone",
        "active",
        lambda e: (
            f"/engagements/{e.pk}/milestones/new/",
            {"title": "Extra", "acceptance_criteria": "Signed off", "due_date": "2026-03-12"},
        ),
        lambda e: (
            "POST",
            f"/api/v1/engagements/{e.pk}/milestones",
            {"title": "Extra", "acceptance_criteria": "Signed off", "due_date": "2026-03-12"},
        ),
    ),
    Case(
        "record_checkpoint",
        "active",
        lambda e: (
            f"/engagements/{e.pk}/checkpoints/new/",
            {"date": str(START), "quality": "4", "timeliness": "4", "communication": "4"},
        ),
        lambda e: (
            "POST",
            f"/api/v1/engagements/{e.pk}/reviews",
            {"date": str(START), "quality": 4, "timeliness": 4, "communication": 4},
        ),
    ),
    Case(
        "review_deliverable",
        "active",
        lambda e: (f"/engagements/milestones/{_submitted_milestone(e).pk}/review/", {"decision": "accept"}),
        lambda e: ("POST", f"/api/v1/milestones/{_submitted_milestone(e).pk}/review", {"accept": True}),
    ),
    Case(
        "review_time",
        "active",
        lambda e: (f"/engagements/time/{TimeEntryFactory(engagement=e).pk}/review/", {"decision": "approve"}),
        lambda e: ("POST", f"/api/v1/time-entries/{TimeEntryFactory(engagement=e).pk}/review", {"approve": True}),
    ),
    Case(
        "update_handover",
        "active",
        lambda e: (f"/engagements/handovers/{_handover(e).pk}/", {"status": "open", "notes": "Mine now"}),
        lambda e: ("PUT", f"/api/v1/handovers/{_handover(e).pk}", {"status": "open", "notes": "Mine now"}),
    ),
]


def _request(client: Client, method: str, url: str, body: dict[str, Any], headers: dict[str, str]):
    return client.generic(method, url, data=__import__("json").dumps(body), content_type="application/json",
                          headers=headers)  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_another_manager_is_refused_on_the_web(case: Case, workspace, manager):
    engagement = EngagementFactory(workspace=workspace, manager=manager, state=case.state)
    url, data = case.web(engagement)
    intruder = MembershipFactory(workspace=workspace, role=MANAGER)
    before, denials = _state(workspace), _denials()

    response = client_for(intruder).post(url, data)

    assert response.status_code == 403, (url, response.status_code)
    assert _state(workspace) == before
    assert _denials() == denials + 1
    row = AuditEvent.objects.filter(action="permission.denied").first()
    assert (row.actor_id, row.workspace_id, row.changes["path"]) == (intruder.user_id, workspace.pk, url)

    # The engagement's own manager sends the very same request and is not refused.
    mine = client_for(manager).post(url, data)
    assert mine.status_code in (200, 302), (url, mine.status_code)
    assert _denials() == denials + 1


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_another_manager_is_refused_over_the_api(case: Case, workspace, manager, client):
    engagement = EngagementFactory(workspace=workspace, manager=manager, state=case.state)
    method, url, body = case.api(engagement)
    intruder = MembershipFactory(workspace=workspace, role=MANAGER)
    headers = api_headers(intruder)
    before, denials = _state(workspace), _denials()

    response = _request(client, method, url, body, headers)

    assert response.status_code == 403, (url, response.content)
    assert response.json()["code"] == "forbidden"
    assert _state(workspace) == before
    assert _denials() == denials + 1

    mine = _request(client, method, url, body, api_headers(manager))
    assert mine.status_code in (200, 201), (url, mine.content)


def test_an_owner_manages_every_engagement(workspace, manager, client):
    owner = MembershipFactory(workspace=workspace, role=OWNER)
    engagement = EngagementFactory(workspace=workspace, manager=manager)
    response = client.post(f"/api/v1/engagements/{engagement.pk}/activate", {}, content_type="application/json",
                           headers=api_headers(owner))  # fmt: skip
    assert response.status_code == 200 and response.json()["state"] == "active"


def test_a_manager_plans_drafts_for_themself_only(workspace, manager, client):
    """create_draft: a manager cannot hand a new engagement to another manager (web and API)."""
    template = EngagementFactory(workspace=workspace, manager=manager)
    intruder = MembershipFactory(workspace=workspace, role=MANAGER)
    before, denials = _state(workspace), _denials()

    api = client.post("/api/v1/engagements", _engagement_body(template), content_type="application/json",
                      headers=api_headers(intruder))  # fmt: skip
    web = client_for(intruder).post("/engagements/new/", _engagement_form(template))

    assert (api.status_code, web.status_code) == (403, 403)
    assert _state(workspace) == before
    assert _denials() == denials + 2

    # Without a manager, the draft is theirs; an owner may assign anyone.
    body = {**_engagement_body(template), "manager_id": None}
    own = client.post("/api/v1/engagements", body, content_type="application/json", headers=api_headers(intruder))
    assert own.status_code == 201 and own.json()["manager"]["id"] == intruder.pk
    owner = MembershipFactory(workspace=workspace, role=OWNER)
    assigned = client.post("/api/v1/engagements", _engagement_body(template), content_type="application/json",
                           headers=api_headers(owner))  # fmt: skip
    assert assigned.status_code == 201 and assigned.json()["manager"]["id"] == manager.pk


def test_a_manager_cannot_hand_their_draft_to_another_manager(workspace, manager):
    engagement = EngagementFactory(workspace=workspace, manager=manager)
    other = MembershipFactory(workspace=workspace, role=MANAGER)
    with pytest.raises(PermissionDenied, match="Only an owner can hand"):
        lifecycle.update_draft(engagement=engagement, actor=manager.user, manager=other)
    assert Engagement.objects.get(pk=engagement.pk).manager_id == manager.pk


def test_the_forms_do_not_open_for_another_manager(workspace, manager):
    engagement = EngagementFactory(workspace=workspace, manager=manager, state="active")
    client = client_for(MembershipFactory(workspace=workspace, role=MANAGER))
    for page in ("complete", "terminate", "milestones/new", "checkpoints/new"):
        assert client.get(f"/engagements/{engagement.pk}/{page}/").status_code == 403, page
    draft = EngagementFactory(workspace=workspace, manager=manager)
    assert client.get(f"/engagements/{draft.pk}/edit/").status_code == 403


@pytest.mark.parametrize(
    "call",
    [
        lambda e, a: lifecycle.update_draft(engagement=e, actor=a, rate=Decimal("99")),
        lambda e, a: lifecycle.activate(engagement=e, actor=a),
        lambda e, a: lifecycle.cancel(engagement=e, actor=a),
        lambda e, a: milestones.add_milestone(
            engagement=e, actor=a, title="x", acceptance_criteria="y", due_date=START
        ),
        lambda e, a: offboarding_flow.start_offboarding(freelancer=e.freelancer, actor=a),
    ],
    ids=["update_draft", "activate", "cancel", "add_milestone", "start_offboarding"],
)
def test_services_refuse_freelancers_and_outsiders(call, workspace, manager):
    engagement = EngagementFactory(workspace=workspace, manager=manager)
    freelancer = MembershipFactory(workspace=workspace, role=FREELANCER)
    outsider = MembershipFactory(role=OWNER)  # an owner — of another workspace
    before = _state(workspace)
    for actor in (freelancer.user, outsider.user):
        with pytest.raises(PermissionDenied):
            call(engagement, actor)
    assert _state(workspace) == before


def test_the_detail_page_offers_the_actions_only_to_who_may_use_them(workspace, manager):
    draft = EngagementFactory(workspace=workspace, manager=manager)
    edit = f"/engagements/{draft.pk}/edit/"
    mine = client_for(manager).get(f"/engagements/{draft.pk}/").content.decode()
    theirs = client_for(MembershipFactory(workspace=workspace, role=MANAGER)).get(f"/engagements/{draft.pk}/")
    assert edit in mine and "milestones/new" in mine
    assert theirs.status_code == 200
    assert edit not in theirs.content.decode() and "milestones/new" not in theirs.content.decode()

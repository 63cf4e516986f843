"""Pages and API of issue 11: "Approve selected", the trial hour cap, the expected saving's currency."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from sourcewise.audit.models import AuditEvent
from sourcewise.core.access import MANAGER
from sourcewise.costs.models import CostEntry
from sourcewise.engagements.models import TimeEntry
from sourcewise.talent.models import Freelancer
from tests.conftest import api_headers
from tests.engagements.factories import START, EngagementFactory, TimeEntryFactory
from tests.workspaces.factories import MembershipFactory

D = Decimal


@pytest.fixture
def me(freelancer_member):
    return Freelancer.objects.get(user=freelancer_member.user)


@pytest.fixture
def trial(workspace, manager, me):
    return EngagementFactory(workspace=workspace, manager=manager, freelancer=me, state="active")


@pytest.fixture
def full(workspace, manager, me):
    return EngagementFactory(
        workspace=workspace, manager=manager, freelancer=me, state="active", kind="full", budget_cap=None
    )


def _post_json(client, url, body, headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


# ── web ──────────────────────────────────────────────────────────────────────


def test_approvals_page_has_checkboxes_and_approve_selected(manager_client, full, workspace):
    entry = TimeEntryFactory(engagement=full, workspace=workspace)
    body = manager_client.get("/engagements/time/").content.decode()
    assert 'id="bulk-approve"' in body and "Approve selected" in body
    assert f'name="entries" value="{entry.pk}" form="bulk-approve"' in body


def test_approve_selected_approves_the_ticked_entries_and_posts_fees(manager_client, full, workspace):
    a, b, c = (TimeEntryFactory(engagement=full, workspace=workspace, hours=D("2")) for _ in range(3))
    response = manager_client.post("/engagements/time/approve/", {"entries": [a.pk, b.pk]}, follow=True)
    assert "2 entries approved (4.00 hours)" in response.content.decode()
    assert dict(TimeEntry.objects.values_list("pk", "status")) == {
        a.pk: "approved",
        b.pk: "approved",
        c.pk: "submitted",
    }
    assert CostEntry.objects.get(category="fees").amount == D("100.00")  # 4 h × 25


def test_approve_selected_refuses_all_when_one_cannot_be_approved(manager_client, trial, workspace):
    entries = [TimeEntryFactory(engagement=trial, workspace=workspace, hours=D("11")) for _ in range(2)]
    response = manager_client.post("/engagements/time/approve/", {"entries": [e.pk for e in entries]}, follow=True)
    body = response.content.decode()
    assert "Nothing was approved" in body and "cannot be approved" in body
    assert set(TimeEntry.objects.values_list("status", flat=True)) == {"submitted"}


def test_approve_selected_with_nothing_ticked_or_a_foreign_id(manager_client, full, workspace):
    response = manager_client.post("/engagements/time/approve/", {}, follow=True)
    assert "Tick the hours to approve first." in response.content.decode()
    elsewhere = EngagementFactory(state="active", kind="full")
    foreign = TimeEntryFactory(engagement=elsewhere, workspace=elsewhere.workspace)
    mine = TimeEntryFactory(engagement=full, workspace=workspace)
    response = manager_client.post("/engagements/time/approve/", {"entries": [mine.pk, foreign.pk]})
    assert response.status_code == 404
    assert set(TimeEntry.objects.values_list("status", flat=True)) == {"submitted"}
    assert AuditEvent.objects.filter(action="permission.denied").exists()


def test_trial_usage_is_shown_when_approaching_the_cap(client, freelancer_client, manager_client, trial, workspace):
    TimeEntryFactory(engagement=trial, workspace=workspace, hours=D("10"), status="approved")
    TimeEntryFactory(engagement=trial, workspace=workspace, hours=D("7"))
    page = freelancer_client.get(f"/engagements/{trial.pk}/").content.decode()
    assert "17 of 20 trial hours used" in page and "at most 3 more can be logged" in page
    assert "17 of 20 trial hours used" in manager_client.get("/engagements/time/").content.decode()


def test_logging_past_the_cap_on_the_portal_says_why(freelancer_client, trial, workspace):
    TimeEntryFactory(engagement=trial, workspace=workspace, hours=D("19"))
    response = freelancer_client.post(
        f"/engagements/{trial.pk}/time/", {"date": START.isoformat(), "hours": "2"}, follow=True
    )
    assert "cannot be logged (at most 1 more)" in response.content.decode()
    assert TimeEntry.objects.count() == 1


def test_owner_raises_the_trial_cap_on_the_page(owner_client, manager_client, trial):
    assert "hour cap (owner)" in owner_client.get(f"/engagements/{trial.pk}/").content.decode()
    assert "hour cap (owner)" not in manager_client.get(f"/engagements/{trial.pk}/").content.decode()
    response = owner_client.post(
        f"/engagements/{trial.pk}/trial-cap/", {"trial_hours_cap": "30", "reason": "Second page"}, follow=True
    )
    assert "This trial may now use 30 hours." in response.content.decode()
    assert (
        manager_client.post(f"/engagements/{trial.pk}/trial-cap/", {"trial_hours_cap": "40", "reason": "x"}).status_code
        == 403
    )
    trial.refresh_from_db()
    assert trial.trial_hours_cap == 30


def test_engagement_form_labels_the_saving_with_the_workspace_currency(owner_client, workspace):
    body = owner_client.get("/engagements/new/").content.decode()
    assert f"Expected monthly saving ({workspace.base_currency})" in body


def test_detail_shows_the_saving_in_its_currency(owner_client, trial, owner):
    from sourcewise.engagements import lifecycle

    draft = EngagementFactory(workspace=trial.workspace, manager=trial.manager, currency="USD")
    lifecycle.update_draft(engagement=draft, actor=owner.user, expected_monthly_saving=D("300"))
    body = owner_client.get(f"/engagements/{draft.pk}/").content.decode()
    assert "300.00 GBP a month" in body


# ── API ──────────────────────────────────────────────────────────────────────


def test_api_bulk_approval(client, manager, full, trial, workspace):
    headers = api_headers(manager)
    entries = [TimeEntryFactory(engagement=e, workspace=workspace, hours=D("2")) for e in (full, trial)]
    response = _post_json(client, "/api/v1/time-entries/approve", {"ids": [e.pk for e in entries]}, headers)
    assert response.status_code == 200, response.content
    assert sorted(r["status"] for r in response.json()) == ["approved", "approved"]
    assert CostEntry.objects.filter(category="fees").count() == 2


def test_api_bulk_approval_422_over_the_cap_and_404_for_another_workspace(client, manager, trial, full, workspace):
    headers = api_headers(manager)
    over = [TimeEntryFactory(engagement=trial, workspace=workspace, hours=D("11")) for _ in range(2)]
    response = _post_json(client, "/api/v1/time-entries/approve", {"ids": [e.pk for e in over]}, headers)
    assert response.status_code == 422
    elsewhere = EngagementFactory(state="active", kind="full")
    foreign = TimeEntryFactory(engagement=elsewhere, workspace=elsewhere.workspace)
    mine = TimeEntryFactory(engagement=full, workspace=workspace)
    response = _post_json(client, "/api/v1/time-entries/approve", {"ids": [mine.pk, foreign.pk]}, headers)
    assert response.status_code == 404
    assert set(TimeEntry.objects.values_list("status", flat=True)) == {"submitted"}
    assert _post_json(client, "/api/v1/time-entries/approve", {"ids": []}, headers).status_code == 422


def test_api_bulk_approval_403_for_another_managers_engagement(client, workspace, full):
    other = MembershipFactory(workspace=workspace, role=MANAGER)
    entry = TimeEntryFactory(engagement=full, workspace=workspace)
    response = _post_json(client, "/api/v1/time-entries/approve", {"ids": [entry.pk]}, api_headers(other))
    assert response.status_code == 403
    assert TimeEntry.objects.get(pk=entry.pk).status == "submitted"


def test_api_logging_past_the_trial_cap_is_422(client, freelancer_member, trial, workspace):
    TimeEntryFactory(engagement=trial, workspace=workspace, hours=D("19"))
    response = _post_json(
        client, f"/api/v1/engagements/{trial.pk}/time-entries", {"date": START.isoformat(), "hours": "1.5"},
        api_headers(freelancer_member),
    )  # fmt: skip
    assert response.status_code == 422 and "at most 1 more" in response.content.decode()
    assert TimeEntry.objects.count() == 1


def test_api_trial_cap_owner_only(client, owner, manager, trial):
    url = f"/api/v1/engagements/{trial.pk}/trial-cap"
    assert _post_json(client, url, {"trial_hours_cap": 30, "reason": "x"}, api_headers(manager)).status_code == 403
    response = _post_json(client, url, {"trial_hours_cap": 30, "reason": "Second page"}, api_headers(owner))
    assert response.status_code == 200 and response.json()["trial_hours_cap"] == 30
    assert _post_json(client, url, {"trial_hours_cap": 500, "reason": "x"}, api_headers(owner)).status_code == 422


def test_api_engagement_shows_the_saving_currency(client, owner, workspace):
    e = EngagementFactory(workspace=workspace, currency="USD", expected_monthly_saving=D("250"))
    item = client.get(f"/api/v1/engagements/{e.pk}", headers=api_headers(owner)).json()
    assert (item["expected_monthly_saving"], item["expected_saving_currency"]) == ("250.00", "GBP")

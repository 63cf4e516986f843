"""Accept a risk, on the record: reason and review date required, audited, out of the score
until the review date, back on that date; managers can't accept criticals."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from sourcewise.audit.models import AuditEvent
from sourcewise.findings.acceptance import finding_accept, finding_unaccept
from sourcewise.findings.models import FindingRecord
from sourcewise.findings.store import stored_health
from tests.conftest import api_headers, client_for
from tests.findings.stored import finding
from tests.workspaces.factories import MembershipFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(stored, workspace):
    """One critical (−15) and one warning (−5): the score is 80."""
    stored.set(finding("NO_MANAGER", "critical", "engagement", 1), finding("NO_SOP", "warning", "task", 2))
    records = FindingRecord.objects.filter(workspace=workspace)
    return records.get(code="NO_MANAGER"), records.get(code="NO_SOP")


def _today(workspace) -> datetime.date:
    return workspace.today()


def _unchanged(record: FindingRecord) -> None:
    record.refresh_from_db()
    assert (record.accepted_reason, record.accepted_until, record.accepted_by_id) == ("", None, None)


def test_an_owner_accepts_a_critical_through_the_form(owner_client, owner, workspace, two):
    critical, _ = two
    review = _today(workspace) + datetime.timedelta(days=90)
    page = owner_client.get(f"/dashboard/findings/{critical.pk}/accept/")
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    response = owner_client.post(
        f"/dashboard/findings/{critical.pk}/accept/",
        {"reason": "Core task outsourced: our partner agency, reviewed quarterly", "review_on": review.isoformat()},
    )
    assert response.status_code == 302 and response["Location"].endswith("/dashboard/#accepted")
    critical.refresh_from_db()
    assert critical.accepted_until == review and critical.accepted_by_id == owner.pk
    assert critical.accepted_reason == "Core task outsourced: our partner agency, reviewed quarterly"
    assert stored_health(workspace).score == 95  # only the warning counts
    event = AuditEvent.objects.get(action="finding.accepted")
    assert (event.actor_id, event.workspace_id, event.target_id) == (owner.user_id, workspace.pk, str(critical.pk))
    assert event.changes["reason"].startswith("Core task") and event.changes["review_on"] == review.isoformat()
    body = owner_client.get("/dashboard/").content.decode()
    accepted = body.split('data-testid="accepted"')[1].split("</section>")[0]
    assert f'data-finding="{critical.pk}"' in accepted and "our partner agency" in accepted
    assert 'data-testid="health-score">95<' in body


@pytest.mark.parametrize(
    "reason, days, field",
    [
        ("", 30, "reason"),
        ("   ", 30, "reason"),
        ("ok", 0, "review_on"),  # today is not in the future
        ("ok", -3, "review_on"),
        ("ok", 367, "review_on"),  # more than a year away
        ("x" * 1001, 30, "reason"),
    ],
)
def test_a_reason_and_a_future_review_date_within_a_year_are_required(owner, workspace, two, reason, days, field):
    _, warning = two
    with pytest.raises(ValidationError) as refused:
        finding_accept(
            finding=warning,
            membership=owner,
            reason=reason,
            review_on=_today(workspace) + datetime.timedelta(days=days),
        )
    assert field in refused.value.error_dict
    _unchanged(warning)
    assert not AuditEvent.objects.filter(action="finding.accepted").exists()


def test_the_form_shows_the_errors_and_changes_nothing(owner_client, workspace, two):
    _, warning = two
    response = owner_client.post(
        f"/dashboard/findings/{warning.pk}/accept/", {"reason": "", "review_on": _today(workspace).isoformat()}
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    _unchanged(warning)


def test_a_manager_accepts_warnings_but_not_criticals(workspace, two):
    critical, warning = two
    manager = MembershipFactory(workspace=workspace, role="manager")
    client = client_for(manager)
    review = (_today(workspace) + datetime.timedelta(days=30)).isoformat()
    page = client.get(f"/dashboard/findings/{critical.pk}/accept/").content.decode()
    assert 'data-testid="owner-only"' in page and 'name="reason"' not in page
    assert (
        client.post(f"/dashboard/findings/{critical.pk}/accept/", {"reason": "r", "review_on": review}).status_code
        == 403
    )
    _unchanged(critical)
    with pytest.raises(PermissionDenied):
        finding_accept(
            finding=critical, membership=manager, reason="r", review_on=_today(workspace) + datetime.timedelta(days=3)
        )
    _unchanged(critical)
    assert (
        client.post(f"/dashboard/findings/{warning.pk}/accept/", {"reason": "r", "review_on": review}).status_code
        == 302
    )
    warning.refresh_from_db()
    assert warning.accepted_by_id == manager.pk
    # The dashboard offers a manager the form for the warning only.
    body = client.get("/dashboard/").content.decode()
    assert f"/dashboard/findings/{critical.pk}/accept/" not in body


def test_a_freelancer_and_another_workspace_are_refused(workspace, two, freelancer_member):
    critical, _ = two
    review = (_today(workspace) + datetime.timedelta(days=30)).isoformat()
    url = f"/dashboard/findings/{critical.pk}/accept/"
    assert client_for(freelancer_member).post(url, {"reason": "r", "review_on": review}).status_code == 403
    stranger = MembershipFactory(workspace=WorkspaceFactory(), role="owner")
    assert client_for(stranger).post(url, {"reason": "r", "review_on": review}).status_code == 404
    assert client_for(stranger).post(f"/dashboard/findings/{critical.pk}/unaccept/").status_code == 404
    _unchanged(critical)
    with pytest.raises(PermissionDenied):
        finding_accept(finding=critical, membership=freelancer_member, reason="r", review_on=datetime.date(2100, 1, 1))


def test_it_comes_back_on_the_review_date(owner, workspace, two):
    critical, _ = two
    today = _today(workspace)
    finding_accept(
        finding=critical, membership=owner, reason="Partner agency", review_on=today + datetime.timedelta(days=10)
    )
    assert stored_health(workspace).score == 95
    with time_machine.travel(
        datetime.datetime.combine(today + datetime.timedelta(days=9), datetime.time(12), tzinfo=datetime.UTC)
    ):
        health = stored_health(workspace)
        assert (health.score, health.accepted) == (95, 1)
    with time_machine.travel(
        datetime.datetime.combine(today + datetime.timedelta(days=10), datetime.time(12), tzinfo=datetime.UTC)
    ):
        health = stored_health(workspace)
        assert (health.score, health.counts["critical"], health.accepted) == (80, 1, 0)


def test_an_owner_withdraws_an_acceptance(owner_client, owner, workspace, two):
    critical, _ = two
    finding_accept(
        finding=critical, membership=owner, reason="For now", review_on=_today(workspace) + datetime.timedelta(days=10)
    )
    response = owner_client.post(f"/dashboard/findings/{critical.pk}/unaccept/")
    assert response.status_code == 302
    _unchanged(critical)
    assert stored_health(workspace).score == 80
    event = AuditEvent.objects.get(action="finding.unaccepted")
    assert event.changes["withdrawn"]["reason"] == "For now" and event.actor_id == owner.user_id


def test_a_manager_cannot_withdraw_an_owners_acceptance_of_a_critical(owner, workspace, two):
    critical, _ = two
    finding_accept(
        finding=critical,
        membership=owner,
        reason="Owner's call",
        review_on=_today(workspace) + datetime.timedelta(days=10),
    )
    manager = MembershipFactory(workspace=workspace, role="manager")
    assert client_for(manager).post(f"/dashboard/findings/{critical.pk}/unaccept/").status_code == 403
    with pytest.raises(PermissionDenied):
        finding_unaccept(finding=critical, membership=manager)
    critical.refresh_from_db()
    assert critical.accepted_reason == "Owner's call"


# ── over the API ──────────────────────────────────────────────────────────────


def test_api_accept_and_unaccept(client, owner, workspace, two):
    critical, _ = two
    headers = api_headers(owner)
    review = _today(workspace) + datetime.timedelta(days=60)
    response = client.post(
        f"/api/v1/findings/{critical.pk}/accept",
        {"reason": "Partner agency", "review_on": review.isoformat()},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "accepted" and body["accepted"]["until"] == review.isoformat()
    assert body["accepted"]["by"] == owner.user.email
    assert client.get("/api/v1/health", headers=headers).json()["score"] == 95
    assert client.get("/api/v1/health", headers=headers).json()["accepted"] == 1
    response = client.post(f"/api/v1/findings/{critical.pk}/unaccept", headers=headers)
    assert response.status_code == 200 and response.json()["status"] == "open" and response.json()["accepted"] is None
    assert client.get("/api/v1/health", headers=headers).json()["score"] == 80


@pytest.mark.parametrize(
    "payload",
    [
        {"reason": "", "review_on": "2100-01-01"},
        {"reason": "ok"},
        {"reason": "ok", "review_on": "not a date"},
        {"reason": "ok", "review_on": "2000-01-01"},
        {"reason": "ok\x00", "review_on": "2100-01-01"},
    ],
)
def test_api_accept_refuses_bad_input_with_422(client, owner, two, payload):
    _, warning = two
    response = client.post(
        f"/api/v1/findings/{warning.pk}/accept", payload, content_type="application/json", headers=api_headers(owner)
    )
    assert response.status_code == 422, response.content
    _unchanged(warning)


def test_api_accept_refuses_the_wrong_role_and_the_other_workspace(client, workspace, two, freelancer_member):
    critical, warning = two
    review = (_today(workspace) + datetime.timedelta(days=30)).isoformat()
    manager = MembershipFactory(workspace=workspace, role="manager")
    stranger = MembershipFactory(workspace=WorkspaceFactory(), role="owner")

    def accept(member, record):
        return client.post(
            f"/api/v1/findings/{record.pk}/accept",
            {"reason": "r", "review_on": review},
            content_type="application/json",
            headers=api_headers(member),
        )

    assert accept(freelancer_member, warning).status_code == 403
    assert accept(manager, critical).status_code == 403
    assert accept(stranger, critical).status_code == 404
    assert client.get(f"/api/v1/findings/{critical.pk}", headers=api_headers(stranger)).status_code == 404
    _unchanged(critical)
    _unchanged(warning)
    assert accept(manager, warning).status_code == 200

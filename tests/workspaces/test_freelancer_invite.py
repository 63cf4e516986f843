"""A freelancer's way into the portal: an invitation that carries their profile."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from sourcewise.audit.models import AuditEvent
from sourcewise.core.access import FREELANCER, MANAGER
from sourcewise.core.links import FALLBACK, SERVE_URL_ENV, serve_url, site_url
from sourcewise.talent.models import Freelancer
from sourcewise.workspaces import services
from sourcewise.workspaces.models import Invitation, Membership
from tests.accounts.factories import UserFactory
from tests.conftest import api_headers, client_for
from tests.talent.factories import FreelancerFactory
from tests.workspaces.factories import MembershipFactory, WorkspaceFactory

PASSWORD = "a-long-enough-passphrase"


@pytest.fixture(autouse=True)
def _no_site_url(settings, monkeypatch):
    settings.SITE_URL = ""
    monkeypatch.delenv(SERVE_URL_ENV, raising=False)


@pytest.fixture
def maria(owner):
    return FreelancerFactory(workspace=owner.workspace, name="Maria Santos", email="Maria@Example.org")


def _link(message) -> str:
    found = re.search(r"(http://\S+)/workspaces/invitations/(\S+)/", message.body)
    assert found, message.body
    return found.group(0)


def _invite_from_profile(client, freelancer, email=None, capture=None):
    data = {"invite-email": email if email is not None else freelancer.email}
    if capture is None:
        return client.post(f"/talent/freelancers/{freelancer.pk}/invite/", data)
    with capture(execute=True):
        return client.post(f"/talent/freelancers/{freelancer.pk}/invite/", data)


def test_owner_invites_from_the_profile_and_the_sign_up_lands_in_the_portal(
    owner_client, owner, maria, django_capture_on_commit_callbacks
):
    page = owner_client.get(f"/talent/freelancers/{maria.pk}/").content.decode()
    assert "Invite to the portal" in page and 'value="Maria@Example.org"' in page
    assert re.search(r'data-testid="portal-status">\s*not invited', page)

    response = _invite_from_profile(owner_client, maria, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    invitation = Invitation.objects.get(workspace=owner.workspace)
    assert (invitation.email, invitation.role, invitation.freelancer) == ("maria@example.org", FREELANCER, maria)
    [message] = mail.outbox
    assert message.to == ["maria@example.org"] and "freelancer portal" in message.body
    link = _link(message)
    assert link.startswith("http://testserver/")  # SITE_URL unset: the host the owner used
    page = owner_client.get(f"/talent/freelancers/{maria.pk}/").content.decode()
    assert "invited on" in page and "Send a new invitation" in page

    visitor = Client()
    response = visitor.post(link, {"full_name": "Maria Santos", "email": "maria@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert visitor.get(response.url).url == "/portal/"
    assert visitor.get("/portal/").status_code == 200
    maria.refresh_from_db()
    assert maria.user is not None and maria.user.email == "maria@example.org"
    assert Membership.objects.get(user=maria.user, workspace=owner.workspace).role == FREELANCER
    page = owner_client.get(f"/talent/freelancers/{maria.pk}/").content.decode()
    assert "linked to maria@example.org" in page and "Invite to the portal" not in page

    created = AuditEvent.objects.get(action="invitation.create", workspace=owner.workspace)
    assert created.changes["freelancer"] == maria.pk and created.actor == owner.user
    accepted = AuditEvent.objects.get(action="invitation.accept", workspace=owner.workspace)
    assert accepted.changes == {"freelancer": maria.pk} and accepted.actor == maria.user


def test_an_existing_account_signs_in_and_accepts(owner, manager_client, maria, django_capture_on_commit_callbacks):
    # A manager may invite a freelancer too (the same rule as on the team page).
    response = _invite_from_profile(manager_client, maria, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    account = UserFactory(email="maria@example.org")
    elsewhere = MembershipFactory(user=account, role=MANAGER)  # she works with another business too
    client = client_for(elsewhere)
    link = _link(mail.outbox[-1])
    assert "Accept invitation" in client.get(link).content.decode()
    response = client.post(link)
    assert response.status_code == 302 and client.get(response.url).url == "/portal/"
    assert client.get("/portal/").status_code == 200
    assert Freelancer.objects.get(pk=maria.pk).user == account


def test_the_team_page_links_the_one_profile_with_that_address(owner_client, owner, maria):
    response = owner_client.post("/workspaces/members/", {"email": "MARIA@example.ORG", "role": FREELANCER})
    assert response.status_code == 302
    invitation = Invitation.objects.get(workspace=owner.workspace)
    assert invitation.freelancer == maria
    services.accept_invitation(invitation=invitation, user=UserFactory(email="maria@example.org"))
    assert Freelancer.objects.get(pk=maria.pk).user.email == "maria@example.org"


def test_a_profile_linked_to_someone_else_is_refused_clearly(owner_client, owner, maria):
    other = UserFactory(email="someone@example.com")
    Freelancer.objects.filter(pk=maria.pk).update(user=other)
    response = _invite_from_profile(owner_client, maria, email="maria@example.org")
    assert response.status_code == 422
    assert "already linked to the login someone@example.com" in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox
    # From the team page, the address no longer finds an unlinked profile: a plain invitation.
    invitation, _ = services.invite(
        workspace=owner.workspace, inviter=owner.user, email="maria@example.org", role=FREELANCER
    )
    assert invitation.freelancer is None


def test_accepting_after_the_profile_was_linked_elsewhere_changes_nothing(owner, maria):
    invitation, _ = services.invite(
        workspace=owner.workspace, inviter=owner.user, email="maria@example.org", role=FREELANCER, freelancer=maria
    )
    Freelancer.objects.filter(pk=maria.pk).update(user=UserFactory(email="x@example.com"))
    with pytest.raises(ValidationError, match="already linked to another login"):
        services.accept_invitation(invitation=invitation, user=UserFactory(email="maria@example.org"))
    assert not Membership.objects.filter(user__email="maria@example.org").exists()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_a_freelancer_of_another_workspace_is_404(owner_client, owner):
    stranger = FreelancerFactory(workspace=WorkspaceFactory())
    assert _invite_from_profile(owner_client, stranger).status_code == 404
    response = Client().post(
        f"/api/v1/freelancers/{stranger.pk}/invite", {}, content_type="application/json", headers=api_headers(owner)
    )
    assert response.status_code == 404
    with pytest.raises(ValidationError, match="Unknown freelancer"):
        services.invite(
            workspace=owner.workspace, inviter=owner.user, email="a@example.com", role=FREELANCER, freelancer=stranger
        )
    assert not Invitation.objects.exists()


def test_a_new_invitation_replaces_the_pending_one(owner_client, owner, maria, django_capture_on_commit_callbacks):
    _invite_from_profile(owner_client, maria, capture=django_capture_on_commit_callbacks)
    first = _link(mail.outbox[-1])
    _invite_from_profile(owner_client, maria, email="maria.s@example.net", capture=django_capture_on_commit_callbacks)
    second = _link(mail.outbox[-1])
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200
    replaced = AuditEvent.objects.filter(action="invitation.create").order_by("-id").first()
    assert len(replaced.changes["replaced"]) == 1
    page = owner_client.get(f"/talent/freelancers/{maria.pk}/").content.decode()
    assert "maria.s@example.net" in page
    team = owner_client.get("/workspaces/members/").content.decode().split("Open invitations")[1]
    assert "maria.s@example.net as freelancer (portal of" in team and "Maria Santos" in team
    assert "maria@example.org" not in team  # the replaced one is no longer open


def test_a_freelancer_member_without_a_profile_can_be_invited_again_to_link_it(owner, maria):
    # How a workspace invited before this fix repairs itself: the member joined unlinked.
    account = UserFactory(email="maria@example.org")
    Membership.objects.create(user=account, workspace=owner.workspace, role=FREELANCER)
    assert client_for(Membership.objects.get(user=account)).get("/portal/").status_code == 403
    invitation, _ = services.invite(
        workspace=owner.workspace, inviter=owner.user, email="maria@example.org", role=FREELANCER
    )
    services.accept_invitation(invitation=invitation, user=account)
    assert client_for(Membership.objects.get(user=account)).get("/portal/").status_code == 200


def test_the_api_invites_and_never_answers_the_link(owner, maria, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/freelancers/{maria.pk}/invite", {}, content_type="application/json", headers=api_headers(owner)
        )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["email"], data["role"], data["freelancer_id"]) == ("maria@example.org", FREELANCER, maria.pk)
    assert "invitations/" not in response.content.decode()
    assert _link(mail.outbox[-1]).startswith("http://testserver/")
    Freelancer.objects.filter(pk=maria.pk).update(user=UserFactory())
    response = client.post(
        f"/api/v1/freelancers/{maria.pk}/invite", {}, content_type="application/json", headers=api_headers(owner)
    )
    assert response.status_code == 422


# ── where emailed links point ────────────────────────────────────────────────


def test_links_use_site_url_when_set(settings, rf):
    settings.SITE_URL = "https://sourcewise.example.com/"
    assert site_url(rf.get("/", HTTP_HOST="127.0.0.1:8123")) == "https://sourcewise.example.com"
    assert site_url() == "https://sourcewise.example.com"


def test_links_use_the_request_host_when_site_url_is_unset(rf, monkeypatch, settings):
    settings.ALLOWED_HOSTS = ["*"]
    assert site_url(rf.get("/", HTTP_HOST="10.0.0.5:8123")) == "http://10.0.0.5:8123"
    assert site_url() == FALLBACK
    monkeypatch.setenv(SERVE_URL_ENV, "http://127.0.0.1:9000/")
    assert site_url() == "http://127.0.0.1:9000"  # a job or cron, without a request


def test_serve_url_names_the_bound_address():
    assert serve_url("0.0.0.0:8123") == "http://127.0.0.1:8123"
    assert serve_url("192.168.1.4:8000") == "http://192.168.1.4:8000"
    assert serve_url("unix:/run/sw.sock") == FALLBACK


def test_an_invitation_mailed_on_another_port_links_to_that_port(owner, settings, django_capture_on_commit_callbacks):
    settings.ALLOWED_HOSTS = ["*"]
    client = client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/workspaces/members/", {"email": "sam@example.com", "role": MANAGER}, HTTP_HOST="myhost:8123")
    assert _link(mail.outbox[-1]).startswith("http://myhost:8123/workspaces/invitations/")

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from sourcewise.core.access import FREELANCER, MANAGER, OWNER
from sourcewise.talent.models import Freelancer
from sourcewise.workspaces import services
from sourcewise.workspaces.models import Membership, Workspace
from tests.accounts.factories import UserFactory
from tests.talent.factories import FreelancerFactory
from tests.workspaces.factories import MembershipFactory, WorkspaceFactory


def test_invitation_email_carries_a_link_that_creates_the_membership(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(workspace=owner.workspace, inviter=owner.user, email="Sam@Example.com", role=MANAGER)
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/workspaces/invitations/(\S+)/", mail.outbox[0].body)
    assert link
    client = Client()
    response = client.post(
        f"/workspaces/invitations/{link.group(1)}/",
        {"full_name": "Sam", "email": "sam@example.com", "password": "a-long-enough-passphrase"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="sam@example.com")
    assert membership.role == MANAGER and membership.workspace == owner.workspace
    # A used invitation cannot be used again.
    assert Client().get(f"/workspaces/invitations/{link.group(1)}/").status_code == 404


def test_a_freelancer_invitation_links_the_profile(owner):
    freelancer = FreelancerFactory(workspace=owner.workspace, email="maria@example.org")
    invitation, _link = services.invite(
        workspace=owner.workspace, inviter=owner.user, email=freelancer.email, role=FREELANCER, freelancer=freelancer
    )
    user = UserFactory(email="maria@example.org")
    services.accept_invitation(invitation=invitation, user=user)
    assert Freelancer.objects.get(pk=freelancer.pk).user == user


def test_an_invitation_is_only_for_its_address(owner):
    invitation, _ = services.invite(workspace=owner.workspace, inviter=owner.user, email="a@example.com", role=MANAGER)
    with pytest.raises(ValidationError, match=r"for a@example\.com"):
        services.accept_invitation(invitation=invitation, user=UserFactory(email="b@example.com"))
    assert not Membership.objects.filter(user__email="b@example.com").exists()


def test_inviting_a_member_twice_is_refused(owner, manager):
    with pytest.raises(ValidationError, match="already a member"):
        services.invite(workspace=owner.workspace, inviter=owner.user, email=manager.user.email, role=MANAGER)


def test_a_manager_may_invite_freelancers_but_not_owners(manager_client, manager):
    page = manager_client.get("/workspaces/members/").content.decode()
    assert 'value="freelancer"' in page and 'value="owner"' not in page.split("Invite someone")[1]
    response = manager_client.post("/workspaces/members/", {"email": "x@example.com", "role": OWNER})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_the_invitation_form_preselects_manager_never_owner(owner_client, manager_client):
    """An owner who types an address and sends without looking must not give away ownership: the
    role preselected is manager (the first choice, owner, used to be)."""
    invite = owner_client.get("/workspaces/members/").content.decode().split("Invite someone")[1]
    selected = re.findall(r'<option value="(\w+)" selected>', invite)
    assert selected == [MANAGER]
    assert "but not the workspace&#x27;s settings, backups or team" in invite
    managers = manager_client.get("/workspaces/members/").content.decode().split("Invite someone")[1]
    assert re.findall(r'<option value="(\w+)" selected>', managers) == [FREELANCER]
    assert "The owner invites managers and owners." in managers


def test_the_last_owner_cannot_leave_or_be_demoted(owner):
    with pytest.raises(ValidationError, match="at least one owner"):
        services.change_role(membership=owner, role=MANAGER, actor=owner.user)
    with pytest.raises(ValidationError, match="at least one owner"):
        services.remove_member(membership=owner, actor=owner.user)
    assert Membership.objects.get(pk=owner.pk).role == OWNER


def test_switching_workspaces(owner):
    other = MembershipFactory(user=owner.user, role=MANAGER, workspace=WorkspaceFactory(name="Second business"))
    client = Client()
    client.force_login(owner.user, backend="django.contrib.auth.backends.ModelBackend")
    assert owner.workspace.name in client.get("/dashboard/").content.decode()
    assert client.post(f"/workspaces/{other.workspace_id}/switch/").status_code == 302
    assert "Second business" in client.get("/dashboard/").content.decode()
    # Someone else's workspace cannot be switched to.
    stranger = WorkspaceFactory()
    assert client.post(f"/workspaces/{stranger.pk}/switch/").status_code == 404


def _settings_form(workspace: Workspace, **overrides):
    from sourcewise.workspaces.forms import PROFILE_FIELDS, THRESHOLD_FIELDS

    data = {}
    for name in PROFILE_FIELDS + THRESHOLD_FIELDS:
        value = getattr(workspace, name)
        data[name] = value.strftime("%H:%M") if hasattr(value, "strftime") else value
    data.update(overrides)
    return data


def test_settings_save_thresholds_and_show_defaults(owner_client, owner):
    page = owner_client.get("/workspaces/settings/").content.decode()
    assert "Default: 60." in page and "Default: 1800." in page
    response = owner_client.post(
        "/workspaces/settings/", _settings_form(owner.workspace, outsourcing_share_max_pct=50, stage="growth")
    )
    assert response.status_code == 302
    owner.workspace.refresh_from_db()
    assert owner.workspace.outsourcing_share_max_pct == 50 and owner.workspace.stage == "growth"


@pytest.mark.parametrize(
    "field, value",
    [("timezone", "Europe/Atlantis"), ("home_country", "ZZ"), ("working_languages", ["xx"]), ("business_days", [])],
)
def test_settings_refuse_unknown_names_and_change_nothing(owner_client, owner, field, value):
    before = Workspace.objects.filter(pk=owner.workspace_id).values().get()
    response = owner_client.post("/workspaces/settings/", _settings_form(owner.workspace, **{field: value}))
    assert response.status_code == 200
    assert Workspace.objects.filter(pk=owner.workspace_id).values().get() == before


def test_model_validation_names_the_bad_value():
    workspace = Workspace(name="X", home_country="GB", base_currency="GBP", timezone="Mars/Base")
    with pytest.raises(ValidationError, match="Unknown time zone 'Mars/Base'"):
        workspace.full_clean()

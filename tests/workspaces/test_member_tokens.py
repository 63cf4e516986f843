"""A removed member's API tokens are revoked and stay revoked; a token acts with the current role."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sourcewise.api.models import ApiToken
from sourcewise.audit.models import AuditEvent
from sourcewise.core.access import FREELANCER, MANAGER, OWNER
from sourcewise.workspaces import services
from sourcewise.workspaces.models import Membership
from tests.conftest import client_for, token_for
from tests.workspaces.factories import MembershipFactory


def _get(client, url: str, token: str):
    return client.get(url, headers={"Authorization": f"Bearer {token}"})


def test_tokens_of_a_removed_member_stay_revoked_after_they_rejoin(client, workspace, owner, manager):
    old = token_for(manager)
    assert _get(client, "/api/v1/handovers", old).status_code == 200

    services.remove_member(membership=manager, actor=owner.user)

    assert _get(client, "/api/v1/handovers", old).status_code == 401
    assert not ApiToken.objects.filter(user=manager.user, workspace=workspace, revoked_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="apitoken.revoke", changes__why="member removed").count() == 1

    # Invited again and accepted: the membership is back, the old token is not.
    invitation, _ = services.invite(workspace=workspace, inviter=owner.user, email=manager.user.email, role=MANAGER)
    services.accept_invitation(invitation=invitation, user=manager.user)
    assert Membership.objects.filter(user=manager.user, workspace=workspace).exists()
    assert _get(client, "/api/v1/handovers", old).status_code == 401
    rejoined = Membership.objects.get(user=manager.user, workspace=workspace)
    assert _get(client, "/api/v1/handovers", token_for(rejoined)).status_code == 200


def test_removal_through_the_members_page_revokes_the_tokens(client, workspace, owner, manager):
    old = token_for(manager)
    response = client_for(owner).post(f"/workspaces/members/{manager.pk}/", {"action": "remove"})
    assert response.status_code == 302
    assert _get(client, "/api/v1/handovers", old).status_code == 401


def test_removal_revokes_only_that_workspaces_tokens(client, workspace, owner, manager):
    elsewhere = MembershipFactory(user=manager.user, role=MANAGER)  # the same person in another business
    kept = token_for(elsewhere)
    services.remove_member(membership=manager, actor=owner.user)
    assert _get(client, "/api/v1/handovers", kept).status_code == 200


def test_a_token_acts_with_the_current_role(client, workspace, owner, manager):
    token = token_for(manager)
    assert _get(client, "/api/v1/handovers", token).status_code == 200
    services.change_role(membership=manager, role=FREELANCER, actor=owner.user)
    demoted = _get(client, "/api/v1/handovers", token)
    assert demoted.status_code == 403 and "freelancer" in demoted.json()["message"]


def test_only_an_owner_changes_members(workspace, owner, manager):
    other = MembershipFactory(workspace=workspace, role=MANAGER)
    with pytest.raises(PermissionDenied):
        services.remove_member(membership=other, actor=manager.user)
    with pytest.raises(PermissionDenied):
        services.change_role(membership=other, role=OWNER, actor=manager.user)
    assert Membership.objects.get(pk=other.pk).role == MANAGER


def test_a_member_removed_meanwhile_is_a_clear_refusal(workspace, owner, manager):
    stale = Membership.objects.get(pk=manager.pk)
    services.remove_member(membership=manager, actor=owner.user)
    with pytest.raises(ValidationError, match="no longer a member"):
        services.remove_member(membership=stale, actor=owner.user)
    with pytest.raises(ValidationError, match="no longer a member"):
        services.change_role(membership=stale, role=OWNER, actor=owner.user)

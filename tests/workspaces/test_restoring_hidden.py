"""A workspace a restore is still writing (`restoring`) is nobody's yet (issue 10, item 3).

Its rows — members from the file included — are committed batch by batch, so every way in
must leave it out: the workspace list and switcher, the current workspace, API tokens,
and the commands that go through `Workspace.objects`.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from sourcewise.api.services import create_token, membership_for_token
from sourcewise.workspaces.models import Workspace
from sourcewise.workspaces.selectors import SESSION_KEY, memberships_of
from tests.conftest import client_for, token_for
from tests.workspaces.factories import MembershipFactory, WorkspaceFactory


@pytest.fixture
def half_restored(owner):
    """The owner is also a member of a workspace whose restore has not finished."""
    hidden = MembershipFactory(user=owner.user, workspace=WorkspaceFactory(name="AAA half restored"), role="owner")
    token = token_for(hidden)  # made before the flag is set: even such a token must not reach it
    Workspace.objects.filter(pk=hidden.workspace_id).update(restoring=True)
    return hidden, token


def test_a_restoring_workspace_is_invisible_everywhere(client, owner, half_restored):
    hidden, token = half_restored
    ws = hidden.workspace
    assert not Workspace.objects.filter(pk=ws.pk).exists()
    assert Workspace._base_manager.filter(pk=ws.pk, restoring=True).exists()
    assert [m.workspace_id for m in memberships_of(owner.user)] == [owner.workspace_id]
    assert membership_for_token(token) is None
    assert client.get("/api/v1/handovers", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    with pytest.raises(ValidationError):
        create_token(user=owner.user, workspace=ws, name="early")

    web = client_for(owner)
    page = web.get("/workspaces/").content.decode()
    assert "AAA half restored" not in page
    assert web.post(f"/workspaces/{ws.pk}/switch/").status_code == 404  # like a workspace that is not theirs
    session = web.session
    session[SESSION_KEY] = ws.pk  # even a session that names it falls back to a visible workspace
    session.save()
    assert "AAA half restored" not in web.get("/dashboard/").content.decode()


def test_it_appears_once_the_restore_finishes(owner, half_restored):
    hidden, token = half_restored
    Workspace._base_manager.filter(pk=hidden.workspace_id).update(restoring=False)
    assert {m.workspace_id for m in memberships_of(owner.user)} == {owner.workspace_id, hidden.workspace_id}
    assert membership_for_token(token) is not None

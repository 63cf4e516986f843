"""Two owners remove each other at the same moment: one wins, the workspace keeps an owner (SPEC §7)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sourcewise.core.access import OWNER
from sourcewise.workspaces import services
from sourcewise.workspaces.models import Membership
from tests.concurrency import ON_POSTGRES, pause, race
from tests.workspaces.factories import MembershipFactory, WorkspaceFactory


def _record_then_pause(hook):
    """Hold each remover just after its owner check, where the unlocked code let both through."""
    real = services.record

    def record(**kwargs):
        event = real(**kwargs)
        hook()
        return event

    return record


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["remove", "demote"])
def test_two_owners_removing_each_other_leave_one_owner(second):
    workspace = WorkspaceFactory()
    a = MembershipFactory(workspace=workspace, role=OWNER)
    b = MembershipFactory(workspace=workspace, role=OWNER)

    def a_removes_b():
        return services.remove_member(membership=b, actor=a.user)

    def b_acts_on_a():
        if second == "remove":
            return services.remove_member(membership=a, actor=b.user)
        return services.change_role(membership=a, role="manager", actor=b.user)

    with mock.patch.object(services, "record", _record_then_pause(pause(2))):
        outcomes = race(a_removes_b, b_acts_on_a)

    refused = [o.error for o in outcomes if o.error is not None]
    assert len(refused) == 1, outcomes
    assert isinstance(refused[0], (ValidationError, PermissionDenied)), outcomes
    owners = Membership.objects.filter(workspace=workspace, role=OWNER)
    assert owners.count() == 1
    if ON_POSTGRES:
        assert owners.get().pk in (a.pk, b.pk)

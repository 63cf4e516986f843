"""The API's reactions to workspace events."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from sourcewise.accounts.models import User
from sourcewise.api.models import ApiToken
from sourcewise.audit.services import record
from sourcewise.workspaces.models import Membership
from sourcewise.workspaces.signals import member_removed


@receiver(member_removed)
def revoke_tokens_of_removed_member(
    sender: Any, *, membership: Membership, actor: User | None, why: str, **kwargs: Any
) -> None:
    _revoke_tokens(membership, actor, why)


def _revoke_tokens(membership: Membership, actor: User | None, why: str) -> int:
    """Revoke every live API token the member holds for this workspace (audited)."""
    tokens = ApiToken.objects.filter(user_id=membership.user_id, workspace_id=membership.workspace_id)
    revoked = tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        record(
            actor=actor,
            workspace=membership.workspace,
            action="apitoken.revoke",
            target=membership,
            changes={"tokens": revoked, "why": why},
        )
    return revoked

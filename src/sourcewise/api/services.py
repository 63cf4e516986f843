"""Create, check and revoke API tokens. The full token is shown once and never stored."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone

from sourcewise.accounts.models import User
from sourcewise.api.models import ApiToken
from sourcewise.audit.services import record
from sourcewise.workspaces.models import Membership, Workspace

TOKEN_PREFIX = "sw"  # noqa: S105 (a label, not a secret)
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_token(*, user: User, workspace: Workspace, name: str) -> tuple[ApiToken, str]:
    if not Membership.objects.filter(user=user, workspace=workspace, workspace__restoring=False).exists():
        raise ValidationError("You are not a member of this workspace.")
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the token a name so you recognise it later."})
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(user=user, workspace=workspace, name=name[:80], prefix=prefix, key_hash=_hash(raw))
    token.full_clean()
    token.save()
    record(actor=user, workspace=workspace, action="apitoken.create", target=token)
    return token, raw


@transaction.atomic
def revoke_token(*, token: ApiToken, actor: User) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor=actor, workspace=token.workspace, action="apitoken.revoke", target=token)


def membership_for_token(raw: str) -> Membership | None:
    """The membership a token acts as, or None when it is unknown, revoked or orphaned.

    One query (SPEC P1 counts them): the membership of the token's user in the token's
    workspace, with the token's hash and last use alongside; the prefix is unique.
    """
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.filter(prefix=parts[1], revoked_at__isnull=True)
    membership = (
        Membership.objects.select_related("workspace", "user")
        .filter(
            user_id=Subquery(token.values("user_id")[:1]),
            workspace_id=Subquery(token.values("workspace_id")[:1]),
            workspace__restoring=False,
            user__is_active=True,
        )
        .annotate(
            token_pk=Subquery(token.values("pk")[:1]),
            token_hash=Subquery(token.values("key_hash")[:1]),
            token_last_used=Subquery(token.values("last_used_at")[:1]),
        )
        .first()
    )
    if membership is None or not hmac.compare_digest(membership.token_hash, _hash(raw)):
        return None
    now = timezone.now()
    last_used = membership.token_last_used
    if last_used is None or now - last_used > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=membership.token_pk).update(last_used_at=now)
    return membership

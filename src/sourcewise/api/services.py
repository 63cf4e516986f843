"""Create, check and revoke API tokens. The full token is shown once and never stored."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
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
    if not Membership.objects.filter(user=user, workspace=workspace).exists():
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
    """The membership a token acts as, or None when it is unknown, revoked or orphaned."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.filter(prefix=parts[1], revoked_at__isnull=True).select_related("user").first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash(raw)) or not token.user.is_active:
        return None
    membership = (
        Membership.objects.select_related("workspace", "user")
        .filter(user_id=token.user_id, workspace_id=token.workspace_id)
        .first()
    )
    if membership is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return membership

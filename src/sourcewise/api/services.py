"""Create, check and revoke API tokens. The full token is shown once and never stored."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Hashable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.db.models import F, Model, QuerySet
from django.utils import timezone

from sourcewise.accounts.models import User
from sourcewise.api.models import ApiToken
from sourcewise.api.prepared import PreparedValues
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


def _concrete(model: type[Model]) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


_MEMBERSHIP = _concrete(Membership)
_USER = _concrete(User)
_WORKSPACE = _concrete(Workspace)
# Where each row's columns are in the statement below.
_MEMBERSHIP_COLUMNS = slice(0, len(_MEMBERSHIP))
_USER_COLUMNS = slice(_MEMBERSHIP_COLUMNS.stop, _MEMBERSHIP_COLUMNS.stop + len(_USER))
_WORKSPACE_COLUMNS = slice(_USER_COLUMNS.stop, _USER_COLUMNS.stop + len(_WORKSPACE))
_TOKEN = slice(_WORKSPACE_COLUMNS.stop, None)  # pk, key_hash, last_used_at


def _token_membership(key: Hashable, marks: Mapping[str, Any]) -> QuerySet[Any]:
    """The token (unrevoked) with its user (active), its workspace (not restoring) and the user's
    membership of that workspace: one statement, one row, the values of all four."""
    return (
        ApiToken.objects.filter(
            prefix=marks["prefix"],
            revoked_at__isnull=True,
            user__is_active=True,
            workspace__restoring=False,
            user__memberships__workspace_id=F("workspace_id"),
        )
        .order_by()
        .values(
            *(f"user__memberships__{name}" for name in _MEMBERSHIP),
            *(f"user__{name}" for name in _USER),
            *(f"workspace__{name}" for name in _WORKSPACE),
            "pk",
            "key_hash",
            "last_used_at",
        )
    )


# Compiled once per thread (api.prepared): the token check runs on every API request.
# The mark cannot be a prefix: prefixes are hex.
_TOKEN_MEMBERSHIP = PreparedValues(_token_membership, marks={"prefix": "<prefix mark>"})


def membership_for_token(raw: str) -> Membership | None:
    """The membership a token acts as, or None when it is unknown, revoked or orphaned.

    One query (SPEC P1 counts them): the membership of the token's user in the token's
    workspace, with its user and workspace and the token's hash and last use alongside;
    the prefix is unique. The statement is the ORM's, compiled once (api.prepared).
    """
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    rows = _TOKEN_MEMBERSHIP.tuples("token", {"prefix": parts[1]})
    if not rows:
        return None
    row = rows[0]
    token_pk, key_hash, last_used = row[_TOKEN]
    if not hmac.compare_digest(key_hash, _hash(raw)):
        return None
    db = router.db_for_read(Membership)
    membership = Membership.from_db(db, _MEMBERSHIP, row[_MEMBERSHIP_COLUMNS])
    membership.user = User.from_db(db, _USER, row[_USER_COLUMNS])
    membership.workspace = Workspace.from_db(db, _WORKSPACE, row[_WORKSPACE_COLUMNS])
    now = timezone.now()
    if last_used is None or now - last_used > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token_pk).update(last_used_at=now)
    return membership

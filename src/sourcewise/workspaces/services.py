"""Writes about workspaces: create, change settings, invite, accept, switch."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from sourcewise.accounts.models import User
from sourcewise.audit.services import record
from sourcewise.core.access import FREELANCER, OWNER
from sourcewise.workspaces.models import Invitation, Membership, Workspace
from sourcewise.workspaces.selectors import SESSION_KEY

INVITATION_DAYS = 14


@transaction.atomic
def create_workspace(*, owner: User, **fields: Any) -> Workspace:
    workspace = Workspace(**fields)
    workspace.full_clean()
    workspace.save()
    Membership.objects.create(user=owner, workspace=workspace, role=OWNER)
    record(actor=owner, workspace=workspace, action="workspace.create", target=workspace)
    return workspace


@transaction.atomic
def update_workspace(*, workspace: Workspace, actor: User, **fields: Any) -> Workspace:
    before = {name: getattr(workspace, name) for name in fields}
    for name, value in fields.items():
        setattr(workspace, name, value)
    workspace.full_clean()
    workspace.save(update_fields=list(fields))
    changes = {k: [str(before[k]), str(v)] for k, v in fields.items() if before[k] != v}
    record(actor=actor, workspace=workspace, action="workspace.update", target=workspace, changes=changes)
    return workspace


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invite(
    *, workspace: Workspace, inviter: User | None, email: str, role: str, freelancer: Any = None
) -> tuple[Invitation, str]:
    """Create an invitation and email its link (sent after the commit). Returns the link.

    `inviter` is None only for an operator's command-line restore (no person invites).
    """
    email = email.strip().lower()
    if role not in Membership.Role.values:
        raise ValidationError({"role": "Choose owner, manager or freelancer."})
    if Membership.objects.filter(workspace=workspace, user__email=email).exists():
        raise ValidationError({"email": f"{email} is already a member of {workspace.name}."})
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        workspace=workspace,
        email=email,
        role=role,
        token_hash=_hash(token),
        invited_by=inviter,
        freelancer=freelancer,
        expires_at=timezone.now() + datetime.timedelta(days=INVITATION_DAYS),
    )
    invitation.full_clean(exclude=None if inviter else ["invited_by"])
    invitation.save()
    link = settings.SITE_URL + reverse("workspaces:accept_invitation", args=[token])
    record(
        actor=inviter,
        workspace=workspace,
        action="invitation.create",
        target=invitation,
        changes={"email": email, "role": role},
    )
    subject = f"You are invited to {workspace.name} on Sourcewise"
    who = inviter.display_name if inviter else "The operator of this Sourcewise"
    body = (
        f"{who} invited you to join {workspace.name} on Sourcewise as {role}.\n\n"
        f"Accept the invitation here (valid for {INVITATION_DAYS} days):\n{link}\n"
    )
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return invitation, link


def invitation_for_token(token: str) -> Invitation | None:
    invitation = Invitation.objects.select_related("workspace").filter(token_hash=_hash(token)).first()
    if invitation is None or invitation.accepted_at or invitation.expires_at < timezone.now():
        return None
    return invitation


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user: User) -> Membership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ValidationError("This invitation was already used.")
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(f"This invitation is for {invitation.email}; sign in with that address.")
    membership, _ = Membership.objects.get_or_create(
        user=user, workspace=invitation.workspace, defaults={"role": invitation.role}
    )
    if invitation.role == FREELANCER and invitation.freelancer_id:
        from sourcewise.talent.models import Freelancer

        Freelancer.objects.filter(pk=invitation.freelancer_id, user__isnull=True).update(user=user)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    record(actor=user, workspace=invitation.workspace, action="invitation.accept", target=invitation)
    return membership


def switch_workspace(request: HttpRequest, workspace_id: int) -> Membership:
    membership = (
        Membership.objects.select_related("workspace")
        .filter(user_id=request.user.pk or 0, workspace_id=workspace_id)
        .first()
    )
    if membership is None:
        raise ValidationError("You are not a member of that workspace.")
    request.session[SESSION_KEY] = membership.workspace_id
    request._sourcewise_membership = membership  # type: ignore[attr-defined]
    return membership


@transaction.atomic
def change_role(*, membership: Membership, role: str, actor: User) -> Membership:
    if role not in Membership.Role.values:
        raise ValidationError("Choose owner, manager or freelancer.")
    if membership.role == OWNER and role != OWNER:
        owners = Membership.objects.select_for_update().filter(workspace=membership.workspace, role=OWNER)
        if owners.count() <= 1:
            raise ValidationError("A workspace needs at least one owner.")
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    record(
        actor=actor,
        workspace=membership.workspace,
        action="membership.role",
        target=membership,
        changes={"role": [before, role]},
    )
    return membership


@transaction.atomic
def remove_member(*, membership: Membership, actor: User) -> None:
    if membership.role == OWNER and Membership.objects.filter(workspace=membership.workspace, role=OWNER).count() <= 1:
        raise ValidationError("A workspace needs at least one owner.")
    record(
        actor=actor,
        workspace=membership.workspace,
        action="membership.remove",
        target=membership,
        changes={"email": membership.user.email},
    )
    membership.delete()

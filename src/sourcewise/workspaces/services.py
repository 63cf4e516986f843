"""Writes about workspaces: create, change settings, invite, accept, switch."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from sourcewise.accounts.models import User
from sourcewise.audit.services import record
from sourcewise.core.access import FREELANCER, OWNER
from sourcewise.core.links import site_url
from sourcewise.workspaces.models import Invitation, Membership, Workspace
from sourcewise.workspaces.selectors import SESSION_KEY
from sourcewise.workspaces.signals import member_removed

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


def _profile_for(workspace: Workspace, email: str) -> Any:
    """The one freelancer profile of the workspace with this address (any case), or None."""
    from sourcewise.talent.models import Freelancer  # talent is above workspaces: a listed debt (pyproject)

    matches = list(Freelancer.objects.filter(workspace=workspace, email__iexact=email)[:2])
    return matches[0] if len(matches) == 1 else None


def _check_profile(workspace: Workspace, freelancer: Any, email: str) -> None:
    if freelancer.workspace_id != workspace.pk:
        raise ValidationError({"freelancer": "Unknown freelancer in this workspace."}, code="unknown")
    if freelancer.user_id is not None:
        linked = User.objects.filter(pk=freelancer.user_id).values_list("email", flat=True).first()
        if linked and linked.lower() == email:
            raise ValidationError(
                {"email": f"{freelancer.name}'s portal login is already linked to {linked}."}, code="linked"
            )
        raise ValidationError(
            {
                "email": f"{freelancer.name}'s profile is already linked to the login {linked}; "
                "a profile has one portal login."
            },
            code="linked",
        )


def pending_invitations(workspace: Workspace) -> Any:
    return Invitation.objects.filter(workspace=workspace, accepted_at__isnull=True, expires_at__gt=timezone.now())


@transaction.atomic
def invite(
    *,
    workspace: Workspace,
    inviter: User | None,
    email: str,
    role: str,
    freelancer: Any = None,
    base_url: str | None = None,
) -> tuple[Invitation, str]:
    """Create an invitation and email its link (sent after the commit). Returns the link.

    `inviter` is None only for an operator's command-line restore (no person invites).
    A freelancer's invitation carries their profile: the given `freelancer`, or else the one
    profile of the workspace with the invited address. Accepting it links the login to the
    profile, which is what opens the portal. A new invitation to the same address (or for the
    same profile) replaces the pending ones: their links stop working. `base_url` starts the
    emailed link (`core.links.site_url(request)` from a view).
    """
    email = email.strip().lower()
    if role not in Membership.Role.values:
        raise ValidationError({"role": "Choose owner, manager or freelancer."})
    if freelancer is not None and role != FREELANCER:
        raise ValidationError({"role": "A freelancer profile is invited with the freelancer role."})
    if role == FREELANCER and freelancer is None:
        freelancer = _profile_for(workspace, email)
        if freelancer is not None and freelancer.user_id is not None:
            freelancer = None  # that profile has its login; the invitation stays a plain one
    if freelancer is not None:
        _check_profile(workspace, freelancer, email)
    member = Membership.objects.filter(workspace=workspace, user__email__iexact=email).first()
    if member is not None and not (member.role == FREELANCER and freelancer is not None):
        # A freelancer who joined before their profile was linked may be invited again with
        # their profile: accepting links it. Anybody else is already in.
        raise ValidationError({"email": f"{email} is already a member of {workspace.name}."})
    now = timezone.now()
    same = models.Q(email__iexact=email)
    if freelancer is not None:
        same |= models.Q(freelancer=freelancer)
    replaced_ids = list(pending_invitations(workspace).select_for_update().filter(same).values_list("pk", flat=True))
    if replaced_ids:
        Invitation.objects.filter(pk__in=replaced_ids).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        workspace=workspace,
        email=email,
        role=role,
        token_hash=_hash(token),
        invited_by=inviter,
        freelancer=freelancer,
        expires_at=now + datetime.timedelta(days=INVITATION_DAYS),
    )
    invitation.full_clean(exclude=None if inviter else ["invited_by"])
    invitation.save()
    link = (base_url or site_url()) + reverse("workspaces:accept_invitation", args=[token])
    changes: dict[str, Any] = {"email": email, "role": role}
    if freelancer is not None:
        changes["freelancer"] = freelancer.pk
    if replaced_ids:
        changes["replaced"] = replaced_ids
    record(actor=inviter, workspace=workspace, action="invitation.create", target=invitation, changes=changes)
    subject = f"You are invited to {workspace.name} on Sourcewise"
    who = inviter.display_name if inviter else "The operator of this Sourcewise"
    what = (
        "the freelancer portal (your SOPs, documents and engagements)"
        if freelancer is not None
        else f"{workspace.name} on Sourcewise as {role}"
    )
    body = (
        f"{who} invited you to join {what}.\n\nAccept the invitation here (valid for {INVITATION_DAYS} days):\n{link}\n"
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
    """The invited person joins. A freelancer's login is linked to their profile: the one the
    invitation carries, or the workspace's one profile with the invited address."""
    from sourcewise.talent.models import Freelancer  # talent is above workspaces: a listed debt (pyproject)

    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ValidationError("This invitation was already used.")
    if invitation.expires_at < timezone.now():
        raise ValidationError("This invitation has expired or was replaced by a newer one; ask for a new link.")
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(f"This invitation is for {invitation.email}; sign in with that address.")
    profile = None
    if invitation.role == FREELANCER:
        if invitation.freelancer_id:
            profile = Freelancer.objects.select_for_update().filter(pk=invitation.freelancer_id).first()
        else:
            matched = _profile_for(invitation.workspace, invitation.email)
            if matched is not None and matched.user_id is None:
                profile = Freelancer.objects.select_for_update().get(pk=matched.pk)
        if profile is not None and profile.user_id not in (None, user.pk):
            raise ValidationError(
                f"{profile.name}'s profile is already linked to another login; ask the business for a new invitation."
            )
    membership, _ = Membership.objects.get_or_create(
        user=user, workspace=invitation.workspace, defaults={"role": invitation.role}
    )
    changes: dict[str, Any] = {}
    if profile is not None and membership.role == FREELANCER:
        if profile.user_id is None:
            profile.user = user
            profile.save(update_fields=["user", "updated_at"])
        changes["freelancer"] = profile.pk
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    record(actor=user, workspace=invitation.workspace, action="invitation.accept", target=invitation, changes=changes)
    return membership


def switch_workspace(request: HttpRequest, workspace_id: int) -> Membership:
    membership = (
        Membership.objects.select_related("workspace")
        .filter(user_id=request.user.pk or 0, workspace_id=workspace_id, workspace__restoring=False)
        .first()
    )
    if membership is None:
        raise ValidationError("You are not a member of that workspace.")
    request.session[SESSION_KEY] = membership.workspace_id
    request._sourcewise_membership = membership  # type: ignore[attr-defined]
    return membership


def _lock_workspace(membership: Membership, actor: User | None) -> Membership:
    """Lock the workspace row — and so its set of owners — then re-read the member under the lock.

    Every change of who owns a workspace passes here first, so two owners removing (or
    demoting) each other at the same moment run one after the other: the second sees the
    first's result and is refused, and a workspace never ends up with no owner. The actor
    must still be an owner once the lock is held (they may have been removed meanwhile).
    """
    Workspace.objects.select_for_update().only("pk").get(pk=membership.workspace_id)
    current = Membership.objects.select_related("user", "workspace").filter(pk=membership.pk).first()
    if current is None:
        raise ValidationError("This person is no longer a member of the workspace.", code="gone")
    if (
        actor is not None
        and not Membership.objects.filter(workspace_id=membership.workspace_id, user_id=actor.pk, role=OWNER).exists()
    ):
        raise PermissionDenied("Only an owner of the workspace can change its members.")
    return current


@transaction.atomic
def change_role(*, membership: Membership, role: str, actor: User | None) -> Membership:
    """A member's role changes. Their API tokens act with the new role from the next request on
    (a token carries no role of its own: it is read from the membership on every use)."""
    if role not in Membership.Role.values:
        raise ValidationError("Choose owner, manager or freelancer.")
    current = _lock_workspace(membership, actor)
    owners = Membership.objects.filter(workspace_id=current.workspace_id, role=OWNER)
    if current.role == OWNER and role != OWNER and owners.count() <= 1:
        raise ValidationError("A workspace needs at least one owner.")
    before = current.role
    current.role = role
    current.save(update_fields=["role"])
    membership.role = role
    record(
        actor=actor,
        workspace=current.workspace,
        action="membership.role",
        target=current,
        changes={"role": [before, role]},
    )
    return membership


@transaction.atomic
def remove_member(*, membership: Membership, actor: User | None) -> None:
    """Remove a member. Their API tokens for this workspace are revoked for good: a token
    never comes back to life when the person is invited and accepts again."""
    current = _lock_workspace(membership, actor)
    if current.role == OWNER and (
        Membership.objects.filter(workspace_id=current.workspace_id, role=OWNER).count() <= 1
    ):
        raise ValidationError("A workspace needs at least one owner.")
    record(
        actor=actor,
        workspace=current.workspace,
        action="membership.remove",
        target=current,
        changes={"email": current.user.email},
    )
    # The API app revokes the member's tokens (it sits above workspaces: told by an event).
    member_removed.send(sender=Membership, membership=current, actor=actor, why="member removed")
    current.delete()

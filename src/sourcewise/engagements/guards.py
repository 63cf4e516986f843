"""Who may act on an engagement, and the lock and state checks every write of one starts with.

Every state change runs in one transaction that first locks the engagement row
(`locked_engagement`, `select_for_update`), re-reads its state and only then decides: two people
pressing "Activate" at once give one activation and one clear refusal, never two.

Who may act is decided in the services too, not only in the views: every change to an engagement
and to the work inside it is refused (`PermissionDenied`, a 403 on every interface) unless
the actor manages that engagement — its own manager, or an owner of its workspace
(`can_manage`). A manager plans drafts for themself; only an owner hands an engagement to
another manager. `actor=None` is the system itself (demo builder, operator commands); no
web or API request can pass it, as every route needs a signed-in member.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet

from sourcewise.core.access import INTERNAL
from sourcewise.engagements.models import Engagement
from sourcewise.workspaces.models import Membership

if TYPE_CHECKING:
    from sourcewise.accounts.models import User


def locked_engagement(engagement: Engagement) -> Engagement:
    """The engagement re-read under a row lock (held until the transaction ends).

    Only the engagement's row (`of=("self",)`): a bare FOR UPDATE locks every joined row, and a
    locked workspace row made every other write of the workspace wait at its commit (the check
    of its foreign keys takes a share of that row) — and deadlock with them on PostgreSQL."""
    return Engagement.objects.select_for_update(of=("self",)).select_related("workspace").get(pk=engagement.pk)


def require_state(engagement: Engagement, *states: str, doing: str) -> None:
    if engagement.state not in states:
        raise ValidationError(
            f"This engagement is {engagement.get_state_display().lower()}; it cannot be {doing}.", code="state"
        )


def refresh_from(target: Engagement, source: Engagement) -> None:
    """Copy the locked row's values onto the caller's instance so it sees the new state."""
    for f in Engagement._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))


def can_manage(membership: Membership, engagement: Engagement) -> bool:
    """The engagement's own manager, or an owner of its workspace."""
    if membership.workspace_id != engagement.workspace_id:
        return False
    return membership.is_owner or (membership.role in INTERNAL and engagement.manager_id == membership.pk)


def can_assign_manager(membership: Membership, manager: Membership) -> bool:
    """An owner hands an engagement to anyone on the team; a manager plans only for themself."""
    return membership.is_owner or manager.pk == membership.pk


def assignable_managers(membership: Membership) -> QuerySet[Membership]:
    """The team members `membership` may name as an engagement's manager (see `can_assign_manager`)."""
    team = Membership.objects.filter(workspace_id=membership.workspace_id, role__in=INTERNAL)
    return team if membership.is_owner else team.filter(pk=membership.pk)


NOT_MANAGER = "Only the engagement's manager or an owner of the workspace can do this."


def require_manager(membership: Membership, engagement: Engagement) -> None:
    if not can_manage(membership, engagement):
        raise PermissionDenied(NOT_MANAGER)


def member_of(actor: User | Membership | None, workspace_id: int) -> Membership | None:
    """The actor's membership in the workspace; None for the system (`actor=None`).

    A person without a membership there is refused outright.
    """
    if actor is None:
        return None
    if isinstance(actor, Membership):
        member: Membership | None = actor if actor.workspace_id == workspace_id else None
    else:
        user_id = getattr(actor, "pk", None)
        member = Membership.objects.filter(user_id=user_id, workspace_id=workspace_id).first() if user_id else None
    if member is None:
        raise PermissionDenied("You are not a member of this workspace.")
    return member


def require_actor_manages(actor: User | Membership | None, engagement: Engagement) -> Membership | None:
    """Refuse unless the actor (a user or membership) manages the engagement; None = the system."""
    member = member_of(actor, engagement.workspace_id)
    if member is not None:
        require_manager(member, engagement)
    return member


def is_own(membership: Membership, engagement: Engagement) -> bool:
    return engagement.workspace_id == membership.workspace_id and engagement.freelancer.user_id == membership.user_id


def require_freelancer(membership: Membership, engagement: Engagement) -> None:
    if not is_own(membership, engagement):
        raise PermissionDenied("Only the freelancer of this engagement can do this.")


def require_active(engagement: Engagement, doing: str) -> None:
    if engagement.state != Engagement.State.ACTIVE:
        raise ValidationError(
            f"The engagement is {engagement.get_state_display().lower()}; {doing} only on an active engagement.",
            code="state",
        )

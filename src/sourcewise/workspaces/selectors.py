"""Reads about workspaces and memberships."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from sourcewise.workspaces.models import Membership

SESSION_KEY = "workspace_id"


def memberships_of(user: Any) -> QuerySet[Membership]:
    """The user's memberships of the workspaces they can see (never one a restore is still writing)."""
    return (
        Membership.objects.filter(user=user, workspace__restoring=False)
        .select_related("workspace")
        .order_by("workspace__name", "id")
    )


def current_membership(request: HttpRequest) -> Membership | None:
    """The membership of the workspace the user chose (session), else the first one they joined."""
    cached = getattr(request, "_sourcewise_membership", None)
    if cached is not None:
        return cached
    if not request.user.is_authenticated:
        return None
    memberships = memberships_of(request.user)
    chosen = request.session.get(SESSION_KEY)
    membership = None
    if chosen is not None:
        membership = memberships.filter(workspace_id=chosen).first()
    if membership is None:
        membership = memberships.order_by("id").first()  # the first workspace they joined
    request._sourcewise_membership = membership  # type: ignore[attr-defined]
    return membership

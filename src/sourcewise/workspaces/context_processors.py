from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sourcewise.workspaces.selectors import current_membership, memberships_of


def current_workspace(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    membership = current_membership(request)
    return {
        "current_membership": membership,
        "current_workspace": membership.workspace if membership else None,
        "has_several_workspaces": memberships_of(request.user)[:2].count() > 1,
    }

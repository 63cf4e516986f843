"""API side of the one permission mechanism: token auth plus the role a route needs.

Each operation passes `auth=api_access(roles, objects)`. The same declaration drives
the authorization test, exactly like `workspace_view` for web pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.http import HttpRequest
from ninja.security import HttpBearer

from sourcewise.api.services import membership_for_token
from sourcewise.core.access import ROLES, WORKSPACE, Access
from sourcewise.workspaces.access import deny
from sourcewise.workspaces.models import Membership


class ApiAccess(HttpBearer):
    def __init__(self, roles: Iterable[str], objects: Mapping[str, type[models.Model]] | None = None) -> None:
        super().__init__()
        self.roles = tuple(roles)
        unknown = set(self.roles) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles {unknown}")
        self.access = Access(WORKSPACE, self.roles, dict(objects or {}))

    def __call__(self, request: HttpRequest) -> Membership | None:
        """HttpBearer's own reading of `Authorization: Bearer <token>`, from META: `request.headers`
        would build a dict of every header on each API request just to read this one."""
        value = request.META.get("HTTP_AUTHORIZATION")
        if not value:
            return None
        scheme, _, token = value.partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> Membership | None:
        membership = membership_for_token(token)
        if membership is None:
            return None
        request.user = membership.user
        request.membership = membership  # type: ignore[attr-defined]
        request.workspace = membership.workspace  # type: ignore[attr-defined]
        request._sourcewise_membership = membership  # type: ignore[attr-defined]
        if membership.role not in self.roles:
            raise deny(request, f"A {membership.role} may not use this operation.")
        return membership


def api_access(roles: Iterable[str], objects: Mapping[str, type[models.Model]] | None = None) -> Any:
    return ApiAccess(roles, objects)

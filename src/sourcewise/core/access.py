"""The one tenancy and permission mechanism of Sourcewise.

Every web view declares who may use it with one of three decorators:

* `public_view`          anyone (login page, sign-up, invitation links);
* `login_view`           any signed-in user, no workspace needed (workspace switcher);
* `workspace_view(...)`  a member of the current workspace with one of `roles`;
  `objects` maps URL keyword arguments to the models they name, so the view can
  load them through `scoped_object()` and the authorization test can try another
  workspace's ids on every route by itself.

This module holds the declarations (roles, `Access`, `public_view`, `login_view`) so that
any layer can read them; `workspace_view`, `scoped_object` and the audited refusals need
the membership and live in `sourcewise.workspaces.access`. The API uses the same
declaration through `sourcewise.api.access.api_access`. A missing workspace membership is
a 403, an object of another workspace is a 404, and every denial leaves an audit row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.http import HttpRequest
from django.http.response import HttpResponseBase

OWNER = "owner"
MANAGER = "manager"
FREELANCER = "freelancer"
ROLES = (OWNER, MANAGER, FREELANCER)
INTERNAL = (OWNER, MANAGER)
EVERYONE = ROLES

PUBLIC = "public"
LOGIN = "login"
WORKSPACE = "workspace"

ACCESS_ATTRIBUTE = "sourcewise_access"

V = TypeVar("V", bound=Callable[..., HttpResponseBase])


@dataclass(frozen=True)
class Access:
    """What a route requires. Read by the route itself and by the authorization test."""

    kind: str
    roles: tuple[str, ...] = ()
    objects: Mapping[str, type[models.Model]] = field(default_factory=dict)


def _declare(view: Callable[..., Any], access: Access) -> None:
    setattr(view, ACCESS_ATTRIBUTE, access)


def access_of(view: Callable[..., Any]) -> Access | None:
    return getattr(view, ACCESS_ATTRIBUTE, None)


def public_view(view: V) -> V:
    _declare(view, Access(PUBLIC))
    return view


def login_view(view: V) -> V:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    _declare(wrapper, Access(LOGIN))
    return wrapper  # type: ignore[return-value]

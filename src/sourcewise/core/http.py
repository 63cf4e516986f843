"""The requests a view receives once access is checked, for type checking.

`login_view` lets a request through only for a signed-in person: its view annotates the
request as `SignedInRequest`, whose `user` is a `User` (never `AnonymousUser`).
`workspace_view` (and the API's `api_access`) let a request through only for a member of
the current workspace and set `request.membership` and `request.workspace` on it: its view
annotates the request as `WorkspaceRequest`, so those attributes have real types.
Nothing ever builds these classes: at run time the request is Django's own `HttpRequest`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:  # core is the lowest layer: it names the apps above it only for the checker
    from sourcewise.accounts.models import User
    from sourcewise.workspaces.models import Membership, Workspace


class SignedInRequest(HttpRequest):
    """An `HttpRequest` that passed `login_view`: a signed-in user."""

    user: User


class WorkspaceRequest(SignedInRequest):
    """An `HttpRequest` that passed `workspace_view` or `api_access`: a member of the current workspace."""

    membership: Membership
    workspace: Workspace

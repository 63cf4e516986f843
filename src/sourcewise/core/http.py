"""The request a workspace view receives, for type checking.

`workspace_view` (and the API's `api_access`) let a request through only for a signed-in
member of the current workspace, and set `request.membership` and `request.workspace` on it.
A view annotates its request as `WorkspaceRequest` so those attributes, and `request.user`
as a signed-in `User`, have real types. Nothing ever builds a `WorkspaceRequest`: at run
time the request is Django's own `HttpRequest`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:  # core is the lowest layer: it names the apps above it only for the checker
    from sourcewise.accounts.models import User
    from sourcewise.workspaces.models import Membership, Workspace


class WorkspaceRequest(HttpRequest):
    """An `HttpRequest` that passed `workspace_view` or `api_access`."""

    user: User
    membership: Membership
    workspace: Workspace

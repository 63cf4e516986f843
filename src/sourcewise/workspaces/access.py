"""Membership checks of the one permission mechanism (the route declarations live in `core.access`).

`workspace_view(...)` admits a member of the current workspace with one of `roles`; `scoped_object()`
loads a row of the member's workspace (another workspace's id is a 404, like no id); `deny()` and
`audit_refusal()` leave the audit row of every refusal — see `RefusalAuditMiddleware` and the API's
error handlers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from sourcewise.audit.services import record_denial
from sourcewise.core.access import ROLES, WORKSPACE, Access, V, _declare
from sourcewise.core.http import WorkspaceRequest
from sourcewise.workspaces.selectors import current_membership

AUDITED = "sourcewise_audited"


def deny(request: HttpRequest, reason: str) -> PermissionDenied:
    """Record the denial in the audit log and return the exception to raise."""
    record_denial(request, reason)
    exc = PermissionDenied(reason)
    setattr(exc, AUDITED, True)
    return exc


class NotInWorkspace(Http404):
    """An id the member may not see: another workspace's row, a row beyond their role, or no row at all."""

    def __init__(self, model: type[models.Model], pk: Any) -> None:
        super().__init__(f"No {model._meta.verbose_name} with that id in this workspace.")
        self.model_label = model._meta.label_lower
        self.pk = str(pk)[:64]


def audit_refusal(request: HttpRequest, exc: Exception) -> None:
    """Write the audit row of a refused request (403, or 404 for an id that is not the member's).

    Called centrally — by `RefusalAuditMiddleware` for web pages and by the API's error
    handlers — so every view, endpoint and service refusal is covered once; a denial that
    `deny()` recorded already is not written twice. Anonymous requests are not audited
    here (they never reach an id: they are sent to sign in or get 401).
    """
    if getattr(exc, AUDITED, False) or not getattr(getattr(request, "user", None), "is_authenticated", False):
        return
    if not isinstance(exc, (PermissionDenied, Http404)):
        return
    if getattr(request, "_sourcewise_membership", None) is None:  # a page outside a workspace view
        current_membership(request)  # caches it on the request: the row names the actor's workspace
    asked: dict[str, Any] = {"status": 404 if isinstance(exc, Http404) else 403}
    if isinstance(exc, NotInWorkspace):
        asked.update(model=exc.model_label, id=exc.pk)
    record_denial(request, str(exc) or "Refused.", asked=asked)
    setattr(exc, AUDITED, True)


def workspace_view(
    *, roles: Iterable[str], objects: Mapping[str, type[models.Model]] | None = None
) -> Callable[[V], V]:
    allowed = tuple(roles)
    unknown = set(allowed) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = current_membership(request)
            if membership is None:
                raise deny(request, "You are not a member of any workspace.")
            if membership.role not in allowed:
                raise deny(request, f"A {membership.role} may not open this page.")
            request.membership = membership  # type: ignore[attr-defined]
            request.workspace = membership.workspace  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        _declare(wrapper, Access(WORKSPACE, allowed, dict(objects or {})))
        return wrapper  # type: ignore[return-value]

    return decorator


M = TypeVar("M", bound=models.Model)


def scoped_queryset(request: WorkspaceRequest, model: type[M]) -> models.QuerySet[M]:
    """The rows of `model` the current member may see: their workspace, their role."""
    return model.objects.for_member(request.membership)  # type: ignore[attr-defined]


def scoped_object(request: WorkspaceRequest, model: type[M], pk: Any, queryset: models.QuerySet[M] | None = None) -> M:
    """One row the current member may see, or 404 (another workspace's id looks like no id)."""
    qs = queryset if queryset is not None else scoped_queryset(request, model)
    try:
        return qs.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise NotInWorkspace(model, pk) from None

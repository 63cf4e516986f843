"""Every refusal a signed-in person gets is audited, once, in one place for all pages."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from sourcewise.workspaces.access import audit_refusal


class RefusalAuditMiddleware:
    """Every 403 and 404 a view raises for a signed-in person leaves an audit row (SPEC §7).

    One place for all pages: an id of another workspace (`scoped_object` → 404), a service
    refusing a role (`PermissionDenied` → 403). Django renders the response as before; this
    only writes the row, after the view's transaction has rolled back.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        audit_refusal(request, exception)

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse

from sourcewise.core.access import public_view


@public_view
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: answers when the app and its database answer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})

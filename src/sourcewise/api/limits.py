"""How large an API request body may be: 413 with the limit named, never a 500.

Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) when it is read, which
inside the API used to surface as a 500. This middleware answers before the body is
read: over the limit of its operation → 413 naming the limit. A few operations take
more than the default, as the README promises: a backup restore takes a whole backup
(the size the restore page accepts), the CSV imports a whole CSV file as JSON text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from sourcewise.core.csvio import MAX_BYTES as MAX_CSV_BYTES
from sourcewise.core.limits import MAX_BACKUP_BYTES

# A CSV file travels as a JSON string: quotes and line breaks are escaped, so allow twice
# the file's limit plus room for the other fields.
_CSV_BODY = 2 * MAX_CSV_BYTES + 64 * 1024

# Operations (ninja url names) whose body may exceed DATA_UPLOAD_MAX_MEMORY_SIZE.
LARGE_BODIES: dict[str, int] = {
    "restore": MAX_BACKUP_BYTES + 1024 * 1024,
    "import_cost_entries": _CSV_BODY,
    "import_exchange_rates": _CSV_BODY,
    "import_rate_benchmarks": _CSV_BODY,
}


def default_limit() -> int:
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440)


def body_limit(url_name: str | None) -> int:
    return LARGE_BODIES.get(url_name or "", default_limit())


def describe(size: int) -> str:
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.1f} MB ({size:,} bytes)" if megabytes >= 1 else f"{size:,} bytes"


def too_large(limit: int) -> JsonResponse:
    message = f"The request body is larger than this operation accepts: at most {describe(limit)}."
    return JsonResponse({"message": message, "code": "too_large", "errors": []}, status=413)


class ApiBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or match.namespace != "api":
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = body_limit(match.url_name)
        if length > limit:
            return too_large(limit)
        if length > default_limit() and request.headers.get("Authorization", "").startswith("Bearer "):
            # Within this operation's larger limit: read the body now, past Django's default
            # check (which would refuse it when the view reads request.body). Without a token
            # nothing is read: the operation answers 401 first.
            request._body = request.read()
        return None

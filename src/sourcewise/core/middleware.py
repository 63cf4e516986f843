"""A busy database never answers 500 (the refusal audit middleware is in `workspaces.middleware`).

Never answer "database is locked" with a 500.

SQLite allows one writer at a time; a writer waits up to `busy_timeout` (5 s) for the
lock. When even that is not enough (a long import elsewhere), the view raises
`OperationalError("database is locked")`. This middleware then runs the view again, at
most `RETRIES` times, when that is safe: the method is idempotent (GET, HEAD, OPTIONS,
PUT, DELETE) or the request wrote nothing before the error. Otherwise, or when the
retries fail too, the answer is 503 with `Retry-After` and a message a person
understands (JSON for the API). The API's exception handler hands these errors here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

RETRIES = 2
RETRY_AFTER_SECONDS = 5
BUSY_MESSAGE = (
    "Sourcewise is busy finishing a large import or restore and could not save this right now. "
    "Nothing was changed; try again in a few seconds."
)
IDEMPOTENT = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}
READ_ONLY_STATEMENTS = ("SELECT", "PRAGMA", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "EXPLAIN", "WITH")


def is_database_locked(exc: BaseException) -> bool:
    if not isinstance(exc, OperationalError):
        return False
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text or "database is busy" in text


def busy_response(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"message": BUSY_MESSAGE, "code": "busy", "errors": []}, status=503)
    else:
        response = HttpResponse(BUSY_MESSAGE, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class _WriteWatcher:
    """Notes whether the request ran a statement that may have changed data."""

    def __init__(self) -> None:
        self.wrote = False

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        if not self.wrote and not str(sql).lstrip().upper().startswith(READ_ONLY_STATEMENTS):
            self.wrote = True
        return result


class DatabaseBusyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        watcher = _WriteWatcher()
        request._sourcewise_writes = watcher  # type: ignore[attr-defined]
        with connections["default"].execute_wrapper(watcher):
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_locked(exception):
            return None
        match = request.resolver_match
        watcher: _WriteWatcher | None = getattr(request, "_sourcewise_writes", None)
        for attempt in range(1, RETRIES + 1):
            safe = request.method in IDEMPOTENT or (watcher is not None and not watcher.wrote)
            if match is None or not safe:
                break
            time.sleep(0.2 * attempt)
            try:
                return match.func(request, *match.args, **match.kwargs)
            except OperationalError as again:
                if not is_database_locked(again):
                    raise
        logger.warning("Database busy: answered %s %s with 503", request.method, request.path)
        return busy_response(request)

"""The NinjaAPI instance of /api/v1/: one JSON error format, routers gathered from the apps.

Each domain app that offers API operations has an `api.py` with a `router`; they are
mounted here in INSTALLED_APPS order.
"""

from __future__ import annotations

import json
import logging
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, RequestDataTooBig, ValidationError
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from sourcewise.api.limits import body_limit, describe
from sourcewise.core.middleware import is_database_locked
from sourcewise.workspaces.access import audit_refusal

logger = logging.getLogger(__name__)


class BodyRefused(ValueError):
    """A request body that is JSON-shaped wrongly; its message is shown to the caller."""


def _refuse_constant(name: str) -> None:
    raise BodyRefused(f"{name} is not a JSON number; send a finite number.")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:  # json.loads would keep the last one silently: which one did the caller mean?
            raise BodyRefused(f'The key "{key[:80]}" appears twice in one object; send each field once.')
        seen[key] = value
    return seen


class ObjectBodyParser(Parser):
    """Every request body is one JSON object; anything else is a clear 400."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            data = json.loads(request.body, parse_constant=_refuse_constant, object_pairs_hook=_no_duplicate_keys)
        except RecursionError:
            raise BodyRefused("The JSON in the request body is nested too deeply.") from None
        except BodyRefused:
            raise
        except ValueError as exc:
            raise BodyRefused(f"The request body is not valid JSON ({exc}). Send a JSON object.") from None
        if not isinstance(data, dict):
            kind = {list: "an array", str: "a string", bool: "true or false", type(None): "null"}.get(
                type(data), "a number"
            )
            raise BodyRefused(f"The request body must be a JSON object ({{...}}), not {kind}.")
        return data


api = NinjaAPI(
    title="Sourcewise API",
    version="1",
    description=(
        "Everything Sourcewise does, over HTTP. Authenticate with a personal token "
        "(Settings → API tokens) sent as `Authorization: Bearer <token>`. The token acts "
        "in one workspace with your role there. Lists are cursor-paginated: pass "
        "`next_cursor` back as `cursor`. Errors are JSON: `{message, code, errors}`."
    ),
    urls_namespace="api",
    docs_url="/docs",
    parser=ObjectBodyParser(),
)


def error(
    request: HttpRequest, status: int, code: str, message: str, errors: list[dict[str, str]] | None = None
) -> HttpResponse:
    return api.create_response(request, {"message": message, "code": code, "errors": errors or []}, status=status)


def _loc(loc: tuple[object, ...] | list[object]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload")]
    return ".".join(parts) or "request"


@api.exception_handler(NinjaValidationError)
def on_invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [{"field": _loc(e.get("loc", ())), "message": str(e.get("msg", "Invalid value."))} for e in exc.errors]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return error(request, 422, "invalid_input", f"The request is not valid — {summary}", errors)


def _field(name: str) -> str:
    return "request" if name == NON_FIELD_ERRORS else name


@api.exception_handler(ValidationError)
def on_rule_refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A business rule or a model constraint said no: 422, or 409 when the row exists already."""
    if hasattr(exc, "error_dict"):
        pairs = [(_field(f), e) for f, errs in exc.error_dict.items() for e in errs]
    else:
        pairs = [("request", e) for e in exc.error_list]
    errors = [{"field": f, "message": m} for f, e in pairs for m in e.messages]
    message = " ".join(e["message"] for e in errors)
    if any(e.code == "duplicate" for _, e in pairs):
        return error(request, 409, "duplicate", message, errors)
    return error(request, 422, "refused", message, errors)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(
        request,
        401,
        "unauthenticated",
        "Send a valid API token as 'Authorization: Bearer <token>'. Create one under Settings → API tokens.",
    )


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    audit_refusal(request, exc)
    return error(request, 403, "forbidden", str(exc) or "Your role may not do this.")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    audit_refusal(request, exc)
    return error(request, 404, "not_found", str(exc) or "Not found in this workspace.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # ninja's own 400 is a body it could not parse; ours carry a message for a person.
        message = str(exc)
        if isinstance(exc.__cause__, BodyRefused):
            message = str(exc.__cause__)
        elif not message or message.startswith("Cannot parse"):
            message = "The request body is not valid JSON. Send a JSON object."
        return error(request, 400, "bad_request", message)
    return error(request, exc.status_code, "error", str(exc))


@api.exception_handler(OperationalError)
def on_database_error(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    """A busy SQLite database goes to DatabaseBusyMiddleware (retry, else 503); the rest is a 500."""
    if is_database_locked(exc):
        raise exc
    return on_unexpected(request, exc)


@api.exception_handler(RequestDataTooBig)
def on_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Normally answered by ApiBodyLimitMiddleware before the body is read; this is the backstop.
    limit = body_limit(getattr(request.resolver_match, "url_name", None))
    return error(
        request, 413, "too_large", f"The request body is larger than this operation accepts: at most {describe(limit)}."
    )


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unexpected API error on %s %s", request.method, request.path)
    return error(request, 500, "server_error", "Something went wrong on our side; nothing was changed.")


# Mounted first: Django tries URL patterns in order, and ninja gives each path prefix its own
# include, so the engagements API (the most requested) is matched after one prefix instead
# of a dozen; about a tenth of a short request's time (SPEC §6 P7).
FIRST_ROUTERS = ("sourcewise.engagements",)


def _mount_routers() -> None:
    configs = sorted(
        (config for config in apps.get_app_configs() if config.name.startswith("sourcewise.")),
        key=lambda config: config.name not in FIRST_ROUTERS,  # a stable sort: the rest keep their order
    )
    for config in configs:
        if config.name == "sourcewise.api":
            continue
        module_name = f"{config.name}.api"
        if find_spec(module_name) is None:
            continue
        module = import_module(module_name)
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router("", router)
    # Routers that live beside an app's `api.py` (one module per concern).
    for module_name in EXTRA_ROUTERS:
        api.add_router("", import_module(module_name).router)


EXTRA_ROUTERS = ["sourcewise.findings.history_api"]

_mount_routers()

"""The peers of the engagements API, for bench/peers.py only (never in the product's urls).

The bench process sets ROOT_URLCONF to this module: the product's own urlpatterns, with two
peers of GET /api/v1/engagements and /api/v1/engagements/{id} put in front of them (so they
resolve first, which if anything flatters the peers; the product's API answers at
/api/v1/ exactly as in production):

- the floor, /bench/floor/engagements[/{id}]: a bare Django function view doing the product's
  SQL by hand. It checks the bearer token with one statement reading what the product's token
  check reads (the token, its user if active, its workspace if not restoring, the user's
  membership there: all their columns; the hash compared in constant time, as the product
  does), reads the same page with one statement (keyset on id, the same columns and joins as
  the product), builds the same dicts the product returns and answers `json.dumps` of them.
  No ORM, no model objects, no schema, no validation of the query string beyond int(); the
  `last_used_at` write the product does once a minute per token is left out. Its cursor is
  the product's for these statements (api.prepared.hot_cursor: on PostgreSQL values bound on
  the server, so the two statements are prepared as the product's are, not planned each time).
- DRF, /bench/drf/engagements[/{id}]: a `ModelViewSet` with a `ModelSerializer` of the same
  fields (the related names nested as {id, name}), `CursorPagination` ordered by id (DRF's own
  keyset cursor, page size 50, `page_size` up to 200), the JSON renderer only, and a bearer
  token authentication class that calls the product's own token check (one query), so its
  auth costs what ours does. The queryset is scoped like ours (`for_member`) and reads only
  the columns it serialises (`select_related` + `only`), as a careful DRF team would write it.

All three run behind the same middleware stack, in the same process, with the same settings.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from decimal import Decimal
from typing import Any

from api_sql import FLOOR_AUTH, FLOOR_ONE, FLOOR_PAGE
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from rest_framework import serializers, viewsets
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.routers import SimpleRouter

from sourcewise.api.access import api_access
from sourcewise.api.main import api
from sourcewise.api.prepared import hot_cursor
from sourcewise.api.rendered import rendered
from sourcewise.api.services import membership_for_token
from sourcewise.config.urls import urlpatterns as product_urlpatterns
from sourcewise.core.access import EVERYONE
from sourcewise.engagements.api import ENGAGEMENT_ID, _item_for
from sourcewise.engagements.models import Engagement

# ── the floor ─────────────────────────────────────────────────────────────────────────────

FLOOR_INTERNAL = {"owner", "manager"}


def _money(value: Any) -> str | None:
    """A decimal(…, 2) column as the product writes it: PostgreSQL gives Decimal, SQLite a float."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value)
    return f"{value:.2f}"


def _day(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _moment(value: Any) -> str | None:
    """A UTC timestamp as the product's JSON has it: ISO 8601, milliseconds, 'Z'."""
    if value is None:
        return None
    if isinstance(value, str):  # SQLite: 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC
        value = datetime.datetime.fromisoformat(value)
    text = value.replace(tzinfo=None).isoformat()
    if value.microsecond:
        text = text[:23]
    return text + "Z"


def _floor_item(row: tuple[Any, ...], internal: bool) -> dict[str, Any]:
    (pk, freelancer_id, task_id, manager_id, kind, state, billing, rate, currency, budget_cap, start_date, end_date,
     saving, saving_currency, trial_hours_cap, trial_rating, completion_note, termination_reason, activated_at,
     ended_at, freelancer_name, task_name, manager_full_name, manager_email) = row  # fmt: skip
    return {
        "id": pk,
        "freelancer_id": freelancer_id,
        "task_id": task_id,
        "manager_id": manager_id,
        "freelancer": {"id": freelancer_id, "name": freelancer_name},
        "task": {"id": task_id, "name": task_name},
        "manager": None if manager_id is None else {"id": manager_id, "name": manager_full_name or manager_email},
        "kind": kind,
        "state": state,
        "billing": billing,
        "rate": _money(rate),
        "currency": currency,
        "budget_cap": _money(budget_cap),
        "start_date": _day(start_date),
        "end_date": _day(end_date),
        "expected_monthly_saving": _money(saving) if internal else None,
        "expected_saving_currency": (saving_currency or None) if internal else None,
        "trial_hours_cap": trial_hours_cap,
        "trial_rating": trial_rating,
        "completion_note": completion_note,
        "termination_reason": termination_reason,
        "activated_at": _moment(activated_at),
        "ended_at": _moment(ended_at),
    }


def _floor_member(request: HttpRequest, cursor: Any) -> tuple[int, bool] | None:
    """(workspace id, internal) of the bearer token, or None: one statement."""
    raw = request.META.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
    parts = raw.split("_", 2)
    if len(parts) != 3:
        return None
    cursor.execute(FLOOR_AUTH, [parts[1], True, False])
    found = cursor.fetchone()
    if found is None or not hmac.compare_digest(found[0], hashlib.sha256(raw.encode()).hexdigest()):
        return None
    return found[2], found[1] in FLOOR_INTERNAL


def _unauthenticated() -> HttpResponse:
    return JsonResponse({"message": "Send a valid API token.", "code": "unauthenticated", "errors": []}, status=401)


def floor_list(request: HttpRequest) -> HttpResponse:
    limit = min(max(int(request.GET.get("limit", 50)), 1), 200)
    after = int(request.GET.get("cursor") or 0)
    with hot_cursor() as cursor:
        member = _floor_member(request, cursor)
        if member is None:
            return _unauthenticated()
        workspace_id, internal = member
        cursor.execute(FLOOR_PAGE, [workspace_id, after, limit + 1])
        rows = cursor.fetchall()
    items = [_floor_item(row, internal) for row in rows[:limit]]
    next_cursor = str(rows[limit - 1][0]) if len(rows) > limit else None
    body = json.dumps({"items": items, "next_cursor": next_cursor})
    return HttpResponse(body, content_type="application/json")


def floor_detail(request: HttpRequest, engagement_id: int) -> HttpResponse:
    with hot_cursor() as cursor:
        member = _floor_member(request, cursor)
        if member is None:
            return _unauthenticated()
        workspace_id, internal = member
        cursor.execute(FLOOR_ONE, [workspace_id, engagement_id])
        row = cursor.fetchone()
    if row is None:
        return JsonResponse({"message": "Not found in this workspace.", "code": "not_found", "errors": []}, status=404)
    return HttpResponse(json.dumps(_floor_item(row, internal)), content_type="application/json")


# ── Django REST Framework ─────────────────────────────────────────────────────────────────


class BearerTokenAuthentication(BaseAuthentication):
    """The product's token check (one query) behind DRF's authentication interface."""

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != b"bearer":
            return None
        if len(header) != 2:
            raise AuthenticationFailed("Send a valid API token.")
        membership = membership_for_token(header[1].decode())
        if membership is None:
            raise AuthenticationFailed("Send a valid API token.")
        return membership.user, membership

    def authenticate_header(self, request: Any) -> str:
        return "Bearer"


class RefSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    name = serializers.CharField()


class EngagementSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    freelancer = RefSerializer(read_only=True)
    task = RefSerializer(read_only=True)
    manager = serializers.SerializerMethodField()

    class Meta:
        model = Engagement
        fields = [
            "id", "freelancer_id", "task_id", "manager_id", "freelancer", "task", "manager", "kind", "state",
            "billing", "rate", "currency", "budget_cap", "start_date", "end_date", "expected_monthly_saving",
            "expected_saving_currency", "trial_hours_cap", "trial_rating", "completion_note", "termination_reason",
            "activated_at", "ended_at",
        ]  # fmt: skip
        read_only_fields = fields

    freelancer_id = serializers.IntegerField(read_only=True)
    task_id = serializers.IntegerField(read_only=True)
    manager_id = serializers.IntegerField(read_only=True, allow_null=True)

    def get_manager(self, engagement: Engagement) -> dict[str, Any] | None:
        if engagement.manager_id is None:
            return None
        user = engagement.manager.user  # type: ignore[union-attr]
        return {"id": engagement.manager_id, "name": user.full_name or user.email}

    def to_representation(self, instance: Engagement) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context["request"].auth.is_internal:  # the expected saving: team members only
            data["expected_monthly_saving"] = None
            data["expected_saving_currency"] = None
        else:
            data["expected_saving_currency"] = data["expected_saving_currency"] or None
        return data


class ByIdCursor(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "id"


_DRF_COLUMNS = (
    "id", "workspace_id", "freelancer_id", "task_id", "manager_id", "kind", "state", "billing", "rate", "currency",
    "budget_cap", "start_date", "end_date", "expected_monthly_saving", "expected_saving_currency",
    "trial_hours_cap", "trial_rating", "completion_note", "termination_reason", "activated_at", "ended_at",
    "freelancer__name", "task__name", "manager__user__full_name", "manager__user__email",
)  # fmt: skip


class EngagementViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
    """Only its list and retrieve actions are timed (the serializer's fields are read-only)."""

    serializer_class = EngagementSerializer
    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]
    pagination_class = ByIdCursor

    def get_queryset(self) -> Any:
        return (
            Engagement.objects.for_member(self.request.auth)
            .select_related("freelancer", "task", "manager__user")
            .only(*_DRF_COLUMNS)
        )


router = SimpleRouter(trailing_slash=False)
router.register("bench/drf/engagements", EngagementViewSet, basename="drf-engagement")

# ── the product's code without ninja's dispatch (a diagnostic: `peers.py --without-ninja`) ────────

_DETAIL_ACCESS = api_access(EVERYONE, ENGAGEMENT_ID)


def product_code_detail(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """What GET /api/v1/engagements/{id} runs of the product's own code — its token check and role
    (`api_access`), its scoped query and its JSON — called from a plain Django view instead of
    through django-ninja's operation (path parameters, the temporal response, the dispatch).
    Errors go to the API's own handler. Never in the product: it measures what ninja adds."""
    try:
        if _DETAIL_ACCESS(request) is None:
            return _unauthenticated()
        return rendered(_item_for(request, engagement_id))  # type: ignore[arg-type]
    except Exception as exc:  # the API's handler answers every error as the product does
        return api.on_exception(request, exc)


urlpatterns = [
    path("bench/floor/engagements", floor_list),
    path("bench/floor/engagements/<int:engagement_id>", floor_detail),
    path("bench/product-code/engagements/<int:engagement_id>", product_code_detail),
    *router.urls,
    *product_urlpatterns,
]

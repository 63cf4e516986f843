from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sourcewise.core.access import public_view
from sourcewise.core.pickers import LISTS, filter_options, option_values
from sourcewise.core.places import country_currency, country_timezone


@public_view
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: answers when the app and its database answer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")


def _field(request: HttpRequest, key: str) -> str:
    name = request.GET.get(key, "")
    if not FIELD_NAME.match(name):
        raise BadLookup(f"{key} must name a form field.")
    return name


class BadLookup(Exception):
    pass


@public_view
@require_GET
def lookup_options(request: HttpRequest) -> HttpResponse:
    """The options of a picker matching its search box (core/pickers.py), as <option>s for htmx."""
    list_key = request.GET.get("list", "")
    if list_key not in LISTS:
        return HttpResponseBadRequest(f"Unknown list. Use one of: {', '.join(LISTS)}.")
    try:
        field = _field(request, "field")
    except BadLookup as exc:
        return HttpResponseBadRequest(str(exc))
    query = request.GET.get("q", "")[:100]
    blank = request.GET.get("blank")
    shown = filter_options(
        list_key,
        query=query,
        selected=request.GET.getlist(field),
        multiple=request.GET.get("multiple") == "1",
        blank=blank[:60] if blank is not None else None,
    )
    no_match = not [v for v in option_values(shown) if v]
    response = render(request, "core/lookups/options.html", {"shown": shown, "no_match": no_match, "query": query})
    response["HX-Trigger-After-Swap"] = "sw-picked"
    return response


@public_view
@require_GET
def lookup_country_defaults(request: HttpRequest) -> HttpResponse:
    """A chosen country's currency and main time zone, swapped into the form's two selects (htmx).

    A field is filled when it is empty or still holds the previous country's default;
    a value the person chose differently stays.
    """
    try:
        names = {key: _field(request, f"{key}_field") for key in ("country", "currency", "timezone")}
    except BadLookup as exc:
        return HttpResponseBadRequest(str(exc))
    country = request.GET.get(names["country"], "").strip().upper()
    previous = request.GET.get(f"{names['country']}__defaults", "").strip().upper()
    known = country_timezone(country) is not None or country_currency(country) is not None
    context: dict[str, Any] = {}
    for key, list_key, blank, default in (
        ("currency", "currencies", "Choose a currency", country_currency),
        ("timezone", "timezones", "Choose a time zone", country_timezone),
    ):
        current = request.GET.get(names[key], "")
        value = current
        if known and (not current or current == default(previous)):
            value = default(country) or current
        context[key] = {
            "id": f"id_{names[key]}",
            "shown": filter_options(list_key, query="", selected=[value], blank=blank),
        }
    context["defaults"] = {
        "id": f"id_{names['country']}__defaults",
        "name": f"{names['country']}__defaults",
        "value": country if known else previous,
    }
    return render(request, "core/lookups/country_defaults.html", context)

from __future__ import annotations

import json
import re

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
    query = request.GET.get("picker_search", "")[:100]
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
    # After the swap, on the search box (bubbling to its form): "sw-picked" for the selects that
    # follow a country, "change" for forms that refresh on change (a pick is a change).
    response["HX-Trigger-After-Swap"] = json.dumps({"sw-picked": None, "change": None})
    return response


DEFAULTS = {"currency": ("currencies", country_currency), "timezone": ("timezones", country_timezone)}


@public_view
@require_GET
def lookup_country_defaults(request: HttpRequest) -> HttpResponse:
    """A chosen country's currency or main time zone, as the options of that field's select (htmx).

    The field is filled when it is empty or still holds the previous country's default (the
    hidden `<country>__defaults` input); a value the person chose differently stays. The
    hidden input is swapped out of band to remember the new country.
    """
    kind = request.GET.get("kind", "")
    if kind not in DEFAULTS:
        return HttpResponseBadRequest("kind must be currency or timezone.")
    try:
        country_field, field = _field(request, "country_field"), _field(request, "field")
    except BadLookup as exc:
        return HttpResponseBadRequest(str(exc))
    list_key, default = DEFAULTS[kind]
    country = request.GET.get(country_field, "").strip().upper()
    previous = request.GET.get(f"{country_field}__defaults", "").strip().upper()
    known = country_timezone(country) is not None or country_currency(country) is not None
    current = request.GET.get(field, "")
    value = current
    if known and (not current or current == default(previous)):
        value = default(country) or current
    blank = request.GET.get("blank")
    shown = filter_options(list_key, query="", selected=[value], blank=blank[:60] if blank is not None else None)
    context = {
        "shown": shown,
        "defaults": {
            "id": f"id_{country_field}__defaults",
            "name": f"{country_field}__defaults",
            "value": country if known else previous,
        },
    }
    return render(request, "core/lookups/country_defaults.html", context)

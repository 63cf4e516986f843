"""Answers built without ninja's response validation, for the hottest reads (SPEC §6 P1, P7).

Ninja validates what a view returns against the response schema and then encodes it: for a
page of 50 engagements that is most of the request's time (every field of every item goes
through a getter). An operation whose items are already built as plain dicts in the
schema's shape (field order included) returns `rendered(data)`: the same bytes ninja would
send, with the same content type, from `json.dumps` alone. The operation still declares its
`response=` schema, so the OpenAPI document is unchanged, and its tests validate the output
against that schema.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from ninja.responses import NinjaJSONEncoder

CONTENT_TYPE = "application/json; charset=utf-8"  # what NinjaAPI.get_content_type() answers
_ENCODER = NinjaJSONEncoder()


def moment(value: datetime.datetime | None) -> str | None:
    """A timestamp as ninja writes it (DjangoJSONEncoder: ISO 8601, milliseconds, 'Z')."""
    return None if value is None else _ENCODER.default(value)


def day(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


# The driver's values as the texts above, for rows read without the ORM's converters
# (api.prepared, converted=False). PostgreSQL's driver gives dates, aware datetimes and
# Decimals; SQLite's gives dates, naive datetimes in UTC (USE_TZ) and, for a decimal column,
# the int or float its numeric affinity kept.


def moment_text(value: datetime.datetime | str | None) -> str | None:
    """A stored timestamp as `moment` writes it (a naive one is UTC, as Django stores them)."""
    if value is None:
        return None
    if isinstance(value, str):  # text a writer other than Django left in SQLite
        value = datetime.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    text = value.isoformat()
    return f"{text[:23] if value.microsecond else text}Z"


def day_text(value: datetime.date | str | None) -> str | None:
    """A stored date as `day` writes it."""
    return value if value is None or isinstance(value, str) else value.isoformat()


def money_text(value: Decimal | float | str | None, places: int = 2) -> str | None:
    """A stored decimal(…, places) as its text ('12.50'), as `str` of the ORM's Decimal writes it.

    SQLite's float is the nearest one to a value with `places` decimals, so rounding it to
    `places` gives those decimals back."""
    if value is None or isinstance(value, Decimal):
        return None if value is None else str(value)
    if isinstance(value, str):  # SQLite keeps text it cannot hold as a float without loss
        return str(Decimal(value).quantize(Decimal(1).scaleb(-places)))
    return f"{value:.{places}f}"


def rendered(data: Any, status: int = 200) -> HttpResponse:
    """`data` (dicts, lists, str, int, float, bool, None: dates and money already as text) as
    ninja's JSON answer. Plain `json.dumps`, so anything else is a TypeError, not a guess."""
    return HttpResponse(json.dumps(data), status=status, content_type=CONTENT_TYPE)

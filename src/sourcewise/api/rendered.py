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


def rendered(data: Any, status: int = 200) -> HttpResponse:
    """`data` (dicts, lists, str, int, None; dates already as text) as ninja's JSON answer."""
    return HttpResponse(json.dumps(data, cls=NinjaJSONEncoder), status=status, content_type=CONTENT_TYPE)

"""Two API modules must not declare schemas of the same name: django-ninja keeps one of
them in the OpenAPI components, so the other operation would be documented (and fuzzed)
with the wrong body."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema

from sourcewise.api.main import api


def _schemas(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _schemas(sub)
    return found


def test_every_api_schema_name_is_unique():
    api.get_openapi_schema()  # imports every router
    by_name = defaultdict(set)
    for schema in _schemas(Schema):
        if schema.__module__.startswith("sourcewise.") and "[" not in schema.__name__:
            by_name[schema.__name__].add(schema.__module__)
    assert {name: mods for name, mods in by_name.items() if len(mods) > 1} == {}

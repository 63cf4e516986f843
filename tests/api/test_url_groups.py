"""The API's routes grouped by their first segment (api/urls.py) resolve and reverse as ninja's own."""

from __future__ import annotations

import re

from django.urls import resolve, reverse

from sourcewise.api.main import api
from sourcewise.api.urls import api_urls, grouped_by_first_segment


def _sample(route: str) -> tuple[str, dict[str, str]]:
    kwargs = dict.fromkeys(re.findall(r"<(?:\w+:)?(\w+)>", route), "7")
    return re.sub(r"<(?:\w+:)?(\w+)>", "7", route), kwargs


def test_every_operation_resolves_to_its_view_and_reverses_to_its_path():
    operations = api.urls[0]
    first_name: dict[str, str] = {}
    for pattern in operations:
        first_name.setdefault(str(pattern.pattern), pattern.name)  # ninja: the first of a path serves it
    for pattern in operations:
        route = str(pattern.pattern)
        sample, kwargs = _sample(route)
        assert resolve(f"/api/v1/{sample}").url_name == first_name[route], route
        assert reverse(f"api:{pattern.name}", kwargs=kwargs) == f"/api/v1/{sample}", pattern.name


def test_the_api_is_matched_against_a_few_prefixes_not_every_operation():
    operations = api.urls[0]
    grouped = api_urls[0]
    assert len(operations) > 100
    # Before the engagement detail: the prefixes ahead of its group, then the group's own routes.
    detail = next(i for i, p in enumerate(grouped) if str(p.pattern) == "engagements/")
    assert detail < 40
    assert len(grouped_by_first_segment(operations)) == len(grouped)


def test_an_unknown_api_path_is_still_a_json_404(client, owner):
    response = client.get("/api/v1/engagements/7/nothing-here")
    assert response.status_code == 404

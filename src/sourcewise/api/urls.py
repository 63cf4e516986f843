from django.urls import URLPattern, URLResolver, include, path

from sourcewise.api import views
from sourcewise.api.main import api

app_name = "api_tokens"
urlpatterns = [
    path("settings/api-tokens/", views.token_list, name="token_list"),
    path("settings/api-tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]


def grouped_by_first_segment(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """ninja's flat list of operations (about 120), grouped under each route's first segment.

    Django tries a flat list in order: the engagement detail, 74th, was matched after 73 failed
    patterns, a fifth of the API's own time per request (bench/peers.py, P7). Grouped, a request
    meets a few dozen prefixes, then its group's few routes. A route ninja lists twice (one per
    operation name: GET and POST of one path) is only ever matched by its first: the second goes
    to the end, where it still serves `reverse`. The views, names and the order of the routes
    that match are ninja's own, so every operation resolves and reverses as before."""
    front: list[URLPattern | URLResolver] = []
    repeated: list[URLPattern | URLResolver] = []
    groups: dict[str, tuple[list[URLPattern], list[URLPattern]]] = {}
    seen: set[str] = set()
    for pattern in patterns:
        route = str(pattern.pattern)
        if not isinstance(pattern, URLPattern):
            front.append(pattern)  # ninja gives none: a nested resolver would keep its place
            continue
        first = route not in seen
        seen.add(route)
        head, slash, rest = route.partition("/")
        if not slash or "<" in head:
            (front if first else repeated).append(pattern)  # one segment ("health") stays as it is
            continue
        if head not in groups:
            groups[head] = ([], [])
            front.append(path(f"{head}/", include(groups[head][0])))
        groups[head][0 if first else 1].append(path(rest, pattern.callback, pattern.default_args, pattern.name))
    for matched, again in groups.values():
        matched.extend(again)
    return front + repeated


_operations, _app_name, _namespace = api.urls
api_urls = (grouped_by_first_segment(_operations), _app_name, _namespace)

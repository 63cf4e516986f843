"""Long choice lists (countries, currencies, time zones, languages) a person can search.

A picker is a plain <select> — it works without JavaScript and its form field validates
strictly — with a search box above it. Typing in the box asks `core:lookup_options`
(htmx) for the options that match; the answer keeps what was chosen when it still
matches and otherwise selects the best match, so "kolk" picks Asia/Kolkata and "in"
picks India. Nothing is typed into the form's own value: the <select> stays the input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sourcewise.core.places import timezone_groups
from sourcewise.core.validators import country_choices, currency_choices, language_choices

Option = tuple[str, str]
Group = tuple[str | None, list[Option]]

LISTS: dict[str, Callable[[], list[Group]]] = {
    "countries": lambda: [(None, country_choices())],
    "currencies": lambda: [(None, currency_choices())],
    "languages": lambda: [(None, language_choices())],
    "timezones": lambda: [(region, zones) for region, zones in timezone_groups()],
}


@dataclass(frozen=True)
class Shown:
    group: str | None
    options: list[tuple[str, str, bool]]  # value, label, selected


def _matches(query: str, value: str, label: str, group: str | None) -> bool:
    return query in value.casefold() or query in label.casefold() or query in f"{group or ''}/{label}".casefold()


def filter_options(
    list_key: str, *, query: str, selected: Sequence[str], multiple: bool = False, blank: str | None = None
) -> list[Shown]:
    """The options of `list_key` matching `query`, grouped, with the ones to show selected.

    A single select keeps its value when it matches, else selects an exact code or name
    match, else the first match; a multiple select keeps every chosen value (shown first,
    even when they do not match) and selects nothing new.
    """
    groups = LISTS[list_key]()
    query = query.strip().casefold()
    chosen = [value for value in selected if value]
    matched: list[tuple[str | None, list[Option]]] = []
    for group, options in groups:
        hits = [(v, label) for v, label in options if not query or _matches(query, v, label, group)]
        if hits:
            matched.append((group, hits))
    flat = [value for _, options in matched for value, _ in options]
    labels = {value: label for _, options in groups for value, label in options}

    if multiple:
        keep = [value for value in chosen if value in labels]
        shown = [Shown(None, [(value, labels[value], True) for value in keep])] if keep else []
        for group, options in matched:
            rest = [(v, label, False) for v, label in options if v not in keep]
            if rest:
                shown.append(Shown(group, rest))
        return shown

    current = chosen[0] if chosen else ""
    if not query or current in flat or not flat:  # no search, still matches, or nothing does: the choice stays
        pick = current
    else:
        exact = [v for v in flat if query and query in (v.casefold(), labels[v].casefold())]
        pick = exact[0] if exact else flat[0]
    shown = [Shown(None, [("", blank, not pick)])] if blank is not None else []
    if not flat and current in labels:  # nothing matches: the chosen value stays chosen
        shown.append(Shown(None, [(current, labels[current], True)]))
    shown.extend(Shown(group, [(v, label, v == pick) for v, label in options]) for group, options in matched)
    return shown


def option_values(shown: Iterable[Shown]) -> list[str]:
    return [value for group in shown for value, _, _ in group.options]

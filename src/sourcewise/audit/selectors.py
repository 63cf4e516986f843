"""Reads of the audit log: a workspace's rows, newest first, a page at a time by keyset.

The log grows by hundreds of thousands of rows a year, so a page is found by the id it
continues from (`before`, `after`), never by an offset, and nothing counts the rows: each
page costs one indexed range scan, the first as the thousandth. The filters use the
indexes made for them (audit_workspace_action, audit_workspace_family).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from sourcewise.audit.models import ActionFamily, AuditEvent

PAGE_SIZE = 50


def filtered(events: QuerySet[AuditEvent], action: str) -> QuerySet[AuditEvent]:
    """One action ("task.update"), or a family of them ("task" or "task.": every task.* action)."""
    action = action.strip()
    if not action:
        return events
    family, _, rest = action.partition(".")
    if rest:
        return events.filter(action=action)
    return events.alias(family=ActionFamily("action")).filter(family=f"{family}.")


@dataclass(frozen=True)
class EventPage:
    events: list[AuditEvent]
    newer: int | None  # the id to continue from for newer rows (`after`), when there are some
    older: int | None  # the id to continue from for older rows (`before`), when there are some

    @property
    def is_first(self) -> bool:
        return self.newer is None


def event_page(
    events: QuerySet[AuditEvent], *, before: int | None = None, after: int | None = None, size: int = PAGE_SIZE
) -> EventPage:
    """The `size` rows just below `before` (or just above `after`, or the newest), newest first.

    Two queries at most: the page (one row more tells whether there are more beyond it)
    and, on a page reached by a link, whether there are rows on its other side.
    """
    if after is not None:
        rows = list(events.filter(id__gt=after).order_by("id")[: size + 1])
        if rows:
            more_newer = len(rows) > size
            rows = rows[:size][::-1]
            more_older = events.filter(id__lt=rows[-1].pk).exists()
            return EventPage(rows, rows[0].pk if more_newer else None, rows[-1].pk if more_older else None)
        before = None  # nothing newer than that: the newest page
    page = events.filter(id__lt=before) if before is not None else events
    rows = list(page.order_by("-id")[: size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    more_newer = before is not None and events.filter(id__gte=before).exists()
    newer = (rows[0].pk if rows else before) if more_newer else None
    return EventPage(rows, newer, rows[-1].pk if more_older else None)

"""Fix texts name pages as "Section → Page"; in HTML those phrases become links.

The phrases stay plain text in the findings themselves (API, CLI, e-mail): only
`linked_fix` — used by the templates through the `fix_links` filter — turns each known
phrase into a link to its page and escapes everything else. A test scans every message
of the code base for "Section → " so a new phrase cannot be added without its page.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# "Section → Page" as written in fix texts and messages → the URL name of that page.
PAGES: dict[str, str] = {
    "Costs → Add a cost": "costs:entry_create",
    "Costs → Post fees": "costs:dashboard",  # the button is on the cost dashboard (it posts)
    "Guidance → Documents": "guidance:document_overview",
    "Guidance → SOPs": "guidance:sop_list",
    "Guidance → Training": "guidance:training_list",
    "Money → Benchmarks": "money:benchmark_list",
    "Money → Exchange rates": "money:rate_list",
    "Settings → API tokens": "api_tokens:token_list",
    "Talent → Bench": "talent:bench",
    "Talent → Skills": "talent:skill_list",
}

# Where a "Section → …" phrase starts: a capitalised word, a space, the arrow.
SECTION_ARROW = re.compile(r"\b[A-Z][a-z]+ → ")


@cache
def _pattern() -> re.Pattern[str]:
    # Longest first, so a phrase that is the start of another never wins over it.
    phrases = sorted(PAGES, key=len, reverse=True)
    return re.compile("|".join(re.escape(p) for p in phrases))


def page_url(phrase: str) -> str:
    return reverse(PAGES[phrase])


def linked_fix(text: str) -> SafeString:
    """The text escaped, with each known "Section → Page" phrase a link to its page."""
    parts: list[str] = []
    position = 0
    for match in _pattern().finditer(text):
        parts.append(escape(text[position : match.start()]))
        parts.append(format_html('<a href="{}">{}</a>', page_url(match.group(0)), match.group(0)))
        position = match.end()
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 — every part is escaped or built by format_html


# ── where a finding's subject lives ──────────────────────────────────────────────────────

# subject_type → the URL name of its page (the id is the page's `pk`).
SUBJECT_PAGES: dict[str, str] = {
    "engagement": "engagements:engagement_detail",
    "freelancer": "talent:freelancer_detail",
    "task": "tasks:task_detail",
    "sop": "guidance:sop_detail",
    "membership": "engagements:manager_detail",  # the member's page: their engagements and load
    "member": "engagements:manager_detail",  # the older name of "membership" in a few rules
}
# Codes whose fix lives on another page of the same subject.
CODE_PAGES: dict[str, str] = {
    "MANAGER_UNTRAINED": "guidance:member_training",
}
# Workspace-wide findings have no page of their own: the page that shows what they measure.
WORKSPACE_PAGES: dict[str, str] = {
    "OUTSOURCING_EVERYTHING": "tasks:outsourcing_map",
}
WORKSPACE_PAGE = "costs:dashboard"  # spend, concentration and hidden costs


def subject_url(record: Any) -> str:
    """The page of the engagement, freelancer, task, SOP, member or workspace a finding is about."""
    if record.subject_type == "workspace":
        return reverse(WORKSPACE_PAGES.get(record.code, WORKSPACE_PAGE))
    name = CODE_PAGES.get(record.code) or SUBJECT_PAGES.get(record.subject_type)
    if name is None or record.subject_id is None:
        return ""
    return reverse(name, kwargs={"pk": record.subject_id})

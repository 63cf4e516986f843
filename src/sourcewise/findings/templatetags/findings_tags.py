from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString

from sourcewise.core.guardrails import GUARDRAILS
from sourcewise.findings.codes import CODES
from sourcewise.findings.links import linked_fix, subject_url

register = template.Library()


@register.filter
def fix_links(text: str) -> SafeString:
    """`{{ f.fix|fix_links }}`: "Money → Benchmarks" and its kind become links; the rest is escaped."""
    return linked_fix(str(text))


@register.filter
def subject_link(record: Any) -> str:
    """`{{ record|subject_link }}`: the URL of the page a stored finding is about ("" if none)."""
    return subject_url(record)


@register.filter
def age_days(record: Any, today: datetime.date) -> int:
    """`{{ f|age_days:today }}`: whole days since the finding's current open spell began."""
    return max(0, (today - timezone.localdate(record.first_seen)).days)


@register.filter
def guardrail_title(key: str) -> str:
    guardrail = GUARDRAILS.get(key)
    return guardrail.title if guardrail else key


@register.filter
def code_title(code: str) -> str:
    info = CODES.get(code)
    return info.title if info else code


STATUS_LABELS = {"open": "open (counting)", "accepted": "accepted", "coming_up": "coming up", "resolved": "resolved"}


@register.filter
def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)

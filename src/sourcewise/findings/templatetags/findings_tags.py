from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from sourcewise.findings.links import linked_fix

register = template.Library()


@register.filter
def fix_links(text: str) -> SafeString:
    """`{{ f.fix|fix_links }}`: "Money → Benchmarks" and its kind become links; the rest is escaped."""
    return linked_fix(str(text))

"""`{% main_menu %}`: the top menu of base.html, built by `core.navigation` for the member's role."""

from __future__ import annotations

from typing import Any

from django import template

from sourcewise.core.navigation import menu_for

register = template.Library()


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    membership = context.get("current_membership")
    groups, account = menu_for(membership.role if membership else None, request.path if request else "")
    return {
        "groups": groups,
        "account": account,
        "current_workspace": context.get("current_workspace"),
        "current_membership": membership,
        "csrf_token": context.get("csrf_token"),
    }

"""The owner's audit log page (the audit rows themselves are written by `audit.services`).

Pages by keyset ("Newer"/"Older" links carry the id to continue from) and never counts the
rows: at hundreds of thousands of rows a count or an offset would cost more than the page.
"""

from __future__ import annotations

from django.http import HttpResponse

from sourcewise.audit.models import AuditEvent
from sourcewise.audit.selectors import event_page, filtered
from sourcewise.core.access import OWNER
from sourcewise.core.htmx import render_page
from sourcewise.core.http import WorkspaceRequest
from sourcewise.workspaces.access import workspace_view


def _cursor(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


@workspace_view(roles=[OWNER])
def audit_log(request: WorkspaceRequest) -> HttpResponse:
    action = request.GET.get("action", "").strip()[:64]
    events = filtered(AuditEvent.objects.filter(workspace=request.workspace), action)
    page = event_page(events, before=_cursor(request.GET.get("before")), after=_cursor(request.GET.get("after")))
    return render_page(request, "audit/audit_log.html", {"page": page, "action": action}, partial="rows")

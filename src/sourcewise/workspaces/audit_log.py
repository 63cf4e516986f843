"""The owner's audit log page (the audit rows themselves are written by `audit.services`)."""

from __future__ import annotations

from django.http import HttpResponse

from sourcewise.audit.models import AuditEvent
from sourcewise.core.access import OWNER
from sourcewise.core.htmx import render_page
from sourcewise.core.http import WorkspaceRequest
from sourcewise.core.pagination import paginate
from sourcewise.workspaces.access import workspace_view


@workspace_view(roles=[OWNER])
def audit_log(request: WorkspaceRequest) -> HttpResponse:
    events = AuditEvent.objects.filter(workspace=request.workspace)
    action = request.GET.get("action", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    return render_page(
        request, "audit/audit_log.html", {"page": paginate(request, events), "action": action}, partial="rows"
    )

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from sourcewise.core.access import INTERNAL, OWNER
from sourcewise.core.forms import apply_errors
from sourcewise.core.guardrails import GUARDRAILS
from sourcewise.core.htmx import render_page
from sourcewise.core.http import WorkspaceRequest
from sourcewise.findings import acceptance, store
from sourcewise.findings.checklist import SetupChecklist
from sourcewise.findings.codes import CODES, Severity
from sourcewise.findings.models import FindingRecord
from sourcewise.findings.registry import SUBJECT_TYPES
from sourcewise.workspaces.access import workspace_view
from sourcewise.workspaces.models import Workspace

SECTION_SIZE = 10  # accepted and coming-up rows shown on the dashboard; the list shows the rest
FIX_FIRST = 5


def _filters(query: QueryDict) -> store.FindingFilters:
    """The list's filters from the query string; an unknown value means "any" (never an error page)."""

    def pick(name: str, allowed: Any) -> str:
        value = query.get(name, "")
        return value if value in allowed else ""

    age = query.get("age", "")
    return store.FindingFilters(
        guardrail=pick("guardrail", GUARDRAILS),
        severity=pick("severity", [str(s) for s in Severity]),
        subject_type=pick("subject_type", [*SUBJECT_TYPES, "workspace"]),
        code=pick("code", CODES),
        status=pick("status", store.STATUSES) or store.OPEN,
        min_age_days=int(age) if age in {str(a) for a in store.AGE_CHOICES} else None,
    )


def _page(request: WorkspaceRequest, filters: store.FindingFilters, today: datetime.date) -> store.FindingPage:
    queryset = store.filtered(request.workspace, filters, today)
    try:
        return store.finding_page(queryset, request.GET.get("cursor") or None)
    except store.InvalidCursor:
        return store.finding_page(queryset, None)  # a stale or edited link: start again from the top


def _list_context(request: WorkspaceRequest, today: datetime.date) -> dict[str, Any]:
    filters = _filters(request.GET)
    query = request.GET.copy()
    query.pop("cursor", None)
    return {
        "filters": filters,
        "page": _page(request, filters, today),
        "query": query.urlencode(),
        "guardrails": GUARDRAILS,
        "subject_types": [*SUBJECT_TYPES, "workspace"],
        "ages": store.AGE_CHOICES,
        "statuses": store.STATUSES,
        "severities": [str(s) for s in Severity][::-1],
        "today": today,
        "is_owner": request.membership.role == OWNER,
    }


def dashboard_page(request: WorkspaceRequest, setup_checklist: Callable[[Workspace], SetupChecklist]) -> HttpResponse:
    """The work queue: score, what to fix first, findings by code, the filterable list, accepted, coming up.

    Everything is read from the stored findings (a handful of indexed queries whatever the
    size); an htmx request for the list (filter, next page) reads only the list. The page
    is served by `engagements.dashboard.dashboard`, which adds the setup checklist (it
    counts rows of the apps above findings): `setup_checklist` is called only for a full page.
    """
    workspace = request.workspace
    health = store.stored_health(workspace)
    today = health.today
    if getattr(request, "htmx", False) and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, "findings/dashboard.html#queue", _list_context(request, today))
    checklist = setup_checklist(workspace)
    listed = _list_context(request, today)
    if listed["filters"] == store.FindingFilters() and not request.GET.get("cursor"):
        fix_first = listed["page"].items[:FIX_FIRST]  # the unfiltered list starts with them: no second query
    else:
        fix_first = list(store.records(workspace).counting(today).fix_first_order()[:FIX_FIRST])
    context = {
        "health": health,
        "workspace": workspace,
        "fix_first": fix_first,
        "groups": store.code_groups(workspace, today, health.tally),
        "accepted": list(
            store.records(workspace)
            .accepted(today)
            .select_related("accepted_by__user")
            .order_by("accepted_until", "pk")[:SECTION_SIZE]
        ),
        "coming_up": list(store.records(workspace).coming_up(today).order_by("starts_on", "pk")[:SECTION_SIZE]),
        # Shown while a step is open; it disappears once the workspace is set up.
        "checklist": None if checklist.complete else checklist,
        **listed,
    }
    return render_page(request, "findings/dashboard.html", context)


@workspace_view(roles=INTERNAL)
def guide(request: WorkspaceRequest) -> HttpResponse:
    """What every guardrail and finding code means."""
    codes_by_guardrail = {key: [c for c in CODES.values() if c.guardrail == key] for key in GUARDRAILS}
    return render_page(request, "findings/guide.html", {"guardrails": GUARDRAILS, "codes": codes_by_guardrail})


class AcceptForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=acceptance.REASON_MAX_LENGTH,
        label="Why is this risk acceptable?",
        help_text="On the record, e.g. “core task outsourced: our partner agency, reviewed quarterly”.",
    )
    review_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        label="Review on",
        help_text="The finding counts in the score again from this date (within a year).",
    )


@workspace_view(roles=INTERNAL, objects={"finding_id": FindingRecord})
@require_http_methods(["GET", "POST"])
def finding_accept(request: WorkspaceRequest, finding_id: int) -> HttpResponse:
    """Accept a finding with a reason and a review date (owners: any; managers: not criticals)."""
    membership = request.membership
    finding = acceptance.finding_for(membership, finding_id)
    allowed = acceptance.can_accept(membership, finding)
    if request.method == "POST" and not allowed:
        raise PermissionDenied("Only an owner may accept a critical finding.")
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            acceptance.finding_accept(
                finding=finding,
                membership=membership,
                reason=form.cleaned_data["reason"],
                review_on=form.cleaned_data["review_on"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, f"Accepted until {finding.accepted_until:%-d %b %Y}: it counts in the score again then."
            )
            return redirect(reverse("findings:dashboard") + "#accepted")
    today = request.workspace.today()
    # The browser's date picker offers only dates the service accepts.
    form.fields["review_on"].widget.attrs.update(
        min=(today + datetime.timedelta(days=1)).isoformat(),
        max=(today + datetime.timedelta(days=acceptance.MAX_REVIEW_DAYS)).isoformat(),
    )
    context = {"finding": finding, "form": form, "today": today, "allowed": allowed}
    return render_page(request, "findings/accept.html", context)


@workspace_view(roles=INTERNAL, objects={"finding_id": FindingRecord})
@require_POST
def finding_unaccept(request: WorkspaceRequest, finding_id: int) -> HttpResponse:
    """Withdraw an acceptance: the finding counts in the score again now."""
    membership = request.membership
    finding = acceptance.finding_for(membership, finding_id)
    try:
        acceptance.finding_unaccept(finding=finding, membership=membership, request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Acceptance withdrawn: the finding counts in the score again.")
    return redirect(reverse("findings:dashboard") + "#accepted")

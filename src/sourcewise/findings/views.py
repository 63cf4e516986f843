from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from sourcewise.core.access import INTERNAL, workspace_view
from sourcewise.core.htmx import render_page
from sourcewise.findings.codes import CODES, GUARDRAILS
from sourcewise.findings.engine import evaluate
from sourcewise.findings.selectors import setup_checklist


@workspace_view(roles=INTERNAL)
def dashboard(request: HttpRequest) -> HttpResponse:
    report = evaluate(request.workspace)  # type: ignore[attr-defined]
    checklist = setup_checklist(request.workspace)  # type: ignore[attr-defined]
    severity = request.GET.get("severity", "")
    groups = report.by_guardrail()
    if severity in {"info", "warning", "critical"}:
        groups = [(k, t, [f for f in fs if f.severity == severity]) for k, t, fs in groups]
        groups = [(k, t, fs) for k, t, fs in groups if fs]
    return render_page(
        request,
        "findings/dashboard.html",
        {
            "report": report,
            "groups": groups,
            "severity": severity,
            "guardrails": GUARDRAILS,
            # Shown while a step is open; it disappears once the workspace is set up.
            "checklist": None if checklist.complete else checklist,
        },
        partial="findings",
    )


@workspace_view(roles=INTERNAL)
def guide(request: HttpRequest) -> HttpResponse:
    """What every guardrail and finding code means."""
    codes_by_guardrail = {key: [c for c in CODES.values() if c.guardrail == key] for key in GUARDRAILS}
    return render_page(request, "findings/guide.html", {"guardrails": GUARDRAILS, "codes": codes_by_guardrail})

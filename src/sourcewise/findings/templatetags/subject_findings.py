"""`{% subject_findings "engagement" engagement.pk engagement %}`: a subject's open findings, on its page.

Read from the stored findings (`findings.store.subject_findings`, which first applies the
writes still pending), so the page you have just fixed shows the finding gone. Each row
carries its age, whether it is accepted or coming up, and the one-action fix
(`findings.actions`) when there is one and the reader may use it.

`{% cost_findings %}` is the cost dashboard's variant: the workspace's own cost findings,
and a short list of the engagements with cost findings.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import template
from django.urls import reverse

from sourcewise.core.http import WorkspaceRequest
from sourcewise.findings.actions import ActionContext, FixAction, action_for
from sourcewise.findings.models import FindingRecord
from sourcewise.findings.store import records
from sourcewise.findings.store import subject_findings as stored_subject_findings

if TYPE_CHECKING:
    from sourcewise.workspaces.models import Membership, Workspace

register = template.Library()

# The codes the cost dashboard answers for (G5 costs and savings, G8 spend concentration).
COST_CODES = ("HIDDEN_COSTS_UNTRACKED", "SAVINGS_OVERESTIMATED", "NEGATIVE_ROI", "HIGH_CONCENTRATION")
ENGAGEMENTS_SHOWN = 10


@dataclass(frozen=True)
class Row:
    record: FindingRecord
    days_open: int
    accepted: bool
    coming_up: bool
    action: FixAction | None


def _rows(found: list[FindingRecord], today: datetime.date, ctx: ActionContext) -> list[Row]:
    return [
        Row(
            record=r,
            days_open=max(0, (today - r.first_seen.date()).days),
            accepted=r.is_accepted(today),
            coming_up=r.is_coming_up(today),
            action=action_for(r, ctx),
        )
        for r in found
    ]


def _request_parts(context: template.Context) -> tuple[Workspace, Membership]:
    request: WorkspaceRequest = context["request"]
    return request.workspace, request.membership


@register.inclusion_tag("findings/_subject_findings.html", takes_context=True)
def subject_findings(
    context: template.Context, subject_type: str, subject_id: int, subject: Any = None
) -> dict[str, Any]:
    workspace, membership = _request_parts(context)
    today = workspace.today()
    found = stored_subject_findings(workspace, subject_type, int(subject_id), today=today)
    ctx = ActionContext(membership=membership, subject=subject)
    return {"rows": _rows(found, today, ctx), "csrf_token": context.get("csrf_token"), "subject_type": subject_type}


@register.inclusion_tag("findings/_subject_findings.html", takes_context=True)
def cost_findings(context: template.Context) -> dict[str, Any]:
    workspace, membership = _request_parts(context)
    today = workspace.today()
    found = [
        r for r in stored_subject_findings(workspace, "workspace", workspace.pk, today=today) if r.code in COST_CODES
    ]
    # ensure_fresh ran above: the engagement summary reads the same fresh rows. Read by code (the
    # open-code index: the few cost findings) and counted here: asked with the subject type too,
    # SQLite (no statistics) read them through the subject index, every open finding on an
    # engagement (120 ms at 225,000).
    counts: Counter[tuple[int | None, str]] = Counter(
        (subject_id, label)
        for subject_type, subject_id, label in records(workspace)
        .unresolved()
        .filter(code__in=COST_CODES)
        .values_list("subject_type", "subject_id", "subject_label")
        .order_by()
        if subject_type == "engagement"
    )
    shown = sorted(counts.items(), key=lambda item: (-item[1], item[0][1], item[0][0]))[: ENGAGEMENTS_SHOWN + 1]
    engagements = [
        {
            "label": label,
            "count": n,
            "url": reverse("engagements:engagement_detail", args=[subject_id]),
        }
        for (subject_id, label), n in shown[:ENGAGEMENTS_SHOWN]
    ]
    ctx = ActionContext(membership=membership)
    return {
        "rows": _rows(found, today, ctx),
        "csrf_token": context.get("csrf_token"),
        "subject_type": "workspace",
        "engagements": engagements,
        "more_engagements": len(shown) > ENGAGEMENTS_SHOWN,
    }

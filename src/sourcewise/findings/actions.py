"""One-action fixes: for the codes whose fix is one action, the button or link that does it.

    FIX_ACTIONS["NO_MANAGER"](record, ctx) -> FixAction("Assign manager", url, "post", ...)

A subject page shows the action next to the fix text (`findings/_subject_findings.html`).
An action is offered only to someone the target view lets through, so a button never
leads to a 403; the views check again anyway. `ctx.subject` is the page's own object
when it passes one (the engagement of an engagement page), which spares a query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from sourcewise.findings.models import FindingRecord
from sourcewise.workspaces.models import Membership

GET = "get"
POST = "post"


@dataclass(frozen=True)
class FixAction:
    label: str
    url: str
    method: str = GET
    # A POST action may ask one question first (e.g. which manager): the select's name and options.
    field: str = ""
    choices: tuple[tuple[int, str], ...] = ()


@dataclass
class ActionContext:
    membership: Membership
    subject: Any = None  # the page's own object, if it passed one
    cache: dict[str, Any] = field(default_factory=dict)


ActionFactory = Callable[[FindingRecord, ActionContext], FixAction | None]
FIX_ACTIONS: dict[str, ActionFactory] = {}


def fix_action(code: str) -> Callable[[ActionFactory], ActionFactory]:
    def register(function: ActionFactory) -> ActionFactory:
        FIX_ACTIONS[code] = function
        return function

    return register


def action_for(record: FindingRecord, ctx: ActionContext) -> FixAction | None:
    factory = FIX_ACTIONS.get(record.code)
    return factory(record, ctx) if factory is not None else None


def _engagement(record: FindingRecord, ctx: ActionContext) -> Any:
    from sourcewise.engagements.models import Engagement

    subject = ctx.subject
    if isinstance(subject, Engagement) and subject.pk == record.subject_id:
        return subject
    if record.subject_id is None:
        return None
    key = f"engagement:{record.subject_id}"
    if key not in ctx.cache:
        ctx.cache[key] = (
            Engagement.objects.filter(workspace_id=record.workspace_id, pk=record.subject_id)
            .select_related("freelancer", "task")
            .first()
        )
    return ctx.cache[key]


def _manages(ctx: ActionContext, engagement: Any) -> bool:
    from sourcewise.engagements.services import can_manage

    return ctx.membership.is_internal and can_manage(ctx.membership, engagement)


@fix_action("NO_MANAGER")
def assign_manager(record: FindingRecord, ctx: ActionContext) -> FixAction | None:
    from sourcewise.engagements.services import assignable_managers

    engagement = _engagement(record, ctx)
    if engagement is None or not _manages(ctx, engagement):
        return None
    team = assignable_managers(ctx.membership).select_related("user").order_by("id")
    choices = tuple((m.pk, f"{m.user.display_name} ({m.get_role_display().lower()})") for m in team)
    if not choices:
        return None
    url = reverse("engagements:engagement_assign_manager", args=[engagement.pk])
    return FixAction("Assign manager", url, POST, field="manager", choices=choices)


@fix_action("SOP_NOT_ACKNOWLEDGED")
def request_acknowledgement(record: FindingRecord, ctx: ActionContext) -> FixAction | None:
    engagement = _engagement(record, ctx)
    if engagement is None or not _manages(ctx, engagement):
        return None
    if engagement.freelancer.user_id is None:
        url = reverse("talent:freelancer_detail", args=[engagement.freelancer_id]) + "#portal-invite"
        return FixAction("Invite them to the portal first", url)
    url = reverse("engagements:engagement_request_acknowledgement", args=[engagement.pk])
    return FixAction("Email the reminder again", url, POST)


@fix_action("NO_TRIAL")
def start_trial(record: FindingRecord, ctx: ActionContext) -> FixAction | None:
    engagement = _engagement(record, ctx)
    if engagement is None or not ctx.membership.is_internal:
        return None
    query = urlencode({"freelancer": engagement.freelancer_id, "task": engagement.task_id, "kind": "trial"})
    return FixAction("Plan a trial", f"{reverse('engagements:engagement_create')}?{query}")


@fix_action("CHECKPOINT_OVERDUE")
def record_checkpoint(record: FindingRecord, ctx: ActionContext) -> FixAction | None:
    engagement = _engagement(record, ctx)
    if engagement is None or not _manages(ctx, engagement):
        return None
    return FixAction("Record checkpoint", reverse("engagements:checkpoint_create", args=[engagement.pk]))


@fix_action("UNVETTED_FREELANCER")
def finish_vetting(record: FindingRecord, ctx: ActionContext) -> FixAction | None:
    engagement = _engagement(record, ctx)
    if engagement is None or not ctx.membership.is_internal:
        return None
    url = reverse("talent:freelancer_detail", args=[engagement.freelancer_id]) + "#vetting"
    return FixAction("Open their vetting", url)


@fix_action("NO_SOP")
def write_sop(record: FindingRecord, ctx: ActionContext) -> FixAction | None:
    if not ctx.membership.is_internal or record.subject_id is None:
        return None
    return FixAction("Write the SOP", f"{reverse('guidance:sop_create')}?{urlencode({'task': record.subject_id})}")


@fix_action("DOCUMENT_MISSING")
def request_document(record: FindingRecord, ctx: ActionContext) -> FixAction | None:
    if not ctx.membership.is_internal or record.subject_id is None:
        return None
    url = reverse("guidance:freelancer_request_documents", args=[record.subject_id])
    return FixAction("Email them to upload it", url, POST)


@fix_action("MANAGER_UNTRAINED")
def record_training(record: FindingRecord, ctx: ActionContext) -> FixAction | None:
    if not ctx.membership.is_internal or record.subject_id is None:
        return None
    return FixAction("Record training", reverse("guidance:member_training", args=[record.subject_id]))

"""One-action fixes: for the codes whose fix is one action, the button or link that does it.

    FIX_ACTIONS["NO_MANAGER"](record, ctx) -> FixAction("Assign manager", url, "post", ...)

A subject page shows the action next to the fix text (`findings/_subject_findings.html`).
An action is offered only to someone the target view lets through, so a button never
leads to a 403; the views check again anyway. `ctx.subject` is the page's own object
when it passes one (the engagement of an engagement page), which spares a query.

`@fix_action` is a plug point like `@check`: the app that owns the subject and the view
that fixes it registers the action, in its `findings_hooks.py` (found by findings'
`autodiscover_modules`). The actions on an engagement (assign a manager, remind of an
SOP, plan a trial, record a checkpoint, finish vetting) are in `engagements.findings_hooks`;
the ones below need nothing but the finding's own subject id.
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

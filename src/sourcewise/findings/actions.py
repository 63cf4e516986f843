"""One-action fixes: for the codes whose fix is one action, the button or link that does it.

    FIX_ACTIONS["NO_MANAGER"](record, ctx) -> FixAction("Assign manager", url, "post", ...)

A subject page shows the action next to the fix text (`findings/_subject_findings.html`).
An action is offered only to someone the target view lets through, so a button never
leads to a 403; the views check again anyway. `ctx.subject` is the page's own object
when it passes one (the engagement of an engagement page), which spares a query.

`@fix_action` is a plug point like `@check`: the app whose view does the fix registers
the action, in its `findings_hooks.py` (found by findings' `autodiscover_modules`). The
actions on an engagement (assign a manager, remind of an SOP, plan a trial, record a
checkpoint, finish vetting) are in `engagements.findings_hooks`; writing an SOP, asking
for a document and recording training are in `guidance.findings_hooks`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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

"""The one-action fixes guidance's pages do (found by findings' `autodiscover_modules`).

Each needs only the finding's own subject id: the task that needs an SOP, the freelancer
missing a document, the member to train.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from sourcewise.findings.actions import POST, ActionContext, FixAction, fix_action
from sourcewise.findings.models import FindingRecord


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

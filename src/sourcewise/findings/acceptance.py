"""Accept a risk, on the record: a finding leaves the score until its review date.

An owner may accept any finding; a manager only warnings and info — a critical needs the
owner's word. Every acceptance and withdrawal is audited. The finding stays stored and
listed under "Accepted"; on the review date it counts again by itself (the queries compare
`accepted_until` with today, nothing has to run).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from sourcewise.audit.services import record
from sourcewise.core.access import OWNER
from sourcewise.findings.codes import Severity
from sourcewise.findings.history import take_snapshot
from sourcewise.findings.models import FindingRecord
from sourcewise.workspaces.access import NotInWorkspace
from sourcewise.workspaces.models import Membership

MAX_REVIEW_DAYS = 366  # a risk is looked at again at least once a year
REASON_MAX_LENGTH = 1000


def finding_for(membership: Membership, finding_id: Any) -> FindingRecord:
    """A stored finding of the member's workspace, or 404 (another workspace's id looks like no id)."""
    try:
        return FindingRecord.objects.select_related("accepted_by__user").get(
            workspace_id=membership.workspace_id, pk=finding_id
        )
    except (FindingRecord.DoesNotExist, ValueError, TypeError):
        raise NotInWorkspace(FindingRecord, finding_id) from None


def can_accept(membership: Membership, finding: FindingRecord) -> bool:
    if membership.role == OWNER:
        return True
    return membership.is_internal and finding.severity != Severity.CRITICAL


def _check_role(membership: Membership, finding: FindingRecord, verb: str) -> None:
    if membership.workspace_id != finding.workspace_id:
        raise NotInWorkspace(FindingRecord, finding.pk)
    if not membership.is_internal:
        raise PermissionDenied(f"A {membership.role} may not {verb} a finding.")
    if not can_accept(membership, finding):
        raise PermissionDenied(f"Only an owner may {verb} a critical finding.")


def finding_accept(
    *,
    finding: FindingRecord,
    membership: Membership,
    reason: str,
    review_on: datetime.date | None,
    request: HttpRequest | None = None,
) -> FindingRecord:
    """Take `finding` out of the score until `review_on`, with the reason on the record."""
    _check_role(membership, finding, "accept")
    today = finding.workspace.today()
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = "Say why this risk is acceptable, e.g. “our partner agency, reviewed quarterly”."
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = f"Keep the reason under {REASON_MAX_LENGTH} characters."
    if review_on is None:
        errors["review_on"] = "Pick the date you will look at this risk again."
    elif review_on <= today:
        errors["review_on"] = "The review date must be in the future."
    elif review_on > today + datetime.timedelta(days=MAX_REVIEW_DAYS):
        errors["review_on"] = "Review an accepted risk at least once a year: pick a date within a year."
    if finding.resolved_at is not None:
        errors["finding"] = "This finding is resolved already: there is nothing to accept."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        now = timezone.now()
        FindingRecord.objects.filter(pk=finding.pk).update(
            accepted_reason=reason, accepted_until=review_on, accepted_by=membership, accepted_at=now
        )
        finding.accepted_reason, finding.accepted_until = reason, review_on
        finding.accepted_by, finding.accepted_at = membership, now
        record(
            actor=membership.user,
            workspace=finding.workspace,
            action="finding.accepted",
            target=finding,
            changes={"code": finding.code, "severity": finding.severity, "reason": reason, "review_on": str(review_on)},
            request=request,
        )
        _snapshot(finding, today)
    return finding


def finding_unaccept(
    *, finding: FindingRecord, membership: Membership, request: HttpRequest | None = None
) -> FindingRecord:
    """Withdraw an acceptance: the finding counts in the score again from now."""
    _check_role(membership, finding, "withdraw the acceptance of")
    if finding.accepted_until is None:
        raise ValidationError({"finding": "This finding is not accepted."})
    today = finding.workspace.today()
    with transaction.atomic():
        before = {"reason": finding.accepted_reason, "review_on": str(finding.accepted_until)}
        FindingRecord.objects.filter(pk=finding.pk).update(
            accepted_reason="", accepted_until=None, accepted_by=None, accepted_at=None
        )
        finding.accepted_reason, finding.accepted_until, finding.accepted_by, finding.accepted_at = "", None, None, None
        record(
            actor=membership.user,
            workspace=finding.workspace,
            action="finding.unaccepted",
            target=finding,
            changes={"code": finding.code, "withdrawn": before},
            request=request,
        )
        _snapshot(finding, today)
    return finding


def _snapshot(finding: FindingRecord, today: datetime.date) -> None:
    # Today's point on the trend follows the score the owner now sees.
    take_snapshot(finding.workspace, today)

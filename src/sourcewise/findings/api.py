"""Findings and health over the API: read from the stored findings, a keyset page at a time."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Literal

from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as InputError

from sourcewise.api.access import api_access
from sourcewise.api.schemas import MAX_ID, InputSchema, path_id, responses
from sourcewise.core.access import INTERNAL
from sourcewise.core.guardrails import GUARDRAILS
from sourcewise.core.http import WorkspaceRequest
from sourcewise.findings import acceptance, store
from sourcewise.findings.codes import CODES
from sourcewise.findings.links import subject_url
from sourcewise.findings.models import FindingRecord
from sourcewise.findings.registry import SUBJECT_TYPES

router = Router(tags=["findings"])

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,200}$"

if TYPE_CHECKING:
    GuardrailKey = str
    FindingCode = str
    SubjectType = str
else:  # the catalogues, so the OpenAPI schema lists the values and anything else is a 422
    GuardrailKey = Literal[tuple(GUARDRAILS)]
    FindingCode = Literal[tuple(CODES)]
    SubjectType = Literal[(*SUBJECT_TYPES, "workspace")]
SeverityName = Literal["critical", "warning", "info"]
Status = Literal["open", "accepted", "coming_up", "resolved"]


class SubjectOut(Schema):
    type: str
    id: int | None
    label: str
    url: str = Field("", description="The subject's page in the web app (empty when it has none).")


class AcceptedOut(Schema):
    reason: str
    until: datetime.date = Field(description="Review date: the finding counts in the score again from this day.")
    by: str | None = Field(description="E-mail of the member who accepted it.")
    at: datetime.datetime | None


class FindingOut(Schema):
    code: str
    severity: str
    guardrail: str
    subject: SubjectOut
    message: str
    fix: str
    id: int
    title: str
    status: Status = Field(
        description="`open` counts in the score; `accepted` and `coming_up` do not (yet); `resolved` is fixed."
    )
    first_seen: datetime.datetime = Field(description="Start of the current open spell (the finding's age).")
    last_seen: datetime.datetime
    resolved_at: datetime.datetime | None
    starts_on: datetime.date | None = Field(description="Coming up: the day it starts to count.")
    accepted: AcceptedOut | None


def finding_out(record: FindingRecord, today: datetime.date) -> dict[str, Any]:
    if record.resolved_at is not None:
        status = store.RESOLVED
    elif record.is_coming_up(today):
        status = store.COMING_UP
    elif record.is_accepted(today):
        status = store.ACCEPTED
    else:
        status = store.OPEN
    accepted = None
    if record.accepted_until is not None:
        by = record.accepted_by.user.email if record.accepted_by is not None else None
        accepted = {
            "reason": record.accepted_reason,
            "until": record.accepted_until,
            "by": by,
            "at": record.accepted_at,
        }
    return {
        "id": record.pk,
        "code": record.code,
        "title": record.title,
        "severity": record.severity,
        "guardrail": record.guardrail,
        "subject": {
            "type": record.subject_type,
            "id": record.subject_id,
            "label": record.subject_label,
            "url": subject_url(record),
        },
        "message": record.message,
        "fix": record.fix,
        "status": status,
        "first_seen": record.first_seen,
        "last_seen": record.last_seen,
        "resolved_at": record.resolved_at,
        "starts_on": record.starts_on,
        "accepted": accepted,
    }


class FindingPageOut(Schema):
    items: list[FindingOut]
    next_cursor: str | None = Field(description="Pass back as `cursor` for the next page; null on the last page.")


class FindingQuery(Schema):
    cursor: str | None = Field(
        None, pattern=CURSOR_PATTERN, description="`next_cursor` of the previous page; leave out for the first page."
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page (1–200).")
    guardrail: GuardrailKey | None = None
    severity: SeverityName | None = None
    code: FindingCode | None = None
    subject_type: SubjectType | None = None
    subject_id: int | None = Field(None, ge=1, le=MAX_ID)
    status: Status = Field("open", description="Default `open`: the findings that count in the score today.")
    min_age_days: int | None = Field(None, ge=0, le=36500, description="Open for at least this many days.")


def _page(request: WorkspaceRequest, query: FindingQuery, today: datetime.date) -> dict[str, Any]:
    filters = store.FindingFilters(
        guardrail=query.guardrail or "",
        severity=query.severity or "",
        subject_type=query.subject_type or "",
        subject_id=query.subject_id,
        code=query.code or "",
        status=query.status,
        min_age_days=query.min_age_days,
    )
    queryset = store.filtered(request.workspace, filters, today)
    try:
        page = store.finding_page(queryset, query.cursor, query.limit)
    except store.InvalidCursor as exc:
        raise InputError([{"loc": ("query", "cursor"), "msg": str(exc)}]) from None
    return {"items": [finding_out(r, today) for r in page.items], "next_cursor": page.next_cursor}


@router.get("/findings", response=responses(FindingPageOut), auth=api_access(INTERNAL))
def list_findings(request: WorkspaceRequest, query: Query[FindingQuery]) -> dict[str, Any]:
    """The stored findings, what to fix first first: most points gained, then critical, then the oldest.

    Cursor-paginated (the cursor is opaque; keep the same filters while paging). Filters:
    `guardrail`, `severity`, `code`, `subject_type` + `subject_id`, `status`
    (`open` — the default — `accepted`, `coming_up`, `resolved`) and `min_age_days`."""
    today = store.fresh_today(request.workspace)
    return _page(request, query, today)


@router.get(
    "/findings/{finding_id}",
    response=responses(FindingOut),
    auth=api_access(INTERNAL, objects={"finding_id": FindingRecord}),
)
def get_finding(request: WorkspaceRequest, finding_id: int = path_id()) -> dict[str, Any]:
    """One stored finding, open or resolved."""
    today = store.fresh_today(request.workspace)
    return finding_out(acceptance.finding_for(request.membership, finding_id), today)


class AcceptIn(InputSchema):
    reason: str = Field(
        min_length=1, max_length=acceptance.REASON_MAX_LENGTH, description="Why the risk is acceptable."
    )
    review_on: datetime.date = Field(description="Review date, after today and within a year.")


@router.post(
    "/findings/{finding_id}/accept",
    response=responses(FindingOut),
    auth=api_access(INTERNAL, objects={"finding_id": FindingRecord}),
)
def accept_finding(request: WorkspaceRequest, payload: AcceptIn, finding_id: int = path_id()) -> dict[str, Any]:
    """Accept a risk, on the record: the finding leaves the score until `review_on`.

    Owners may accept any finding, managers warnings and info only (a critical is a 403).
    Audited. Accepting an accepted finding again replaces its reason and review date."""
    membership = request.membership
    finding = acceptance.finding_for(membership, finding_id)
    acceptance.finding_accept(
        finding=finding, membership=membership, reason=payload.reason, review_on=payload.review_on, request=request
    )
    return finding_out(finding, finding.workspace.today())


@router.post(
    "/findings/{finding_id}/unaccept",
    response=responses(FindingOut),
    auth=api_access(INTERNAL, objects={"finding_id": FindingRecord}),
)
def unaccept_finding(request: WorkspaceRequest, finding_id: int = path_id()) -> dict[str, Any]:
    """Withdraw an acceptance: the finding counts in the score again now. Audited."""
    membership = request.membership
    finding = acceptance.finding_for(membership, finding_id)
    acceptance.finding_unaccept(finding=finding, membership=membership, request=request)
    return finding_out(finding, finding.workspace.today())


class WorkspaceRef(Schema):
    id: int
    name: str


class HealthOut(Schema):
    workspace: WorkspaceRef
    evaluated_on: str
    score: int | None = Field(
        description="0–100 (100 = nothing to fix); null while the workspace has no outsourced work (see status)."
    )
    status: Literal["scored", "not_enough_data"] = Field(
        description="`not_enough_data`: no task is marked outsourced and no engagement has started yet."
    )
    counts: dict[str, int] = Field(description="Findings that count in the score, by severity.")
    accepted: int = Field(description="Findings accepted until their review date (not in the score).")
    coming_up: int = Field(description="Findings that start to count within 14 days (not in the score yet).")
    findings: list[FindingOut] = Field(description="The first page of the open findings, what to fix first first.")
    next_cursor: str | None = Field(
        description="More open findings: `GET /api/v1/findings?cursor=<next_cursor>`; null when all are listed."
    )
    refreshed_at: datetime.datetime | None = Field(description="When the stored findings were last fully recomputed.")
    updating_since: datetime.datetime | None = Field(
        None,
        description="A full recompute runs in the background since then (a large workspace on a new day or after "
        "a change to the whole workspace, such as its thresholds): the findings are from before it. Null: up to date.",
    )


class HealthQuery(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="How many findings on the first page (1–200).")


@router.get("/health", response=responses(HealthOut), auth=api_access(INTERNAL))
def health(request: WorkspaceRequest, query: Query[HealthQuery]) -> dict[str, object]:
    """The health score of the workspace, its counts and the first page of its open findings.

    Read from the stored findings (kept up to date by every write and a daily job), so it
    answers in a few queries at any size. `findings` holds the first `limit` open findings
    (default 50), what to fix first first; when there are more, `next_cursor` is set: pass
    it to `GET /api/v1/findings?cursor=...` for the next pages. (`sourcewise health --json`
    prints every finding at once.)

    A workspace with no outsourced work yet has nothing to score: `score` is null and
    `status` is `not_enough_data` (its findings, if any, are still listed)."""
    workspace = request.workspace
    stored = store.stored_health(workspace)
    page = _page(request, FindingQuery(limit=query.limit), stored.today)  # type: ignore[call-arg]  # the rest default
    return {
        "workspace": {"id": workspace.pk, "name": workspace.name},
        "evaluated_on": stored.today.isoformat(),
        "score": stored.score,
        "status": stored.status,
        "counts": stored.counts,
        "accepted": stored.accepted,
        "coming_up": stored.coming_up,
        "findings": page["items"],
        "next_cursor": page["next_cursor"],
        "refreshed_at": stored.refreshed_at,
        "updating_since": stored.updating_since,
    }

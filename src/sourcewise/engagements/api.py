"""Engagements over the API: drafts and transitions, milestones, checkpoint reviews, hours, handovers."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from sourcewise.api.access import api_access
from sourcewise.api.pagination import MAX_LIMIT, PageParams, keyset_page
from sourcewise.api.prepared import MEMBER_MARKS, PreparedValues, placeholder_member
from sourcewise.api.rendered import day_text, moment_text, money_text, rendered
from sourcewise.api.schemas import Id, InputSchema, Page, path_id, responses
from sourcewise.core.access import EVERYONE, FREELANCER, INTERNAL, OWNER
from sourcewise.core.http import WorkspaceRequest
from sourcewise.core.schemas import CurrencyCode
from sourcewise.engagements import checkpoints, lifecycle, milestones, offboarding_flow, selectors, timesheets
from sourcewise.engagements.agreed_rates import engagement_rate_context
from sourcewise.engagements.matching_queries import rank_candidates
from sourcewise.engagements.matching_scores import Candidate
from sourcewise.engagements.models import CheckpointReview, Engagement, Handover, Milestone, TimeEntry
from sourcewise.money.api import AgreedRateBandsOut, agreed_rate_bands_out
from sourcewise.talent.models import Freelancer
from sourcewise.tasks.models import Task
from sourcewise.workspaces.access import NotInWorkspace, scoped_object, scoped_queryset
from sourcewise.workspaces.models import Membership

router = Router(tags=["engagements"])


# ── schemas ──────────────────────────────────────────────────────────────────


class Ref(Schema):
    id: int
    name: str


class EngagementIn(InputSchema):
    freelancer_id: Id
    task_id: Id
    manager_id: Id | None = Field(None, description="Membership id of an owner or manager of the workspace.")
    kind: Literal["trial", "full"] = "trial"
    billing: Literal["hourly", "fixed"] = "hourly"
    rate: Decimal = Field(
        ge=0, max_digits=10, decimal_places=2, description="Hourly rate (fixed price: the rate it is based on)."
    )
    currency: CurrencyCode
    budget_cap: Decimal | None = Field(
        None, gt=0, max_digits=12, decimal_places=2, description="Hours (hourly) or amount (fixed price)."
    )
    start_date: datetime.date
    end_date: datetime.date | None = None
    expected_monthly_saving: Decimal | None = Field(
        None, max_digits=12, decimal_places=2, description="In the workspace's currency (see expected_saving_currency)."
    )


class EngagementOut(Schema):
    id: int
    freelancer_id: int = Field(description="As in EngagementIn, so this item can be PUT back unchanged.")
    task_id: int
    manager_id: int | None = Field(description="Membership id of the manager.")
    freelancer: Ref
    task: Ref
    manager: Ref | None
    kind: str
    state: str
    billing: str
    rate: str
    currency: str
    budget_cap: str | None
    start_date: datetime.date
    end_date: datetime.date | None
    expected_monthly_saving: str | None = Field(None, description="Shown to owners and managers only.")
    expected_saving_currency: str | None = Field(
        None, description="The currency of the expected saving: the workspace's when it was entered."
    )
    trial_hours_cap: int | None = Field(None, description="A trial's hours raised by an owner; empty: the limit.")
    trial_rating: int | None
    completion_note: str
    termination_reason: str
    activated_at: datetime.datetime | None
    ended_at: datetime.datetime | None


class CompleteIn(InputSchema):
    trial_rating: int | None = Field(None, ge=1, le=5, description="Required for a trial.")
    note: str = Field("", max_length=5000)


class TerminateIn(InputSchema):
    reason: str = Field(min_length=1, max_length=5000)


class MilestoneIn(InputSchema):
    title: str = Field(min_length=1, max_length=150)
    acceptance_criteria: str = Field(min_length=1, max_length=5000)
    due_date: datetime.date


class MilestoneOut(Schema):
    id: int
    engagement_id: int
    title: str
    acceptance_criteria: str
    due_date: datetime.date
    status: str
    deliverable_text: str
    deliverable_link: str
    submitted_at: datetime.datetime | None
    reviewed_at: datetime.datetime | None
    return_note: str


class SubmissionIn(InputSchema):
    text: str = Field(min_length=1, max_length=10000)
    link: str = Field("", max_length=500, pattern=r"^(https?://\S+)?$")


class DecisionIn(InputSchema):
    accept: bool
    note: str = Field("", max_length=500, description="Required when sending back.")


class ReviewIn(InputSchema):
    date: datetime.date
    quality: int = Field(ge=1, le=5)
    timeliness: int = Field(ge=1, le=5)
    communication: int = Field(ge=1, le=5)
    notes: str = Field("", max_length=5000)


class ReviewOut(Schema):
    id: int
    engagement_id: int
    reviewer_id: int | None
    date: datetime.date
    quality: int
    timeliness: int
    communication: int
    notes: str


class TimeEntryIn(InputSchema):
    date: datetime.date
    hours: Decimal = Field(gt=0, le=24, max_digits=4, decimal_places=2)
    note: str = Field("", max_length=500)


class TimeEntryOut(Schema):
    id: int
    engagement_id: int
    date: datetime.date
    hours: str
    note: str
    status: str
    reviewed_at: datetime.datetime | None
    return_note: str

    @staticmethod
    def resolve_hours(obj: TimeEntry) -> str:
        return str(obj.hours)


class TimeDecisionIn(InputSchema):
    approve: bool
    note: str = Field("", max_length=500, description="Required when sending back.")


class BulkApprovalIn(InputSchema):
    ids: list[Id] = Field(min_length=1, max_length=timesheets.MAX_BULK_APPROVAL, description="Time entry ids.")


class TrialCapIn(InputSchema):
    trial_hours_cap: int | None = Field(ge=1, le=32767, description="Hours; null: back to the workspace limit.")
    reason: str = Field(min_length=1, max_length=500)


class HandoverOut(Schema):
    id: int
    offboarding_id: int
    engagement_id: int
    leaving_freelancer_id: int
    status: str
    replacement_id: int | None
    notes: str

    @staticmethod
    def resolve_leaving_freelancer_id(obj: Handover) -> int:
        return obj.engagement.freelancer_id


class HandoverIn(InputSchema):
    status: Literal["open", "replacement_chosen", "done"]
    replacement_id: Id | None = None
    notes: str = Field("", max_length=5000)


class OffboardingIn(InputSchema):
    reason: str = Field("", max_length=2000)
    leaving_on: datetime.date | None = None


class OffboardingOut(Schema):
    id: int
    freelancer_id: int
    status: str
    leaving_on: datetime.date | None
    handovers: list[HandoverOut]

    @staticmethod
    def resolve_handovers(obj: Any) -> list[Handover]:
        return list(obj.handovers.select_related("engagement").order_by("pk"))


# ── helpers ──────────────────────────────────────────────────────────────────


def _member(request: WorkspaceRequest) -> Membership:
    return request.membership


def _engagements(request: WorkspaceRequest) -> QuerySet[Engagement]:
    return selectors.with_related(scoped_queryset(request, Engagement))


# An API item reads its engagement and the names of the related rows as plain values in
# one query, and is built as a dict: no model instances per row (SPEC P1), no parsing of
# SQLite's text into datetimes and Decimals only to write them out again (SPEC P7).
_ITEM_VALUES = (
    "id", "freelancer_id", "task_id", "manager_id", "kind", "state", "billing", "rate", "currency", "budget_cap",
    "start_date", "end_date", "expected_monthly_saving", "expected_saving_currency", "trial_hours_cap",
    "trial_rating", "completion_note", "termination_reason",
    "activated_at", "ended_at", "freelancer__name", "task__name", "manager__user__full_name", "manager__user__email",
)  # fmt: skip
# The SQL of both is written by the ORM from the scoped queryset once per role (the scoping
# depends on it), then run with the member's workspace and user (api.prepared).
_PAGE = PreparedValues(
    lambda role, marks: (
        Engagement.objects.for_member(placeholder_member(str(role), marks))
        .filter(pk__gt=marks["after"])
        .order_by("pk")
        .values(*_ITEM_VALUES)
    ),
    marks={**MEMBER_MARKS, "after": -914_010},
    converted=False,
)
_ONE = PreparedValues(
    lambda role, marks: (
        Engagement.objects.for_member(placeholder_member(str(role), marks)).filter(pk=marks["pk"]).values(*_ITEM_VALUES)
    ),
    marks={**MEMBER_MARKS, "pk": -914_011},
    converted=False,
)


def _member_values(request: WorkspaceRequest) -> dict[str, Any]:
    return {"workspace": request.membership.workspace_id, "user": request.membership.user_id}


def _item(row: tuple[Any, ...], internal: bool) -> dict[str, Any]:
    """One EngagementOut from a row of _PAGE or _ONE (the _ITEM_VALUES, as the driver gives
    them), its fields in the schema's order and its values as the text ninja would write
    (api.rendered). The expected saving is the business's figure: team members only."""
    (pk, freelancer_id, task_id, manager_id, kind, state, billing, rate, currency, budget_cap, start_date, end_date,
     saving, saving_currency, trial_hours_cap, trial_rating, completion_note, termination_reason, activated_at,
     ended_at, freelancer_name, task_name, manager_full_name, manager_email) = row  # fmt: skip
    return {
        "id": pk,
        "freelancer_id": freelancer_id,
        "task_id": task_id,
        "manager_id": manager_id,
        "freelancer": {"id": freelancer_id, "name": freelancer_name},
        "task": {"id": task_id, "name": task_name},
        "manager": None if manager_id is None else {"id": manager_id, "name": manager_full_name or manager_email},
        "kind": kind,
        "state": state,
        "billing": billing,
        "rate": money_text(rate),
        "currency": currency,
        "budget_cap": money_text(budget_cap),
        "start_date": day_text(start_date),
        "end_date": day_text(end_date),
        "expected_monthly_saving": money_text(saving) if internal else None,
        "expected_saving_currency": (saving_currency or None) if internal else None,
        "trial_hours_cap": trial_hours_cap,
        "trial_rating": trial_rating,
        "completion_note": completion_note,
        "termination_reason": termination_reason,
        "activated_at": moment_text(activated_at),
        "ended_at": moment_text(ended_at),
    }


def _is_internal(request: WorkspaceRequest) -> bool:
    return bool(request.membership.is_internal)


def _item_for(request: WorkspaceRequest, engagement_id: int) -> dict[str, Any]:
    rows = _ONE.tuples(request.membership.role, {**_member_values(request), "pk": engagement_id})
    if not rows:  # another workspace's id, or a freelancer's look at someone else's: no such id
        raise NotInWorkspace(Engagement, engagement_id)
    return _item(rows[0], _is_internal(request))


def _one(request: WorkspaceRequest, engagement_id: int) -> Engagement:
    return scoped_object(request, Engagement, engagement_id, _engagements(request))


def _ref(
    request: WorkspaceRequest, model: type[Model], pk: int | None, field: str, queryset: QuerySet[Any] | None = None
) -> Any:
    if pk is None:
        return None
    qs = queryset if queryset is not None else scoped_queryset(request, model)
    found = qs.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: f"Unknown {field.removesuffix('_id')} id {pk} in this workspace."})
    return found


def _draft_fields(request: WorkspaceRequest, payload: EngagementIn) -> dict[str, Any]:
    data = payload.dict(exclude={"freelancer_id", "task_id", "manager_id"})
    managers = Membership.objects.filter(workspace=request.workspace)
    data["freelancer"] = _ref(request, Freelancer, payload.freelancer_id, "freelancer_id")
    data["task"] = _ref(request, Task, payload.task_id, "task_id")
    data["manager"] = _ref(request, Membership, payload.manager_id, "manager_id", managers)
    return data


# ── engagements ──────────────────────────────────────────────────────────────


@router.get("/engagements", response=responses(Page[EngagementOut]), auth=api_access(EVERYONE))
def list_engagements(request: WorkspaceRequest, params: Query[PageParams]) -> HttpResponse:
    """Engagements of the workspace (a freelancer: their own)."""
    limit = max(1, min(params.limit, MAX_LIMIT))
    after = int(params.cursor) if params.cursor else 0  # ids start at 1: "after 0" is the first page
    rows = _PAGE.tuples(request.membership.role, {**_member_values(request), "after": after}, limit=limit + 1)
    internal = _is_internal(request)
    next_cursor = str(rows[limit - 1][0]) if len(rows) > limit else None
    return rendered({"items": [_item(row, internal) for row in rows[:limit]], "next_cursor": next_cursor})


@router.post("/engagements", response=responses(EngagementOut, 201), auth=api_access(INTERNAL))
def create_engagement(request: WorkspaceRequest, payload: EngagementIn) -> tuple[int, dict[str, Any]]:
    """Plan an engagement (a draft): nothing starts until it is activated."""
    engagement = lifecycle.create_draft(
        workspace=request.workspace,
        actor=request.user,
        **_draft_fields(request, payload),
    )
    return 201, _item_for(request, engagement.pk)


ENGAGEMENT_ID = {"engagement_id": Engagement}


@router.get("/engagements/{engagement_id}", response=responses(EngagementOut), auth=api_access(EVERYONE, ENGAGEMENT_ID))
def get_engagement(request: WorkspaceRequest, engagement_id: int = path_id()) -> HttpResponse:
    return rendered(_item_for(request, engagement_id))


@router.put("/engagements/{engagement_id}", response=responses(EngagementOut), auth=api_access(INTERNAL, ENGAGEMENT_ID))
def update_engagement(
    request: WorkspaceRequest, payload: EngagementIn, engagement_id: int = path_id()
) -> dict[str, Any]:
    """Change the terms of a draft (an engagement that has started keeps its terms)."""
    engagement = _one(request, engagement_id)
    fields = _draft_fields(request, payload)
    if any(getattr(engagement, name) != value for name, value in fields.items()):
        # Sending back what GET gave changes nothing, whatever the state (a started one included).
        lifecycle.update_draft(engagement=engagement, actor=request.user, **fields)
    return _item_for(request, engagement_id)


@router.post(
    "/engagements/{engagement_id}/activate", response=responses(EngagementOut), auth=api_access(INTERNAL, ENGAGEMENT_ID)
)
def activate_engagement(request: WorkspaceRequest, engagement_id: int = path_id()) -> dict[str, Any]:
    """Start a draft. Refused with every unmet requirement listed in `errors` (422)."""
    lifecycle.activate(engagement=_one(request, engagement_id), actor=request.user)
    return _item_for(request, engagement_id)


@router.post(
    "/engagements/{engagement_id}/complete", response=responses(EngagementOut), auth=api_access(INTERNAL, ENGAGEMENT_ID)
)
def complete_engagement(
    request: WorkspaceRequest, payload: CompleteIn, engagement_id: int = path_id()
) -> dict[str, Any]:
    lifecycle.complete(
        engagement=_one(request, engagement_id), actor=request.user, rating=payload.trial_rating, note=payload.note
    )
    return _item_for(request, engagement_id)


@router.post(
    "/engagements/{engagement_id}/terminate",
    response=responses(EngagementOut),
    auth=api_access(INTERNAL, ENGAGEMENT_ID),
)
def terminate_engagement(
    request: WorkspaceRequest, payload: TerminateIn, engagement_id: int = path_id()
) -> dict[str, Any]:
    lifecycle.terminate(engagement=_one(request, engagement_id), actor=request.user, reason=payload.reason)
    return _item_for(request, engagement_id)


@router.post(
    "/engagements/{engagement_id}/cancel", response=responses(EngagementOut), auth=api_access(INTERNAL, ENGAGEMENT_ID)
)
def cancel_engagement(request: WorkspaceRequest, engagement_id: int = path_id()) -> dict[str, Any]:
    lifecycle.cancel(engagement=_one(request, engagement_id), actor=request.user)
    return _item_for(request, engagement_id)


@router.post(
    "/engagements/{engagement_id}/trial-cap",
    response=responses(EngagementOut),
    auth=api_access([OWNER], ENGAGEMENT_ID),
)
def set_trial_cap(request: WorkspaceRequest, payload: TrialCapIn, engagement_id: int = path_id()) -> dict[str, Any]:
    """An owner raises (or resets) the hours a trial may log and get approved, with a reason (audited)."""
    timesheets.set_trial_hours_cap(
        engagement=_one(request, engagement_id),
        actor=_member(request),
        hours=payload.trial_hours_cap,
        reason=payload.reason,
    )
    return _item_for(request, engagement_id)


# ── milestones ───────────────────────────────────────────────────────────────


@router.get(
    "/engagements/{engagement_id}/milestones",
    response=responses(Page[MilestoneOut]),
    auth=api_access(EVERYONE, ENGAGEMENT_ID),
)
def list_milestones(
    request: WorkspaceRequest, params: Query[PageParams], engagement_id: int = path_id()
) -> dict[str, object]:
    engagement = _one(request, engagement_id)
    return keyset_page(scoped_queryset(request, Milestone).filter(engagement=engagement), params.cursor, params.limit)


@router.post(
    "/engagements/{engagement_id}/milestones",
    response=responses(MilestoneOut, 201),
    auth=api_access(INTERNAL, ENGAGEMENT_ID),
)
def create_milestone(
    request: WorkspaceRequest, payload: MilestoneIn, engagement_id: int = path_id()
) -> tuple[int, Milestone]:
    milestone = milestones.add_milestone(engagement=_one(request, engagement_id), actor=request.user, **payload.dict())
    return 201, milestone


M = {"milestone_id": Milestone}


@router.post("/milestones/{milestone_id}/submit", response=responses(MilestoneOut), auth=api_access((FREELANCER,), M))
def submit_milestone(request: WorkspaceRequest, payload: SubmissionIn, milestone_id: int = path_id()) -> Milestone:
    """The freelancer hands in the deliverable of an open (or sent back) milestone."""
    milestone = scoped_object(request, Milestone, milestone_id)
    return milestones.submit_deliverable(
        milestone=milestone, membership=_member(request), text=payload.text, link=payload.link
    )


@router.post("/milestones/{milestone_id}/review", response=responses(MilestoneOut), auth=api_access(INTERNAL, M))
def review_milestone(request: WorkspaceRequest, payload: DecisionIn, milestone_id: int = path_id()) -> Milestone:
    """The engagement's manager (or an owner) accepts the deliverable or sends it back with a note."""
    milestone = scoped_object(request, Milestone, milestone_id)
    return milestones.review_deliverable(
        milestone=milestone, membership=_member(request), accept=payload.accept, note=payload.note
    )


# ── checkpoint reviews ───────────────────────────────────────────────────────


@router.get(
    "/engagements/{engagement_id}/reviews",
    response=responses(Page[ReviewOut]),
    auth=api_access(INTERNAL, ENGAGEMENT_ID),
)
def list_reviews(
    request: WorkspaceRequest, params: Query[PageParams], engagement_id: int = path_id()
) -> dict[str, object]:
    engagement = _one(request, engagement_id)
    reviews = scoped_queryset(request, CheckpointReview).filter(engagement=engagement)
    return keyset_page(reviews, params.cursor, params.limit)


@router.post(
    "/engagements/{engagement_id}/reviews", response=responses(ReviewOut, 201), auth=api_access(INTERNAL, ENGAGEMENT_ID)
)
def create_review(
    request: WorkspaceRequest, payload: ReviewIn, engagement_id: int = path_id()
) -> tuple[int, CheckpointReview]:
    review = checkpoints.record_checkpoint(
        engagement=_one(request, engagement_id), membership=_member(request), **payload.dict()
    )
    return 201, review


# ── hours ────────────────────────────────────────────────────────────────────


@router.get(
    "/engagements/{engagement_id}/time-entries",
    response=responses(Page[TimeEntryOut]),
    auth=api_access(EVERYONE, ENGAGEMENT_ID),
)
def list_time_entries(
    request: WorkspaceRequest, params: Query[PageParams], engagement_id: int = path_id()
) -> dict[str, object]:
    engagement = _one(request, engagement_id)
    entries = scoped_queryset(request, TimeEntry).filter(engagement=engagement)
    return keyset_page(entries, params.cursor, params.limit)


@router.post(
    "/engagements/{engagement_id}/time-entries",
    response=responses(TimeEntryOut, 201),
    auth=api_access((FREELANCER,), ENGAGEMENT_ID),
)
def log_time(request: WorkspaceRequest, payload: TimeEntryIn, engagement_id: int = path_id()) -> tuple[int, TimeEntry]:
    """The freelancer logs hours on their active engagement; they count once approved."""
    entry = timesheets.log_time(engagement=_one(request, engagement_id), membership=_member(request), **payload.dict())
    return 201, entry


@router.post(
    "/time-entries/{entry_id}/review",
    response=responses(TimeEntryOut),
    auth=api_access(INTERNAL, {"entry_id": TimeEntry}),
)
def review_time_entry(request: WorkspaceRequest, payload: TimeDecisionIn, entry_id: int = path_id()) -> TimeEntry:
    entry = scoped_object(request, TimeEntry, entry_id)
    return timesheets.review_time(entry=entry, membership=_member(request), approve=payload.approve, note=payload.note)


@router.post(
    "/time-entries/approve",
    response=responses(list[TimeEntryOut]),
    auth=api_access(INTERNAL),
)
def approve_time_entries(request: WorkspaceRequest, payload: BulkApprovalIn) -> list[TimeEntry]:
    """Approve many waiting entries at once: all or none (422 with every reason). An id that is
    not this workspace's (or not visible) answers 404 and nothing is approved. Fees are posted at once."""
    ids = sorted(set(payload.ids))
    found = set(scoped_queryset(request, TimeEntry).filter(pk__in=ids).values_list("pk", flat=True))
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise NotInWorkspace(TimeEntry, missing[0])
    return timesheets.approve_time_entries(actor=_member(request), entries=ids)


# ── offboarding ──────────────────────────────────────────────────────────────


@router.post(
    "/freelancers/{freelancer_id}/offboarding",
    response=responses(OffboardingOut, 201),
    auth=api_access(INTERNAL, {"freelancer_id": Freelancer}),
)
def start_offboarding(
    request: WorkspaceRequest, payload: OffboardingIn, freelancer_id: int = path_id()
) -> tuple[int, Any]:
    """Mark a freelancer as leaving: each of their active engagements gets a handover."""
    freelancer = scoped_object(request, Freelancer, freelancer_id)
    offboarding = offboarding_flow.start_offboarding(freelancer=freelancer, actor=request.user, **payload.dict())
    return 201, offboarding


@router.get("/handovers", response=responses(Page[HandoverOut]), auth=api_access(INTERNAL))
def list_handovers(request: WorkspaceRequest, params: Query[PageParams]) -> dict[str, object]:
    handovers = scoped_queryset(request, Handover).select_related("engagement")
    return keyset_page(handovers, params.cursor, params.limit)


@router.put(
    "/handovers/{handover_id}", response=responses(HandoverOut), auth=api_access(INTERNAL, {"handover_id": Handover})
)
def update_handover(request: WorkspaceRequest, payload: HandoverIn, handover_id: int = path_id()) -> Handover:
    handover = scoped_object(request, Handover, handover_id)
    replacement = _ref(request, Freelancer, payload.replacement_id, "replacement_id")
    offboarding_flow.update_handover(
        handover=handover, actor=request.user, status=payload.status, replacement=replacement, notes=payload.notes
    )
    return scoped_queryset(request, Handover).select_related("engagement").get(pk=handover.pk)


# -- the fair band of an engagement's agreed rate (SPEC G4) ---------------------------------


# Documented as before the move to this module: under the money tag, with the same operationId.
@router.get(
    "/engagements/{engagement_id}/fair-band",
    response=responses(AgreedRateBandsOut),
    auth=api_access(INTERNAL, {"engagement_id": Engagement}),
    tags=["money"],
    operation_id="sourcewise_money_api_engagement_fair_band",
)
def engagement_fair_band(request: WorkspaceRequest, engagement_id: int = path_id()) -> dict[str, object]:
    """The fair band of an engagement's agreed rate, as its findings and its page classify it
    (a draft on its start date, otherwise today)."""
    queryset = scoped_queryset(request, Engagement).select_related("freelancer", "task", "workspace")
    engagement = scoped_object(request, Engagement, engagement_id, queryset)
    context = engagement_rate_context(engagement)
    return agreed_rate_bands_out(
        freelancer=engagement.freelancer,
        task=engagement.task,
        bands=context["bands"],
        rate=engagement.rate,
        currency=engagement.currency,
        on=context["band_on"],
    )


# -- matching (SPEC G3): freelancers ranked for a task --------------------------------------


def _matching_today(request: WorkspaceRequest) -> datetime.date:
    return request.workspace.today()


class TermOut(Schema):
    key: str
    label: str
    points: Decimal
    max_points: int = Field(description="0 when the term is not counted (e.g. a fair rate without a benchmark).")
    detail: str


class CandidateOut(Schema):
    freelancer_id: int
    name: str
    status: str
    country: str
    timezone: str
    score: int
    eligible: bool
    overlap_hours: Decimal
    failures: list[str]
    terms: list[TermOut]


class CandidatesOut(Schema):
    task_id: int
    considered: int = Field(description="Freelancers read and scored: the ready ones and the nearest misses.")
    candidates: list[CandidateOut] = Field(description="Best first; nobody with a hard failure.")
    not_ready: list[CandidateOut] = Field(description="The closest with a hard failure, and why.")


class CandidateParams(Schema):
    limit: int = Field(20, ge=1, le=100, description="How many of each list (1–100).")


def _candidate(c: Candidate) -> dict[str, object]:
    return {
        "freelancer_id": c.freelancer_id,
        "name": c.name,
        "status": c.status,
        "country": c.country,
        "timezone": c.timezone,
        "score": c.score,
        "eligible": c.eligible,
        "overlap_hours": c.overlap_hours,
        "failures": c.failures,
        "terms": [{**t.__dict__, "points": t.points.quantize(Decimal("0.1"))} for t in c.terms],
    }


# Documented as before the move to this module: under the talent tag, with the same operationId.
@router.get(
    "/tasks/{task_id}/candidates",
    response=responses(CandidatesOut),
    auth=api_access(INTERNAL, {"task_id": Task}),
    tags=["talent"],
    operation_id="sourcewise_talent_api_list_candidates",
)
def list_candidates(
    request: WorkspaceRequest, params: Query[CandidateParams], task_id: int = path_id()
) -> dict[str, object]:
    """Freelancers ranked for a task by the explained 0–100 match score (SPEC G3)."""
    task = scoped_object(request, Task, task_id)
    ranking = rank_candidates(
        task, today=_matching_today(request), limit=params.limit, freelancers=scoped_queryset(request, Freelancer)
    )
    return {
        "task_id": task.pk,
        "considered": ranking.considered,
        "candidates": [_candidate(c) for c in ranking.eligible],
        "not_ready": [_candidate(c) for c in ranking.failing],
    }

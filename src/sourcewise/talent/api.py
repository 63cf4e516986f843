"""Talent network over the API: skills, freelancers, vetting, overlap and the bench (matching: engagements/api.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema

from sourcewise.api.access import api_access
from sourcewise.api.pagination import PageParams, keyset_page
from sourcewise.api.schemas import MAX_ID, Id, InputSchema, Page, path_id, responses
from sourcewise.core.access import INTERNAL
from sourcewise.core.http import WorkspaceRequest
from sourcewise.core.links import site_url
from sourcewise.core.schemas import (
    CountryCode,
    EmailAddress,
    LanguageCode,
    OptionalCurrencyCode,
    SkillLevel,
    TimezoneName,
)
from sourcewise.talent import services
from sourcewise.talent.models import Freelancer, Skill
from sourcewise.talent.overlap import (
    OverlapChange,
    Schedule,
    business_schedule,
    freelancer_schedule,
    next_overlap_change,
    overlap_for,
    timeline,
    window_start_error,
)
from sourcewise.talent.search import FreelancerSearch, search_freelancers
from sourcewise.talent.selectors import with_bench_depth, with_profile, with_skills, with_vetting
from sourcewise.talent.vetting import vetting_state
from sourcewise.workspaces.access import scoped_object, scoped_queryset

HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
Rating = Annotated[int, Field(ge=1, le=5)]
Cefr = Literal["A1", "A2", "B1", "B2", "C1", "C2"]
Status = Literal["prospect", "vetting", "approved", "rejected", "active", "inactive", "left"]

router = Router(tags=["talent"])


class SkillIn(InputSchema):
    name: str = Field(min_length=1, max_length=80)
    description: str = Field("", max_length=2000)


class SkillOut(Schema):
    id: int
    name: str
    description: str


class SkillLevelIn(InputSchema):
    skill_id: Id
    level: SkillLevel


class SkillLevelOut(Schema):
    skill_id: int
    skill: str
    level: int


class LanguageIn(InputSchema):
    language: LanguageCode
    level: Cefr


class LanguageOut(Schema):
    language: str
    level: str


class FreelancerIn(InputSchema):
    name: str = Field(min_length=1, max_length=150)
    email: EmailAddress
    country: CountryCode
    timezone: TimezoneName
    work_start: str = Field("09:00", pattern=HHMM, description="Local start of the working day, HH:MM.")
    work_end: str = Field("17:00", pattern=HHMM, description="Local end, HH:MM; before the start = the next day.")
    work_days: list[Annotated[int, Field(ge=0, le=6)]] = Field([0, 1, 2, 3, 4], min_length=1, max_length=7)
    languages: list[LanguageIn] = Field([], max_length=20)
    hourly_rate: Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)] | None = None
    rate_currency: OptionalCurrencyCode = None
    availability_hours: int = Field(40, ge=0, le=168, description="Hours a week.")
    notes: str = Field("", max_length=5000)
    skills: list[SkillLevelIn] = []


def _today(request: WorkspaceRequest) -> datetime.date:
    return request.workspace.today()


class OverlapChangeOut(Schema):
    starts_on: datetime.date = Field(description="The first business day (your date) with the new overlap.")
    changes_at: datetime.datetime = Field(description="The instant the clocks change (UTC).")
    side: Literal["your", "their", "both"] = Field(description="Whose clocks change.")
    zones: list[str]
    hours_before: Decimal = Field(description="Average overlap per business day before the change.")
    hours_after: Decimal


def overlap_change_out(business: Schedule, change: OverlapChange | None) -> dict[str, object] | None:
    if change is None:
        return None
    return {
        "starts_on": change.starts_on,
        "changes_at": change.at,
        "side": change.side(business),
        "zones": list(change.zones),
        "hours_before": change.before.hours.quantize(Decimal("0.01")),
        "hours_after": change.after.hours.quantize(Decimal("0.01")),
    }


class FreelancerSummaryOut(Schema):
    """A freelancer in a list (SPEC P1: four queries a page); languages are on the detail."""

    id: int
    name: str
    email: str
    country: str
    timezone: str
    status: str
    work_start: str = Field(description="HH:MM local")
    work_end: str = Field(description="HH:MM local")
    work_days: list[int]
    hourly_rate: Decimal | None
    rate_currency: str
    availability_hours: int
    skills: list[SkillLevelOut]

    @staticmethod
    def resolve_skills(obj: Freelancer) -> list[dict[str, object]]:
        return [{"skill_id": fs.skill_id, "skill": fs.skill.name, "level": fs.level} for fs in obj.skill_levels.all()]

    @staticmethod
    def resolve_work_start(obj: Freelancer) -> str:
        return obj.work_start.strftime("%H:%M")

    @staticmethod
    def resolve_work_end(obj: Freelancer) -> str:
        return obj.work_end.strftime("%H:%M")


class FreelancerOut(FreelancerSummaryOut):
    languages: list[LanguageOut]
    notes: str
    next_overlap_change: OverlapChangeOut | None = Field(
        description="The next daylight-saving change (either side, within a year) that alters the overlap with "
        "your business hours (as on GET …/overlap); null when none does."
    )

    @staticmethod
    def resolve_languages(obj: Freelancer) -> list[dict[str, object]]:
        return [{"language": lang.language, "level": lang.level} for lang in obj.languages.all()]

    @staticmethod
    def resolve_next_overlap_change(obj: Freelancer, context: dict[str, Any]) -> dict[str, object] | None:
        request = context["request"]
        business = business_schedule(request.workspace)
        return overlap_change_out(business, next_overlap_change(business, freelancer_schedule(obj), _today(request)))


def _profile_fields(payload: FreelancerIn) -> dict[str, Any]:
    data = payload.dict(exclude={"skills", "languages"})
    data["rate_currency"] = data.get("rate_currency") or ""
    data["work_start"] = datetime.time.fromisoformat(payload.work_start)
    data["work_end"] = datetime.time.fromisoformat(payload.work_end)
    return data


def _languages(payload: FreelancerIn) -> dict[str, str]:
    languages: dict[str, str] = {}
    for item in payload.languages:
        if item.language in languages:
            raise ValidationError({"languages": f"Language {item.language!r} is listed twice."})
        languages[item.language] = item.level
    return languages


def _skill_levels(request: WorkspaceRequest, levels: list[SkillLevelIn]) -> dict[Skill, int]:
    wanted = {item.skill_id: item.level for item in levels}
    skills = {s.pk: s for s in scoped_queryset(request, Skill).filter(pk__in=wanted)}
    missing = sorted(set(wanted) - set(skills))
    if missing:
        raise ValidationError({"skills": f"Unknown skill id(s) in this workspace: {missing}."})
    return {skills[pk]: level for pk, level in wanted.items()}


@router.get("/skills", response=responses(Page[SkillOut]), auth=api_access(INTERNAL))
def list_skills(request: WorkspaceRequest, params: Query[PageParams]) -> dict[str, object]:
    return keyset_page(scoped_queryset(request, Skill), params.cursor, params.limit)


@router.post("/skills", response=responses(SkillOut, 201), auth=api_access(INTERNAL))
def create_skill(request: WorkspaceRequest, payload: SkillIn) -> tuple[int, Skill]:
    skill = services.create_skill(workspace=request.workspace, actor=request.user, **payload.dict())
    return 201, skill


class FreelancerFilters(Schema):
    """The freelancers page's filters (talent.search); each alone or combined."""

    q: str = Field("", max_length=100, description="Part of the name or the email, any case.")
    status: Status | None = None
    skill: int | None = Field(None, ge=1, le=MAX_ID, description="A skill id of the workspace.")
    skill_level: SkillLevel = Field(1, description="The lowest level of `skill` accepted (1–5).")
    language: LanguageCode | None = None
    language_level: Cefr | None = Field(None, description="The lowest CEFR level of `language` accepted.")
    country: CountryCode | None = None
    min_overlap: Decimal | None = Field(
        None, ge=0, le=24, description="Hours a business day shared with the workspace (28-day average from today)."
    )

    def search(self) -> FreelancerSearch:
        return FreelancerSearch(
            q=self.q,
            status=self.status or "",
            skill=self.skill,
            skill_level=self.skill_level,
            language=self.language or "",
            language_level=self.language_level or "",
            country=self.country or "",
            min_overlap=self.min_overlap,
        )


@router.get("/freelancers", response=responses(Page[FreelancerSummaryOut]), auth=api_access(INTERNAL))
def list_freelancers(
    request: WorkspaceRequest, params: Query[PageParams], filters: Query[FreelancerFilters]
) -> dict[str, object]:
    queryset = search_freelancers(
        with_skills(scoped_queryset(request, Freelancer)),
        filters.search(),
        workspace=request.workspace,
        today=request.workspace.today(),
    )
    return keyset_page(queryset, params.cursor, params.limit)


@router.post("/freelancers", response=responses(FreelancerOut, 201), auth=api_access(INTERNAL))
def create_freelancer(request: WorkspaceRequest, payload: FreelancerIn) -> tuple[int, Freelancer]:
    freelancer = services.create_freelancer(
        workspace=request.workspace,
        actor=request.user,
        skills=_skill_levels(request, payload.skills),
        languages=_languages(payload),
        **_profile_fields(payload),
    )
    return 201, with_profile(scoped_queryset(request, Freelancer)).get(pk=freelancer.pk)


@router.get(
    "/freelancers/{freelancer_id}",
    response=responses(FreelancerOut),
    auth=api_access(INTERNAL, {"freelancer_id": Freelancer}),
)
def get_freelancer(request: WorkspaceRequest, freelancer_id: int = path_id()) -> Freelancer:
    return scoped_object(request, Freelancer, freelancer_id, with_profile(scoped_queryset(request, Freelancer)))


@router.put(
    "/freelancers/{freelancer_id}",
    response=responses(FreelancerOut),
    auth=api_access(INTERNAL, {"freelancer_id": Freelancer}),
)
def update_freelancer(request: WorkspaceRequest, payload: FreelancerIn, freelancer_id: int = path_id()) -> Freelancer:
    freelancer = scoped_object(request, Freelancer, freelancer_id)
    services.update_freelancer(
        freelancer=freelancer,
        actor=request.user,
        skills=_skill_levels(request, payload.skills),
        languages=_languages(payload),
        **_profile_fields(payload),
    )
    return with_profile(scoped_queryset(request, Freelancer)).get(pk=freelancer.pk)


# ---- vetting -------------------------------------------------------------------------

FREELANCER_OBJECT = {"freelancer_id": Freelancer}


class StepOut(Schema):
    key: str
    label: str
    done: bool
    detail: str


class VettingOut(Schema):
    status: str
    complete: bool
    steps: list[StepOut]
    missing: list[StepOut]
    reference_average: Decimal | None
    reference_count: int
    trial_rating: int | None


def _vetting(request: WorkspaceRequest, freelancer_id: int) -> dict[str, object]:
    freelancer = scoped_object(request, Freelancer, freelancer_id, with_vetting(scoped_queryset(request, Freelancer)))
    state = vetting_state(freelancer)
    return {
        "status": freelancer.status,
        "complete": state.complete,
        "steps": state.steps,
        "missing": state.missing,
        "reference_average": state.reference_average,
        "reference_count": state.reference_count,
        "trial_rating": state.trial_rating,
    }


@router.get(
    "/freelancers/{freelancer_id}/vetting", response=responses(VettingOut), auth=api_access(INTERNAL, FREELANCER_OBJECT)
)
def get_vetting(request: WorkspaceRequest, freelancer_id: int = path_id()) -> dict[str, object]:
    """The vetting steps G7 requires for approval, and which are still missing."""
    return _vetting(request, freelancer_id)


class PortfolioIn(InputSchema):
    title: str = Field(min_length=1, max_length=150)
    url: str = Field("", max_length=200, pattern=r"^(https?://\S+)?$")
    description: str = Field("", max_length=5000)
    rating: Rating | None = Field(None, description="Your review, 1–5; rating an item is the portfolio review step.")


class ReferenceIn(InputSchema):
    client_name: str = Field(min_length=1, max_length=150)
    contact: str = Field(min_length=1, max_length=200)
    rating: Rating
    comment: str = Field(min_length=1, max_length=5000)


class InterviewIn(InputSchema):
    held_on: datetime.date
    communication: Rating
    culture_fit: Rating
    notes: str = Field("", max_length=5000)


class TrialIn(InputSchema):
    title: str = Field(min_length=1, max_length=150)
    completed_on: datetime.date
    rating: Rating
    hours: Annotated[Decimal, Field(ge=0, max_digits=5, decimal_places=1)] | None = None
    notes: str = Field("", max_length=5000)


class StatusIn(InputSchema):
    status: Status


@router.post(
    "/freelancers/{freelancer_id}/portfolio",
    response=responses(VettingOut, 201),
    auth=api_access(INTERNAL, FREELANCER_OBJECT),
)
def add_portfolio_item(
    request: WorkspaceRequest, payload: PortfolioIn, freelancer_id: int = path_id()
) -> tuple[int, dict[str, object]]:
    freelancer = scoped_object(request, Freelancer, freelancer_id)
    services.add_portfolio_item(freelancer=freelancer, actor=request.user, **payload.dict())
    return 201, _vetting(request, freelancer_id)


@router.post(
    "/freelancers/{freelancer_id}/references",
    response=responses(VettingOut, 201),
    auth=api_access(INTERNAL, FREELANCER_OBJECT),
)
def add_reference(
    request: WorkspaceRequest, payload: ReferenceIn, freelancer_id: int = path_id()
) -> tuple[int, dict[str, object]]:
    freelancer = scoped_object(request, Freelancer, freelancer_id)
    services.add_reference(freelancer=freelancer, actor=request.user, **payload.dict())
    return 201, _vetting(request, freelancer_id)


@router.post(
    "/freelancers/{freelancer_id}/interviews",
    response=responses(VettingOut, 201),
    auth=api_access(INTERNAL, FREELANCER_OBJECT),
)
def add_interview(
    request: WorkspaceRequest, payload: InterviewIn, freelancer_id: int = path_id()
) -> tuple[int, dict[str, object]]:
    freelancer = scoped_object(request, Freelancer, freelancer_id)
    services.record_interview(freelancer=freelancer, actor=request.user, **payload.dict())
    return 201, _vetting(request, freelancer_id)


@router.post(
    "/freelancers/{freelancer_id}/trials",
    response=responses(VettingOut, 201),
    auth=api_access(INTERNAL, FREELANCER_OBJECT),
)
def add_trial(
    request: WorkspaceRequest, payload: TrialIn, freelancer_id: int = path_id()
) -> tuple[int, dict[str, object]]:
    freelancer = scoped_object(request, Freelancer, freelancer_id)
    services.record_trial(freelancer=freelancer, actor=request.user, **payload.dict())
    return 201, _vetting(request, freelancer_id)


@router.post(
    "/freelancers/{freelancer_id}/status",
    response=responses(VettingOut),
    auth=api_access(INTERNAL, FREELANCER_OBJECT),
)
def change_status(request: WorkspaceRequest, payload: StatusIn, freelancer_id: int = path_id()) -> dict[str, object]:
    """Move along the pipeline. Approval is refused (422) with every missing vetting step listed."""
    freelancer = scoped_object(request, Freelancer, freelancer_id)
    services.change_status(freelancer=freelancer, actor=request.user, status=payload.status)
    return _vetting(request, freelancer_id)


class PortalInviteIn(InputSchema):
    email: EmailAddress | None = Field(None, description="Where the link goes; the profile's address when left out.")


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    freelancer_id: int | None
    created_at: datetime.datetime
    expires_at: datetime.datetime


@router.post(
    "/freelancers/{freelancer_id}/invite",
    response=responses(InvitationOut, 201),
    auth=api_access(INTERNAL, FREELANCER_OBJECT),
)
def invite_to_portal(
    request: WorkspaceRequest, payload: PortalInviteIn, freelancer_id: int = path_id()
) -> tuple[int, object]:
    """Invite the freelancer to the portal: the login that accepts the emailed link is linked to
    this profile. A pending invitation is replaced; a profile already linked is refused (422).
    The link itself goes only to the invited address, never into this answer."""
    freelancer = scoped_object(request, Freelancer, freelancer_id)
    invitation, _link = services.invite_to_portal(
        freelancer=freelancer, actor=request.user, email=payload.email or "", base_url=site_url(request)
    )
    return 201, invitation


# ---- overlap, matching, bench --------------------------------------------------------


class Span(Schema):
    start: float = Field(description="Hours after the owner's local midnight.")
    end: float


def _spans(periods: list[tuple[float, float]]) -> list[dict[str, float]]:
    return [{"start": round(a, 4), "end": round(b, 4)} for a, b in periods]


class OverlapOut(Schema):
    hours: Decimal
    minimum: Decimal
    meets_minimum: bool
    business_days: int
    window_start: datetime.date
    timeline_day: datetime.date
    business_hours: list[Span] = Field(description="Both working days on timeline_day, in the owner's local hours.")
    freelancer_hours: list[Span]
    overlap_hours: list[Span]
    next_change: OverlapChangeOut | None = Field(
        description="The next daylight-saving change (either side, within a year of window_start) that alters "
        "the overlap; null when none does."
    )


class OverlapParams(Schema):
    on: datetime.date | None = Field(
        None, description="Start of the 28-day window (YYYY-MM-DD, within two years of today); today by default."
    )


@router.get(
    "/freelancers/{freelancer_id}/overlap", response=responses(OverlapOut), auth=api_access(INTERNAL, FREELANCER_OBJECT)
)
def get_overlap(
    request: WorkspaceRequest, params: Query[OverlapParams], freelancer_id: int = path_id()
) -> dict[str, object]:
    """Average working-hours overlap per business day over the 28 days from `on` (today by
    default; SPEC G3), and the next clock change that alters it. A date more than two years
    from today is a 422."""
    freelancer = scoped_object(request, Freelancer, freelancer_id)
    workspace = request.workspace
    start = params.on or _today(request)
    problem = window_start_error(start, _today(request))
    if problem:
        raise ValidationError({"on": problem})
    business, schedule = business_schedule(workspace), freelancer_schedule(freelancer)
    overlap = overlap_for(business, schedule, start)
    line = timeline(business, schedule, start)
    return {
        "hours": overlap.hours.quantize(Decimal("0.01")),
        "minimum": workspace.min_tz_overlap_hours,
        "meets_minimum": overlap.at_least(workspace.min_tz_overlap_hours),
        "business_days": overlap.business_days,
        "window_start": start,
        "timeline_day": line.day,
        "business_hours": _spans(line.business),
        "freelancer_hours": _spans(line.freelancer),
        "overlap_hours": _spans(line.overlap),
        "next_change": overlap_change_out(business, next_overlap_change(business, schedule, start)),
    }


class BenchOut(Schema):
    skill_id: int
    skill: str
    depth: int
    thin: bool


@router.get("/bench", response=responses(Page[BenchOut]), auth=api_access(INTERNAL))
def list_bench(request: WorkspaceRequest, params: Query[PageParams]) -> dict[str, object]:
    """Bench depth per skill: approved or active freelancers at the workspace's bench level or better."""
    page = keyset_page(
        with_bench_depth(scoped_queryset(request, Skill), request.workspace), params.cursor, params.limit
    )
    page["items"] = [{"skill_id": s.pk, "skill": s.name, "depth": s.depth, "thin": s.depth <= 1} for s in page["items"]]
    return page

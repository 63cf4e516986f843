"""Guidance over the API: SOPs, versions and acknowledgements, pulse answers, document
types and document metadata (files are downloaded through the web view), manager training."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from sourcewise.api.access import api_access
from sourcewise.api.pagination import PageParams, keyset_page
from sourcewise.api.schemas import Id, InputSchema, Page, path_id, responses
from sourcewise.core.access import EVERYONE, FREELANCER, INTERNAL
from sourcewise.core.dates import server_today
from sourcewise.core.http import WorkspaceRequest
from sourcewise.guidance import selectors, services
from sourcewise.guidance.models import (
    SOP,
    DocumentType,
    FreelancerDocument,
    PulseResponse,
    SOPAcknowledgement,
    SOPVersion,
    TrainingRecord,
)
from sourcewise.guidance.portal import my_profile
from sourcewise.talent.models import Skill
from sourcewise.tasks.models import Task
from sourcewise.workspaces.access import scoped_object, scoped_queryset
from sourcewise.workspaces.models import Membership

router = Router(tags=["guidance"])


# SOPs ----------------------------------------------------------------------------------


class VersionOut(Schema):
    id: int
    number: int
    change_note: str
    author: str | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_author(obj: SOPVersion) -> str | None:
        return obj.author.display_name if obj.author else None


class VersionDetailOut(VersionOut):
    body: str
    html: str

    @staticmethod
    def resolve_html(obj: SOPVersion) -> str:
        return str(obj.html)


class SOPOut(Schema):
    id: int
    title: str
    skill_ids: list[int]
    task_ids: list[int]
    current_version: VersionOut | None

    @staticmethod
    def resolve_skill_ids(obj: SOP) -> list[int]:
        return [s.pk for s in obj.skills.all()]

    @staticmethod
    def resolve_task_ids(obj: SOP) -> list[int]:
        return [t.pk for t in obj.tasks.all()]


class SOPDetailOut(SOPOut):
    current_version: VersionDetailOut | None


class SOPIn(InputSchema):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=100_000, description="Markdown.")
    change_note: str = Field("First version.", min_length=1, max_length=300)
    skill_ids: list[Id] = Field([], max_length=200)
    task_ids: list[Id] = Field([], max_length=200)


class SOPUpdateIn(InputSchema):
    title: str = Field(min_length=1, max_length=200)
    skill_ids: list[Id] = Field([], max_length=200)
    task_ids: list[Id] = Field([], max_length=200)


class VersionIn(InputSchema):
    body: str = Field(min_length=1, max_length=100_000, description="Markdown.")
    change_note: str = Field(min_length=1, max_length=300, description="What this version changes, in one line.")


class AckStatusOut(Schema):
    freelancer_id: int
    freelancer: str
    acknowledged_version: int | None
    acknowledged_at: datetime.datetime | None
    is_current: bool


class AcknowledgementOut(Schema):
    id: int
    sop_id: int
    version: int
    freelancer_id: int
    acknowledged_at: datetime.datetime

    @staticmethod
    def resolve_sop_id(obj: SOPAcknowledgement) -> int:
        return obj.version.sop_id

    @staticmethod
    def resolve_version(obj: SOPAcknowledgement) -> int:
        return obj.version.number


def _attachments(
    request: WorkspaceRequest, skill_ids: list[int], task_ids: list[int]
) -> tuple[list[Skill], list[Task]]:
    skills = list(scoped_queryset(request, Skill).filter(pk__in=skill_ids))
    tasks = list(scoped_queryset(request, Task).filter(pk__in=task_ids))
    errors = {}
    if missing := sorted(set(skill_ids) - {s.pk for s in skills}):
        errors["skill_ids"] = f"Unknown skill id(s) in this workspace: {missing}."
    if missing := sorted(set(task_ids) - {t.pk for t in tasks}):
        errors["task_ids"] = f"Unknown task id(s) in this workspace: {missing}."
    if errors:
        raise ValidationError(errors)
    return skills, tasks


def _sops(request: WorkspaceRequest) -> QuerySet[SOP]:
    return selectors.sop_list(scoped_queryset(request, SOP))


@router.get("/sops", response=responses(Page[SOPOut]), auth=api_access(EVERYONE))
def list_sops(request: WorkspaceRequest, params: Query[PageParams]) -> dict[str, object]:
    """SOPs of the workspace; a freelancer gets the SOPs that apply to them."""
    return keyset_page(_sops(request), params.cursor, params.limit)


@router.post("/sops", response=responses(SOPDetailOut, 201), auth=api_access(INTERNAL))
def create_sop(request: WorkspaceRequest, payload: SOPIn) -> tuple[int, SOP]:
    skills, tasks = _attachments(request, payload.skill_ids, payload.task_ids)
    sop = services.create_sop(
        workspace=request.workspace,
        actor=request.user,
        title=payload.title,
        body=payload.body,
        change_note=payload.change_note,
        skills=skills,
        tasks=tasks,
    )
    return 201, _sops(request).get(pk=sop.pk)


@router.get("/sops/{sop_id}", response=responses(SOPDetailOut), auth=api_access(EVERYONE, {"sop_id": SOP}))
def get_sop(request: WorkspaceRequest, sop_id: int = path_id()) -> SOP:
    """An SOP with the text of its current version (markdown and sanitised HTML)."""
    return scoped_object(request, SOP, sop_id, _sops(request))


@router.put("/sops/{sop_id}", response=responses(SOPDetailOut), auth=api_access(INTERNAL, {"sop_id": SOP}))
def update_sop(request: WorkspaceRequest, payload: SOPUpdateIn, sop_id: int = path_id()) -> SOP:
    sop = scoped_object(request, SOP, sop_id)
    skills, tasks = _attachments(request, payload.skill_ids, payload.task_ids)
    services.update_sop(sop=sop, actor=request.user, title=payload.title, skills=skills, tasks=tasks)
    return _sops(request).get(pk=sop.pk)


@router.get(
    "/sops/{sop_id}/versions", response=responses(Page[VersionDetailOut]), auth=api_access(INTERNAL, {"sop_id": SOP})
)
def list_versions(request: WorkspaceRequest, params: Query[PageParams], sop_id: int = path_id()) -> dict[str, object]:
    sop = scoped_object(request, SOP, sop_id)
    versions = scoped_queryset(request, SOPVersion).filter(sop=sop).select_related("author")
    return keyset_page(versions, params.cursor, params.limit)


@router.post(
    "/sops/{sop_id}/versions", response=responses(VersionDetailOut, 201), auth=api_access(INTERNAL, {"sop_id": SOP})
)
def add_version(request: WorkspaceRequest, payload: VersionIn, sop_id: int = path_id()) -> tuple[int, SOPVersion]:
    """Publish a new current version: everyone it applies to must acknowledge it again."""
    sop = scoped_object(request, SOP, sop_id)
    return 201, services.add_sop_version(sop=sop, actor=request.user, **payload.dict())


@router.get(
    "/sops/{sop_id}/acknowledgements",
    response=responses(list[AckStatusOut]),
    auth=api_access(INTERNAL, {"sop_id": SOP}),
)
def sop_acknowledgements(request: WorkspaceRequest, sop_id: int = path_id()) -> list[dict[str, object]]:
    """Everyone the SOP applies to, with the newest version they acknowledged."""
    sop = scoped_object(request, SOP, sop_id, selectors.with_current_version(scoped_queryset(request, SOP)))
    return [
        {
            "freelancer_id": row.freelancer.pk,
            "freelancer": row.freelancer.name,
            "acknowledged_version": row.acknowledged_number,
            "acknowledged_at": row.acknowledged_at,
            "is_current": row.is_current(sop),
        }
        for row in selectors.acknowledgement_status(sop)
    ]


@router.post(
    "/sops/{sop_id}/acknowledgement",
    response=responses(AcknowledgementOut, 201),
    auth=api_access([FREELANCER], {"sop_id": SOP}),
)
def acknowledge_sop(request: WorkspaceRequest, sop_id: int = path_id()) -> tuple[int, SOPAcknowledgement]:
    """The signed-in freelancer acknowledges the current version (repeating it changes nothing)."""
    freelancer = my_profile(request)
    sop = scoped_object(request, SOP, sop_id)
    ack = services.acknowledge_sop(sop=sop, freelancer=freelancer, actor=request.user)
    return 201, SOPAcknowledgement.objects.select_related("version").get(pk=ack.pk)


@router.get("/acknowledgements", response=responses(Page[AcknowledgementOut]), auth=api_access(EVERYONE))
def list_acknowledgements(request: WorkspaceRequest, params: Query[PageParams]) -> dict[str, object]:
    rows = scoped_queryset(request, SOPAcknowledgement).select_related("version")
    return keyset_page(rows, params.cursor, params.limit)


# Pulse ---------------------------------------------------------------------------------


class PulseOut(Schema):
    id: int
    freelancer_id: int
    month: datetime.date
    score: int
    comment: str


class PulseIn(InputSchema):
    score: int = Field(ge=1, le=5, description="1 very unhappy … 5 very happy.")
    comment: str = Field("", max_length=2000)


@router.get("/pulses", response=responses(Page[PulseOut]), auth=api_access(EVERYONE))
def list_pulses(request: WorkspaceRequest, params: Query[PageParams]) -> dict[str, object]:
    """Pulse answers; a freelancer gets their own."""
    return keyset_page(scoped_queryset(request, PulseResponse), params.cursor, params.limit)


@router.put("/pulses/current", response=responses(PulseOut), auth=api_access([FREELANCER]))
def answer_pulse(request: WorkspaceRequest, payload: PulseIn) -> PulseResponse:
    """This month's answer of the signed-in freelancer (created, or changed while the month lasts)."""
    return services.answer_pulse(
        freelancer=my_profile(request), actor=request.user, today=server_today(), **payload.dict()
    )


# Documents -----------------------------------------------------------------------------


class DocumentTypeOut(Schema):
    id: int
    name: str
    description: str
    expires: bool
    required: bool


class DocumentTypeIn(InputSchema):
    name: str = Field(min_length=1, max_length=120)
    description: str = Field("", max_length=300)
    expires: bool = False
    required: bool = True


class DocumentOut(Schema):
    id: int
    freelancer_id: int
    document_type_id: int
    original_name: str
    content_type: str
    size: int
    expires_on: datetime.date | None
    uploaded_at: datetime.datetime
    download_url: str

    @staticmethod
    def resolve_download_url(obj: FreelancerDocument) -> str:
        return reverse("guidance:document_file", args=[obj.pk])


@router.get("/document-types", response=responses(Page[DocumentTypeOut]), auth=api_access(EVERYONE))
def list_document_types(request: WorkspaceRequest, params: Query[PageParams]) -> dict[str, object]:
    return keyset_page(scoped_queryset(request, DocumentType), params.cursor, params.limit)


@router.post("/document-types", response=responses(DocumentTypeOut, 201), auth=api_access(INTERNAL))
def create_document_type(request: WorkspaceRequest, payload: DocumentTypeIn) -> tuple[int, DocumentType]:
    doc_type = services.create_document_type(
        workspace=request.workspace,
        actor=request.user,
        **payload.dict(),
    )
    return 201, doc_type


@router.put(
    "/document-types/{document_type_id}",
    response=responses(DocumentTypeOut),
    auth=api_access(INTERNAL, {"document_type_id": DocumentType}),
)
def update_document_type(
    request: WorkspaceRequest, payload: DocumentTypeIn, document_type_id: int = path_id()
) -> DocumentType:
    doc_type = scoped_object(request, DocumentType, document_type_id)
    return services.update_document_type(document_type=doc_type, actor=request.user, **payload.dict())


@router.get("/documents", response=responses(Page[DocumentOut]), auth=api_access(EVERYONE))
def list_documents(request: WorkspaceRequest, params: Query[PageParams]) -> dict[str, object]:
    """Uploaded documents (metadata; download through `download_url` with a signed-in session)."""
    return keyset_page(scoped_queryset(request, FreelancerDocument), params.cursor, params.limit)


# Training ------------------------------------------------------------------------------


class TrainingOut(Schema):
    id: int
    member_id: int
    date: datetime.date
    topic: str
    notes: str


class TrainingIn(InputSchema):
    member_id: Id = Field(description="The membership id of an owner or manager.")
    date: datetime.date
    topic: str = Field(min_length=1, max_length=200)
    notes: str = Field("", max_length=4000)


@router.get("/training", response=responses(Page[TrainingOut]), auth=api_access(INTERNAL))
def list_training(request: WorkspaceRequest, params: Query[PageParams]) -> dict[str, object]:
    return keyset_page(scoped_queryset(request, TrainingRecord), params.cursor, params.limit)


@router.post("/training", response=responses(TrainingOut, 201), auth=api_access(INTERNAL))
def record_training(request: WorkspaceRequest, payload: TrainingIn) -> tuple[int, TrainingRecord]:
    member = Membership.objects.filter(workspace=request.workspace, pk=payload.member_id).first()
    if member is None:
        raise ValidationError({"member_id": "No member with this id in the workspace."})
    data = payload.dict(exclude={"member_id"})
    return 201, services.record_training(member=member, actor=request.user, **data)

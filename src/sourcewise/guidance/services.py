"""Writes of guidance, documents, pulses and training. Views, API and CLI all call these."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import Max

from sourcewise.audit.services import record, save_audited, snapshot
from sourcewise.guidance.models import (
    SOP,
    DocumentType,
    FreelancerDocument,
    PulseResponse,
    SOPAcknowledgement,
    SOPVersion,
    TrainingRecord,
)
from sourcewise.guidance.selectors import month_of
from sourcewise.talent.models import Freelancer, Skill
from sourcewise.tasks.models import Task
from sourcewise.workspaces.models import Membership, Workspace

if TYPE_CHECKING:
    from sourcewise.accounts.models import User

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ACCEPTED_TYPES = "PDF, PNG or JPEG"
DEFAULT_DOCUMENT_TYPES = (
    ("Signed agreement", "The signed contractor agreement with your business.", False),
    ("NDA", "The signed non-disclosure agreement.", False),
    ("Tax form", "Tax residency or withholding form (e.g. W-8BEN); renew it when it expires.", True),
)


# SOPs ----------------------------------------------------------------------------------


def _check_attachments(workspace: Workspace, skills: Iterable[Skill], tasks: Iterable[Task]) -> None:
    for item in [*skills, *tasks]:
        if item.workspace_id != workspace.pk:
            raise ValidationError({"skills" if isinstance(item, Skill) else "tasks": f"Unknown {item} here."})


def _check_body(body: str, change_note: str) -> None:
    errors = {}
    if not body.strip():
        errors["body"] = "Write the procedure; an SOP cannot be empty."
    if not change_note.strip():
        errors["change_note"] = "Say in a line what this version changes."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_sop(
    *,
    workspace: Workspace,
    actor: User | None,
    title: str,
    body: str,
    skills: Iterable[Skill] = (),
    tasks: Iterable[Task] = (),
    change_note: str = "First version.",
) -> SOP:
    skills, tasks = list(skills), list(tasks)
    _check_attachments(workspace, skills, tasks)
    _check_body(body, change_note)
    sop = save_audited(SOP(workspace=workspace, title=title.strip()), actor=actor, action="sop.create")
    sop.skills.set(skills)
    sop.tasks.set(tasks)
    version = SOPVersion(workspace=workspace, sop=sop, number=1, body=body, change_note=change_note.strip())
    version.author = actor if getattr(actor, "is_authenticated", False) else None
    save_audited(version, actor=actor, action="sop.version")
    sop.current_version = version
    sop.save(update_fields=["current_version", "updated_at"])
    return sop


@transaction.atomic
def update_sop(*, sop: SOP, actor: User | None, title: str, skills: Iterable[Skill], tasks: Iterable[Task]) -> SOP:
    skills, tasks = list(skills), list(tasks)
    _check_attachments(sop.workspace, skills, tasks)
    before = snapshot(sop, ["title"])
    sop.title = title.strip()
    save_audited(sop, actor=actor, action="sop.update", fields=["title", "updated_at"], before=before)
    sop.skills.set(skills)
    sop.tasks.set(tasks)
    record(
        actor=actor,
        workspace=sop.workspace,
        action="sop.attachments",
        target=sop,
        changes={"skills": sorted(s.name for s in skills), "tasks": sorted(t.name for t in tasks)},
    )
    return sop


@transaction.atomic
def add_sop_version(*, sop: SOP, actor: User | None, body: str, change_note: str) -> SOPVersion:
    """A new current version; everyone it applies to is asked to acknowledge it again."""
    _check_body(body, change_note)
    locked = SOP.objects.select_for_update().get(pk=sop.pk)  # two editors at once get numbers in turn
    if locked.current_version_id is not None:
        current = SOPVersion.objects.get(pk=locked.current_version_id)
        if current.body == body:
            raise ValidationError({"body": "Nothing changed since the current version."})
    number = (SOPVersion.objects.filter(sop=locked).aggregate(n=Max("number"))["n"] or 0) + 1
    version = SOPVersion(workspace=locked.workspace, sop=locked, number=number, body=body, change_note=change_note)
    version.change_note = change_note.strip()
    version.author = actor if getattr(actor, "is_authenticated", False) else None
    save_audited(version, actor=actor, action="sop.version")
    locked.current_version = version
    locked.save(update_fields=["current_version", "updated_at"])
    sop.current_version = version
    return version


@transaction.atomic
def acknowledge_sop(*, sop: SOP, freelancer: Freelancer, actor: User | None) -> SOPAcknowledgement:
    """The freelancer confirms they read the SOP's current version (again if it changed)."""
    if sop.workspace_id != freelancer.workspace_id:
        raise ValidationError("This SOP belongs to another workspace.")
    if sop.current_version_id is None:
        raise ValidationError("This SOP has no version to acknowledge yet.")
    ack, created = SOPAcknowledgement.objects.get_or_create(
        version_id=sop.current_version_id,
        freelancer=freelancer,
        defaults={
            "workspace_id": sop.workspace_id,
            "acknowledged_by": actor if getattr(actor, "is_authenticated", False) else None,
        },
    )
    if created:
        record(
            actor=actor,
            workspace=sop.workspace,
            action="sop.acknowledge",
            target=ack,
            changes={"sop": sop.pk, "version": ack.version.number, "freelancer": freelancer.pk},
        )
    return ack


# Documents -----------------------------------------------------------------------------


@transaction.atomic
def create_document_type(
    *,
    workspace: Workspace,
    actor: User | None,
    name: str,
    description: str = "",
    expires: bool = False,
    required: bool = True,
) -> DocumentType:
    doc_type = DocumentType(
        workspace=workspace, name=name.strip(), description=description.strip(), expires=expires, required=required
    )
    return save_audited(doc_type, actor=actor, action="document_type.create")


@transaction.atomic
def update_document_type(*, document_type: DocumentType, actor: User | None, **fields: Any) -> DocumentType:
    before = snapshot(document_type, fields)
    for name, value in fields.items():
        setattr(document_type, name, value.strip() if isinstance(value, str) else value)
    return save_audited(document_type, actor=actor, action="document_type.update", fields=fields, before=before)


@transaction.atomic
def add_default_document_types(*, workspace: Workspace, actor: User | None) -> list[DocumentType]:
    """The usual three (signed agreement, NDA, tax form); the ones that exist already are skipped."""
    existing = {n.lower() for n in DocumentType.objects.filter(workspace=workspace).values_list("name", flat=True)}
    return [
        create_document_type(workspace=workspace, actor=actor, name=name, description=description, expires=expires)
        for name, description, expires in DEFAULT_DOCUMENT_TYPES
        if name.lower() not in existing
    ]


def sniff_content_type(head: bytes) -> str | None:
    """The real type of an upload from its first bytes (never from its name)."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def check_upload(upload: IO[bytes], size: int) -> str:
    """Refuse what is not a PDF, PNG or JPEG by content, or is over 10 MB; returns the type."""
    if size <= 0:
        raise ValidationError({"file": "The file is empty."}, code="empty")
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": f"The file is {size / 1024 / 1024:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 1024 // 1024} MB."},
            code="too_big",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise ValidationError(
            {"file": f"This file is not a {ACCEPTED_TYPES} (whatever its name says). Save it as PDF and try again."},
            code="bad_type",
        )
    return content_type


@transaction.atomic
def upload_document(
    *,
    freelancer: Freelancer,
    document_type: DocumentType,
    upload: File,
    expires_on: datetime.date | None,
    actor: User | None,
    today: datetime.date | None = None,
) -> FreelancerDocument:
    if document_type.workspace_id != freelancer.workspace_id:
        raise ValidationError({"document_type": "Unknown document type in this workspace."})
    size = int(upload.size or 0)
    content_type = check_upload(upload, size)
    if document_type.expires and expires_on is None:
        raise ValidationError({"expires_on": f"The {document_type.name} expires: give its expiry date."})
    if expires_on is not None and today is not None and expires_on < today:
        raise ValidationError({"expires_on": "This document has already expired; upload a current one."})
    original = (getattr(upload, "name", "") or "document").rsplit("/", 1)[-1][:200]
    document = FreelancerDocument(
        workspace_id=freelancer.workspace_id,
        freelancer=freelancer,
        document_type=document_type,
        original_name=original,
        content_type=content_type,
        size=size,
        expires_on=expires_on if document_type.expires else None,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    document.file.save("upload", upload, save=False)  # random name under private/ws<id>/documents/
    try:
        return save_audited(document, actor=actor, action="document.upload")
    except Exception:
        document.file.delete(save=False)
        raise


# Pulse ---------------------------------------------------------------------------------


@transaction.atomic
def answer_pulse(
    *, freelancer: Freelancer, actor: User | None, score: int, comment: str = "", today: datetime.date
) -> PulseResponse:
    """This month's answer: created, or changed while the month lasts."""
    if not 1 <= int(score) <= 5:
        raise ValidationError({"score": "Choose 1 (very unhappy) to 5 (very happy)."})
    month = month_of(today)
    existing = PulseResponse.objects.select_for_update().filter(freelancer=freelancer, month=month).first()
    if existing is None:
        pulse = PulseResponse(
            workspace_id=freelancer.workspace_id, freelancer=freelancer, month=month, score=int(score), comment=comment
        )
        return save_audited(pulse, actor=actor, action="pulse.answer")
    before = snapshot(existing, ["score", "comment"])
    existing.score, existing.comment = int(score), comment
    return save_audited(
        existing, actor=actor, action="pulse.change", fields=["score", "comment", "updated_at"], before=before
    )


# Training ------------------------------------------------------------------------------


@transaction.atomic
def record_training(
    *, member: Membership, actor: User | None, date: datetime.date, topic: str, notes: str = ""
) -> TrainingRecord:
    if not member.is_internal:
        raise ValidationError({"member": "Training records are for owners and managers, not freelancers."})
    training = TrainingRecord(
        workspace_id=member.workspace_id,
        member=member,
        date=date,
        topic=topic.strip(),
        notes=notes.strip(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return save_audited(training, actor=actor, action="training.record")

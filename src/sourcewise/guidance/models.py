"""Guidance (SOPs and their acknowledgements), freelancer documents, the satisfaction pulse,
manager training records and the notification log."""

from __future__ import annotations

import uuid
from functools import cached_property
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.safestring import SafeString

from sourcewise.core.models import TimeStamped, WorkspaceQuerySet, WorkspaceScoped
from sourcewise.guidance.audiences import sops_reaching
from sourcewise.guidance.markdown import render_markdown
from sourcewise.talent.models import Freelancer

if TYPE_CHECKING:
    from sourcewise.workspaces.models import Membership


def _own_freelancer_ids(membership: Membership) -> models.QuerySet[Any]:
    return Freelancer.objects.filter(workspace_id=membership.workspace_id, user_id=membership.user_id).values("pk")


class SOPQuerySet(WorkspaceQuerySet):
    def visible_to(self, membership: Membership) -> Self:
        # A freelancer sees the SOPs that apply to them (see audiences.py).
        if membership.is_internal:
            return self
        mine = Freelancer.objects.filter(workspace_id=membership.workspace_id, user_id=membership.user_id)
        return self.filter(pk__in=self.model.objects.filter(sops_reaching(mine)).values("pk"))


class SOP(WorkspaceScoped, TimeStamped):
    """A standard operating procedure: a markdown document with versions."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="sops")
    title = models.CharField(max_length=200)
    skills = models.ManyToManyField("talent.Skill", related_name="sops", blank=True)
    tasks = models.ManyToManyField("tasks.Task", related_name="sops", blank=True)
    current_version = models.OneToOneField(
        "SOPVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = SOPQuerySet.as_manager()  # type: ignore[misc]  # a ClassVar in django-stubs

    class Meta:
        verbose_name = "SOP"
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("title"),
                "workspace",
                name="sop_unique_title_per_workspace",
                violation_error_code="duplicate",
                violation_error_message="An SOP with this title already exists in the workspace.",
            )
        ]

    def __str__(self) -> str:
        return self.title


class SOPVersionQuerySet(WorkspaceQuerySet):
    def visible_to(self, membership: Membership) -> Self:
        if membership.is_internal:
            return self
        return self.filter(sop__in=SOP.objects.for_member(membership).values("pk"))


class SOPVersion(WorkspaceScoped):
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    sop = models.ForeignKey(SOP, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    body = models.TextField(help_text="Markdown.")
    change_note = models.CharField(max_length=300)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SOPVersionQuerySet.as_manager()  # type: ignore[misc]  # a ClassVar in django-stubs

    class Meta:
        verbose_name = "SOP version"
        ordering = ["sop_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["sop", "number"],
                name="sopversion_unique_number",
                violation_error_code="duplicate",
                violation_error_message="This SOP already has a version with this number.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sop.title} v{self.number}"

    @cached_property
    def html(self) -> SafeString:

        return render_markdown(self.body)


class OwnRowsQuerySet(WorkspaceQuerySet):
    """Internal members see the workspace; a freelancer sees the rows of their own profile."""

    def visible_to(self, membership: Membership) -> Self:
        if membership.is_internal:
            return self
        return self.filter(freelancer__in=_own_freelancer_ids(membership))


class SOPAcknowledgement(WorkspaceScoped):
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(SOPVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    freelancer = models.ForeignKey("talent.Freelancer", on_delete=models.CASCADE, related_name="sop_acknowledgements")
    acknowledged_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = OwnRowsQuerySet.as_manager()  # type: ignore[misc]  # a ClassVar in django-stubs

    class Meta:
        verbose_name = "SOP acknowledgement"
        ordering = ["-acknowledged_at", "-id"]
        # The SOP page: who acknowledged its current version, newest first.
        indexes = [models.Index(fields=["version", "-acknowledged_at", "-id"], name="sopack_version_recent")]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "freelancer"],
                name="sopack_unique_version_freelancer",
                violation_error_code="duplicate",
                violation_error_message="This version is already acknowledged.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.freelancer} acknowledged {self.version}"


class EveryoneQuerySet(WorkspaceQuerySet):
    def visible_to(self, membership: Membership) -> Self:
        return self  # everyone in the workspace needs to know which documents are required


class DocumentType(WorkspaceScoped):
    """A document the workspace requires from every freelancer with a portal login."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="document_types")
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    expires = models.BooleanField(
        default=False, help_text="Tick when the document has an expiry date (e.g. a tax residency form)."
    )
    required = models.BooleanField(default=True, help_text="Untick to stop asking for it without losing uploads.")

    objects = EveryoneQuerySet.as_manager()  # type: ignore[misc]  # a ClassVar in django-stubs

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "workspace",
                name="documenttype_unique_name_per_workspace",
                violation_error_code="duplicate",
                violation_error_message="A document type with this name already exists in the workspace.",
            )
        ]

    def __str__(self) -> str:
        return self.name


def document_path(instance: FreelancerDocument, filename: str) -> str:
    """Per-workspace folder, random name; the extension comes from the sniffed type, not the upload."""
    extension = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}.get(instance.content_type, "")
    return str(PurePosixPath("private", f"ws{instance.workspace_id}", "documents", f"{uuid.uuid4().hex}{extension}"))


class FreelancerDocument(WorkspaceScoped):
    """One upload of a required document. The latest upload per type is the one that counts."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    freelancer = models.ForeignKey("talent.Freelancer", on_delete=models.CASCADE, related_name="documents")
    document_type = models.ForeignKey(DocumentType, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=document_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    expires_on = models.DateField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = OwnRowsQuerySet.as_manager()  # type: ignore[misc]  # a ClassVar in django-stubs

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["freelancer", "document_type", "-uploaded_at"], name="doc_latest")]

    def __str__(self) -> str:
        return f"{self.document_type} of {self.freelancer}"


class PulseResponse(WorkspaceScoped, TimeStamped):
    """A freelancer's monthly satisfaction answer: one per calendar month, editable in that month."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    freelancer = models.ForeignKey("talent.Freelancer", on_delete=models.CASCADE, related_name="pulses")
    month = models.DateField(help_text="The first day of the month answered for.")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(blank=True, max_length=2000)

    objects = OwnRowsQuerySet.as_manager()  # type: ignore[misc]  # a ClassVar in django-stubs

    class Meta:
        ordering = ["-month", "-id"]
        # The pulse list: a workspace's answers, newest month first.
        indexes = [models.Index(fields=["workspace", "-month"], name="pulse_workspace_month")]
        constraints = [
            models.UniqueConstraint(
                fields=["freelancer", "month"],
                name="pulse_one_per_month",
                violation_error_code="duplicate",
                violation_error_message="This month is already answered; change that answer instead.",
            ),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="pulse_score_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.freelancer} {self.month:%B %Y}: {self.score}/5"


class TrainingRecord(WorkspaceScoped):
    """Outsourcing-management training of an internal member (SPEC G2)."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("workspaces.Membership", on_delete=models.CASCADE, related_name="training_records")
    date = models.DateField()
    topic = models.CharField("what", max_length=200)
    notes = models.TextField(blank=True, max_length=4000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.topic} ({self.date:%d %b %Y})"


class Notification(WorkspaceScoped):
    """The log that makes `sourcewise notify` idempotent: one row per email ever claimed.

    The row is committed *before* the email is sent (the claim), and `sent_at` is set after
    the mail server accepted it. A row with `sent_at` empty means the run stopped between
    the two: it is never sent again automatically (never the same email twice).
    """

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=60)
    key = models.CharField(max_length=200, help_text="What the email is about, e.g. sopversion:12.")
    subject = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recipient", "key"],
                name="notification_once",
                violation_error_code="duplicate",
                violation_error_message="This notification was already sent.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient}: {self.subject}"

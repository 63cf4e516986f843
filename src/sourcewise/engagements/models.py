"""Engagements: a freelancer doing a task for the business, managed by an internal member.

Also the work inside an engagement: milestones with deliverables, checkpoint reviews,
time entries, and the handovers when a freelancer leaves.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from sourcewise.core.models import TimeStamped, WorkspaceQuerySet, WorkspaceScoped
from sourcewise.core.validators import validate_currency

if TYPE_CHECKING:
    from sourcewise.workspaces.models import Membership

RATING_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]
RATING_CHOICES = [(1, "1 — poor"), (2, "2 — weak"), (3, "3 — good"), (4, "4 — very good"), (5, "5 — excellent")]


class OwnedByFreelancerQuerySet(WorkspaceQuerySet):
    """Internal members see the workspace; a freelancer sees only rows of their own engagements."""

    freelancer_user_path = "engagement__freelancer__user_id"

    def visible_to(self, membership: Membership) -> Self:
        if membership.is_internal:
            return self
        return self.filter(**{self.freelancer_user_path: membership.user_id})


class EngagementQuerySet(OwnedByFreelancerQuerySet):
    freelancer_user_path = "freelancer__user_id"


class Engagement(WorkspaceScoped, TimeStamped):
    class Kind(models.TextChoices):
        TRIAL = "trial", "Trial"
        FULL = "full", "Full engagement"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        TERMINATED = "terminated", "Terminated"
        CANCELLED = "cancelled", "Cancelled"

    class Billing(models.TextChoices):
        HOURLY = "hourly", "Hourly"
        FIXED = "fixed", "Fixed price"

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="engagements")
    freelancer = models.ForeignKey("talent.Freelancer", on_delete=models.PROTECT, related_name="engagements")
    task = models.ForeignKey("tasks.Task", on_delete=models.PROTECT, related_name="engagements")
    # SET_NULL, not a constraint: removing a team member must not fail; an active engagement
    # left without its manager shows as a critical NO_MANAGER finding instead.
    manager = models.ForeignKey(
        "workspaces.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_engagements",
        help_text="The owner or manager of your team who runs this engagement.",
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.TRIAL)
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    billing = models.CharField(max_length=8, choices=Billing.choices, default=Billing.HOURLY)
    rate = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text="Per hour. For fixed-price work: the hourly rate the price is based on.",
    )
    currency = models.CharField(max_length=3, validators=[validate_currency], help_text="ISO 4217 code, e.g. EUR.")
    budget_cap = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Hours for hourly work; an amount in the engagement currency for fixed-price work.",
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    expected_monthly_saving = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="What you expect to save each month, in your business's currency (recorded when planning).",
    )
    # The currency of the expected saving: the workspace's (base) currency when it was entered,
    # so plans are made and compared in the business's money, not the freelancer's. Rows from
    # before this field keep the engagement currency they were entered in (migration 0002).
    expected_saving_currency = models.CharField(max_length=3, blank=True, validators=[validate_currency])
    # G6 start small: hours a trial may log and get approved; empty = the workspace's
    # trial_max_hours. Only an owner raises it, with a reason (services.set_trial_hours_cap).
    trial_hours_cap = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Hours this trial may use; empty: the workspace's trial limit.",
    )
    trial_rating = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=RATING_CHOICES, validators=RATING_VALIDATORS
    )
    completion_note = models.TextField(blank=True)
    termination_reason = models.TextField(blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = EngagementQuerySet.as_manager()  # type: ignore[misc]  # a ClassVar in django-stubs

    class Meta:
        ordering = ["-start_date", "-id"]
        # The lists' keyset order (newest start first) under each filter they offer (views.engagement_list,
        # manager_detail): any page is one index walk. They also serve the counts by state and manager.
        indexes = [
            models.Index(fields=["workspace", "start_date", "id"], name="engagement_ws_start"),
            models.Index(fields=["workspace", "state", "start_date", "id"], name="engagement_ws_state_start"),
            models.Index(fields=["freelancer", "kind", "state"], name="engagement_fl_kind_state"),
            models.Index(
                fields=["manager", "state", "workspace", "start_date", "id"], name="engagement_manager_state_start"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__gte=0),
                name="engagement_rate_not_negative",
                violation_error_message="The rate cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(budget_cap__isnull=True) | Q(budget_cap__gt=0),
                name="engagement_budget_positive",
                violation_error_message="The budget cap must be more than zero (or left empty).",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="engagement_end_after_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
            models.CheckConstraint(
                condition=Q(trial_rating__isnull=True) | Q(trial_rating__gte=1, trial_rating__lte=5, kind="trial"),
                name="engagement_rating_trial_1_5",
                violation_error_message="Only a trial gets a rating, from 1 to 5.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="trial", state="completed") | Q(trial_rating__isnull=False),
                name="engagement_completed_trial_rated",
                violation_error_message="A completed trial needs a rating from 1 to 5.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.freelancer} — {self.task} ({self.get_kind_display().lower()})"

    def clean(self) -> None:
        super().clean()
        if self.currency:
            self.currency = self.currency.strip().upper()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An expected saving is in the business's currency unless it says otherwise.
        if self.expected_monthly_saving is None:
            self.expected_saving_currency = ""
        elif not self.expected_saving_currency:
            self.expected_saving_currency = self.workspace.base_currency
        fields = kwargs.get("update_fields")
        if fields is not None and "expected_monthly_saving" in fields:
            kwargs["update_fields"] = {*fields, "expected_saving_currency"}
        super().save(*args, **kwargs)

    @property
    def trial_hour_limit(self) -> int | None:
        """Hours a trial may use (the owner's raised cap, else the workspace limit); None: not a trial."""
        if not self.is_trial:
            return None
        return self.trial_hours_cap or self.workspace.trial_max_hours

    @property
    def state_class(self) -> str:
        """CSS class of the state badge (the stylesheet's severity colours)."""
        return {"draft": "sev-info", "active": "sev-ok", "terminated": "sev-critical"}.get(self.state, "muted")

    @property
    def is_trial(self) -> bool:
        return self.kind == self.Kind.TRIAL

    @property
    def is_hourly(self) -> bool:
        return self.billing == self.Billing.HOURLY

    @property
    def budget_label(self) -> str:
        if self.budget_cap is None:
            return "no cap"
        if self.is_hourly:
            return f"{self.budget_cap.normalize():f} hours"
        return f"{self.budget_cap} {self.currency}"


class Milestone(WorkspaceScoped, TimeStamped):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"
        RETURNED = "returned", "Sent back"

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=150)
    acceptance_criteria = models.TextField(help_text="What must be true for you to accept the deliverable.")
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    deliverable_text = models.TextField(blank=True)
    deliverable_link = models.URLField(max_length=500, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    return_note = models.TextField(blank=True)

    objects = OwnedByFreelancerQuerySet.as_manager()  # type: ignore[misc]  # a ClassVar in django-stubs

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_note=""),
                name="milestone_returned_has_note",
                violation_error_message="Say what needs to change when you send a deliverable back.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def status_class(self) -> str:
        return {"submitted": "sev-info", "accepted": "sev-ok", "returned": "sev-warning"}.get(self.status, "muted")


class CheckpointReview(WorkspaceScoped, TimeStamped):
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    date = models.DateField()
    quality = models.PositiveSmallIntegerField(choices=RATING_CHOICES, validators=RATING_VALIDATORS)
    timeliness = models.PositiveSmallIntegerField(choices=RATING_CHOICES, validators=RATING_VALIDATORS)
    communication = models.PositiveSmallIntegerField(choices=RATING_CHOICES, validators=RATING_VALIDATORS)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["engagement", "date"], name="review_engagement_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(quality__gte=1, quality__lte=5)
                & Q(timeliness__gte=1, timeliness__lte=5)
                & Q(communication__gte=1, communication__lte=5),
                name="review_ratings_1_5",
                violation_error_message="Ratings go from 1 to 5.",
            ),
        ]

    def __str__(self) -> str:
        return f"Checkpoint of {self.date:%d %b %Y}"

    @property
    def average(self) -> float:
        return round((self.quality + self.timeliness + self.communication) / 3, 1)


class TimeEntry(WorkspaceScoped, TimeStamped):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for approval"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Sent back"

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="time_entries")
    date = models.DateField()
    hours = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("24"))],
        help_text="Up to 24 hours, in hundredths (1.5 = one and a half hours).",
    )
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    return_note = models.CharField(max_length=500, blank=True)

    objects = OwnedByFreelancerQuerySet.as_manager()  # type: ignore[misc]  # a ClassVar in django-stubs

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "time entries"
        indexes = [
            models.Index(fields=["engagement", "status", "date"], name="time_engagement_status_date"),
            # Hours to approve: the workspace's waiting hours, oldest first (keyset pages).
            models.Index(fields=["workspace", "status", "date", "id"], name="time_ws_status_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=24),
                name="time_hours_0_24",
                violation_error_message="Hours must be more than 0 and at most 24.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hours} h on {self.date:%d %b %Y}"

    @property
    def status_class(self) -> str:
        return {"submitted": "sev-info", "approved": "sev-ok", "returned": "sev-warning"}.get(self.status, "muted")


class Offboarding(WorkspaceScoped, TimeStamped):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    freelancer = models.OneToOneField("talent.Freelancer", on_delete=models.CASCADE, related_name="offboarding")
    reason = models.TextField(blank=True)
    leaving_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Offboarding of {self.freelancer}"


class Handover(WorkspaceScoped, TimeStamped):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        REPLACEMENT_CHOSEN = "replacement_chosen", "Replacement chosen"
        DONE = "done", "Done"

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    offboarding = models.ForeignKey(Offboarding, on_delete=models.CASCADE, related_name="handovers")
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="handovers")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    replacement = models.ForeignKey(
        "talent.Freelancer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offboarding", "engagement"],
                name="handover_unique_engagement",
                violation_error_code="duplicate",
                violation_error_message="This engagement already has a handover.",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(replacement__isnull=False),
                name="handover_replacement_when_chosen",
                violation_error_message="Choose the replacement first.",
            ),
        ]

    def __str__(self) -> str:
        return f"Handover of {self.engagement}"

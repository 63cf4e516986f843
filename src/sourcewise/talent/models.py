"""The talent network: skills and the freelancers who have them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Cast, Concat, Lower

from sourcewise.core.models import TimeStamped, WorkspaceQuerySet, WorkspaceScoped
from sourcewise.core.validators import (
    CEFR_LEVELS,
    country_name,
    language_name,
    validate_cefr,
    validate_country,
    validate_currency,
    validate_language,
    validate_timezone,
)

if TYPE_CHECKING:
    from sourcewise.workspaces.models import Membership

SKILL_LEVELS = [(1, "1 — beginner"), (2, "2 — basic"), (3, "3 — competent"), (4, "4 — advanced"), (5, "5 — expert")]
RATINGS = [(1, "1 — poor"), (2, "2 — weak"), (3, "3 — good"), (4, "4 — very good"), (5, "5 — excellent")]
CEFR_CHOICES = [(lvl, lvl) for lvl in CEFR_LEVELS]
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def cefr_rank(level: str) -> int:
    """A1 = 1 … C2 = 6; 0 for an unknown level."""
    return CEFR_LEVELS.index(level) + 1 if level in CEFR_LEVELS else 0


def default_work_days() -> list[int]:
    return [0, 1, 2, 3, 4]


def _rating_field(verbose: str, *, null: bool = False, blank: bool = False) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        verbose, choices=RATINGS, validators=[MinValueValidator(1), MaxValueValidator(5)], null=null, blank=blank
    )


class Skill(WorkspaceScoped):
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="skills")
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "workspace",
                name="skill_unique_name_per_workspace",
                violation_error_code="duplicate",
                violation_error_message="A skill with this name already exists in the workspace.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class FreelancerQuerySet(WorkspaceQuerySet):
    def visible_to(self, membership: Membership) -> Self:
        # A freelancer sees their own profile only.
        if membership.is_internal:
            return self
        return self.filter(user_id=membership.user_id)


class Freelancer(WorkspaceScoped, TimeStamped):
    class Status(models.TextChoices):
        PROSPECT = "prospect", "Prospect"
        VETTING = "vetting", "Vetting"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        LEFT = "left", "Left"

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="freelancers")
    name = models.CharField(max_length=150)
    email = models.EmailField()
    country = models.CharField(max_length=2, validators=[validate_country], help_text="ISO 3166 code, e.g. PH.")
    timezone = models.CharField(
        "time zone", max_length=64, validators=[validate_timezone], help_text="IANA name, e.g. Asia/Manila."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="freelancer_profiles"
    )
    skills: models.ManyToManyField[Skill, FreelancerSkill] = models.ManyToManyField(
        Skill, through="FreelancerSkill", related_name="freelancers", blank=True
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROSPECT)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    work_start = models.TimeField(
        "working hours start", default=datetime.time(9, 0), help_text="Local time in the freelancer's zone."
    )
    work_end = models.TimeField(
        "working hours end",
        default=datetime.time(17, 0),
        help_text="Local time; earlier than the start means the shift ends the next day.",
    )
    work_days = models.JSONField(default=default_work_days, help_text="Weekdays, Monday = 0.")
    hourly_rate = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    rate_currency = models.CharField(
        "currency", max_length=3, blank=True, validators=[validate_currency], help_text="ISO 4217, e.g. EUR."
    )
    availability_hours = models.PositiveSmallIntegerField(
        "availability (hours/week)", default=40, validators=[MaxValueValidator(168)]
    )
    notes = models.TextField(blank=True)
    # The working schedule as one value, kept by the database itself (every write path, the
    # bulk ones too): the overlap filter computes the overlap once per distinct schedule and
    # selects the people by this indexed column (`talent.search`).
    schedule_key = models.GeneratedField(
        expression=Concat(
            "timezone",
            models.Value("|"),
            Cast("work_start", models.TextField()),
            models.Value("|"),
            Cast("work_end", models.TextField()),
            models.Value("|"),
            Cast("work_days", models.TextField()),
            output_field=models.TextField(),
        ),
        output_field=models.TextField(),
        db_persist=True,
    )

    objects = FreelancerQuerySet.as_manager()  # type: ignore[misc]  # a ClassVar in django-stubs

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "workspace",
                name="freelancer_unique_email_per_workspace",
                violation_error_code="duplicate",
                violation_error_message="A freelancer with this email already exists in the workspace.",
            ),
        ]
        indexes = [
            # Each with the list's order (name, id): a filtered page, a board column, is an index range.
            models.Index(fields=["workspace", "country", "name", "id"], name="freelancer_ws_country_name"),
            models.Index(fields=["workspace", "status", "name", "id"], name="freelancer_ws_status_name"),
            models.Index(fields=["workspace", "name", "id"], name="freelancer_ws_name"),
            models.Index(fields=["workspace", "schedule_key"], name="freelancer_ws_schedule"),
            # The near misses of a ranking join every holder of a needed skill to what orders them
            # (status, hours, name): read from this index alone, not the table (P3: 99 → 77 ms).
            models.Index(
                fields=["id", "workspace", "status", "availability_hours", "name"], name="freelancer_near_miss"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        if self.country:
            self.country = self.country.upper()
        if self.email:
            self.email = self.email.strip().lower()
        if self.rate_currency:
            self.rate_currency = self.rate_currency.upper()
        if self.hourly_rate is not None and not self.rate_currency:
            errors["rate_currency"] = ["Give the currency of the hourly rate (ISO 4217, e.g. EUR)."]
        if self.work_start is not None and self.work_start == self.work_end:
            errors["work_end"] = ["Working hours must not start and end at the same time."]
        days = self.work_days
        if not isinstance(days, list) or not days or any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
            errors["work_days"] = ["Choose at least one working day (Monday to Sunday)."]
        else:
            self.work_days = sorted(set(days))
        if errors:
            raise ValidationError(errors)

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def work_days_label(self) -> str:
        return ", ".join(WEEKDAY_NAMES[d] for d in self.work_days or [])

    @property
    def is_vetted(self) -> bool:
        return self.status in VETTED_STATUSES


class FreelancerSkill(models.Model):
    freelancer = models.ForeignKey(Freelancer, on_delete=models.CASCADE, related_name="skill_levels")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="freelancer_levels")
    level = models.PositiveSmallIntegerField(
        choices=SKILL_LEVELS, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        ordering = ["skill__name"]
        constraints = [
            models.UniqueConstraint(fields=["freelancer", "skill"], name="freelancerskill_unique"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="freelancerskill_level_1_5"),
        ]
        # Matching reads who has skill S at level ≥ L from these two alone (SPEC P3).
        indexes = [
            models.Index(fields=["skill", "level", "freelancer"], name="freelancerskill_skill_level"),
            models.Index(fields=["freelancer", "skill", "level"], name="freelancerskill_person_level"),
        ]

    def __str__(self) -> str:
        return f"{self.skill} {self.level}"


VETTED_STATUSES = (Freelancer.Status.APPROVED, Freelancer.Status.ACTIVE)
# Where a freelancer may go from each status; approval also needs every vetting step.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "prospect": ("vetting", "rejected"),
    "vetting": ("approved", "rejected", "prospect"),
    "approved": ("active", "inactive", "left"),
    "rejected": ("prospect",),
    "active": ("inactive", "left"),
    "inactive": ("active", "left"),
    "left": ("inactive",),
}


class FreelancerLanguage(WorkspaceScoped):
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    freelancer = models.ForeignKey(Freelancer, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(max_length=2, validators=[validate_language], help_text="ISO 639-1, e.g. en.")
    level = models.CharField("CEFR level", max_length=2, choices=CEFR_CHOICES, validators=[validate_cefr])

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["freelancer", "language"],
                name="freelancerlanguage_unique",
                violation_error_code="duplicate",
                violation_error_message="This language is already recorded for the freelancer.",
            )
        ]
        indexes = [models.Index(fields=["language", "level"], name="freelancerlang_lang_level")]

    def __str__(self) -> str:
        return f"{self.language_name} {self.level}"

    @property
    def language_name(self) -> str:
        return language_name(self.language)


class PortfolioItem(WorkspaceScoped):
    """A piece of past work; rating it is the portfolio-review vetting step."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    freelancer = models.ForeignKey(Freelancer, on_delete=models.CASCADE, related_name="portfolio")
    title = models.CharField(max_length=150)
    url = models.URLField("link", blank=True)
    description = models.TextField(blank=True)
    rating = _rating_field("review rating", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="portfolio_rating_1_5",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Reference(WorkspaceScoped):
    """A previous client who vouches for the freelancer (G7)."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    freelancer = models.ForeignKey(Freelancer, on_delete=models.CASCADE, related_name="references")
    client_name = models.CharField("client", max_length=150)
    contact = models.CharField(max_length=200, help_text="Email or phone of the person you spoke to.")
    rating = _rating_field("rating")
    comment = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="ref_rating_1_5")]

    def __str__(self) -> str:
        return f"{self.client_name} ({self.rating}/5)"


class Interview(WorkspaceScoped):
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    freelancer = models.ForeignKey(Freelancer, on_delete=models.CASCADE, related_name="interviews")
    held_on = models.DateField("date")
    communication = _rating_field("communication")
    culture_fit = _rating_field("culture fit")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(communication__gte=1, communication__lte=5, culture_fit__gte=1, culture_fit__lte=5),
                name="interview_ratings_1_5",
            )
        ]

    def __str__(self) -> str:
        return f"Interview on {self.held_on}"


class TrialTask(WorkspaceScoped):
    """The trial step of vetting recorded by hand (e.g. a trial done before Sourcewise).

    `talent.vetting.trial_evidence` takes a completed trial engagement rated ≥ the minimum
    first and falls back to these rows, so both count the same way.
    """

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    freelancer = models.ForeignKey(Freelancer, on_delete=models.CASCADE, related_name="trials")
    title = models.CharField(max_length=150)
    completed_on = models.DateField()
    hours = models.DecimalField(
        max_digits=5, decimal_places=1, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    rating = _rating_field("rating")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="trial_rating_1_5")
        ]

    def __str__(self) -> str:
        return self.title

"""A workspace is one business; members reach it with one role each."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone as django_timezone

from sourcewise.core.access import FREELANCER, INTERNAL, MANAGER, OWNER
from sourcewise.core.validators import (
    CEFR_LEVELS,
    validate_country,
    validate_currency,
    validate_language,
    validate_timezone,
)

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def default_business_days() -> list[int]:
    return [0, 1, 2, 3, 4]


def default_languages() -> list[str]:
    return ["en"]


class VisibleWorkspaceManager(models.Manager["Workspace"]):
    """Workspaces people can see: a restore in progress (`restoring`) is nobody's yet."""

    def get_queryset(self) -> models.QuerySet[Workspace]:
        return super().get_queryset().filter(restoring=False)


class Workspace(models.Model):
    class Stage(models.TextChoices):
        IDEA = "idea", "Idea"
        STARTUP = "startup", "Startup"
        GROWTH = "growth", "Growth"
        ESTABLISHED = "established", "Established"

    name = models.CharField(max_length=120)
    home_country = models.CharField(max_length=2, validators=[validate_country])
    base_currency = models.CharField(max_length=3, validators=[validate_currency])
    timezone = models.CharField("time zone", max_length=64, validators=[validate_timezone])
    business_start = models.TimeField(default=datetime.time(9, 0))
    business_end = models.TimeField(default=datetime.time(17, 0))
    business_days = models.JSONField(default=default_business_days, help_text="Weekdays, Monday = 0.")
    working_languages = models.JSONField(default=default_languages, help_text="ISO 639-1 codes.")
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.STARTUP)
    created_at = models.DateTimeField(auto_now_add=True)
    # True while a restore writes the workspace in several transactions: invisible everywhere
    # (`objects` leaves it out, membership selectors too) until the restore's last transaction.
    restoring = models.BooleanField(default=False, db_index=True, editable=False)

    # Guardrail thresholds (SPEC §2), explained in workspaces/thresholds.py.
    checkpoint_max_days = models.PositiveSmallIntegerField(default=14, validators=[MinValueValidator(1)])
    outsourcing_share_max_pct = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    manager_max_active_engagements = models.PositiveSmallIntegerField(default=8, validators=[MinValueValidator(1)])
    min_tz_overlap_hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=Decimal("2.0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
    )
    min_language_level = models.CharField(max_length=2, choices=[(lvl, lvl) for lvl in CEFR_LEVELS], default="B2")
    fair_premium_pct = models.PositiveSmallIntegerField(default=10, validators=[MaxValueValidator(500)])
    hidden_costs_after_days = models.PositiveSmallIntegerField(default=30, validators=[MinValueValidator(1)])
    savings_shortfall_pct = models.PositiveSmallIntegerField(default=50, validators=[MaxValueValidator(100)])
    trial_max_hours = models.PositiveSmallIntegerField(default=20, validators=[MinValueValidator(1)])
    trial_max_days = models.PositiveSmallIntegerField(default=14, validators=[MinValueValidator(1)])
    trial_min_rating = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    min_references = models.PositiveSmallIntegerField(default=2)
    min_reference_average = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=Decimal("3.5"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("5"))],
    )
    bench_min_level = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    hhi_warning = models.PositiveSmallIntegerField(default=1800, validators=[MaxValueValidator(10000)])
    hhi_info = models.PositiveSmallIntegerField(default=1000, validators=[MaxValueValidator(10000)])
    max_single_share_pct = models.PositiveSmallIntegerField(
        default=50, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    unhappy_pulse_max = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    objects = VisibleWorkspaceManager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The workspace's time zone; UTC when the stored name is not a known zone."""
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    def today(self) -> datetime.date:
        """Today in the workspace's time zone: the date every rule about its data uses."""
        return django_timezone.localdate(timezone=self.zone)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.home_country:
            self.home_country = self.home_country.upper()
        if self.base_currency:
            self.base_currency = self.base_currency.upper()
        days = self.business_days
        if not isinstance(days, list) or not days or any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
            errors["business_days"] = ["Choose at least one business day (Monday to Sunday)."]
        else:
            self.business_days = sorted(set(days))
        langs = self.working_languages
        if not isinstance(langs, list) or not langs:
            errors["working_languages"] = ["Choose at least one working language."]
        else:
            for code in langs:
                try:
                    validate_language(code)
                except ValidationError as exc:
                    errors.setdefault("working_languages", []).extend(exc.messages)
            self.working_languages = [str(c).lower() for c in langs]
        if (
            self.business_start is not None
            and self.business_end is not None
            and self.business_start == self.business_end
        ):
            errors["business_end"] = ["Business hours must not start and end at the same time."]
        if self.hhi_info is not None and self.hhi_warning is not None and self.hhi_info > self.hhi_warning:
            errors["hhi_info"] = ["The notice level must not be above the warning level."]
        if errors:
            raise ValidationError(errors)


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = OWNER, "Owner"
        MANAGER = MANAGER, "Manager"
        FREELANCER = FREELANCER, "Freelancer"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    # What an hour of this person's time costs the business (wage, taxes, benefits): the
    # price of management time in the cost ledger (SPEC G5). Owner-only, like billing.
    internal_hourly_cost = models.DecimalField(
        "internal hourly cost",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Loaded cost of one hour of this person's time; prices management time in the cost ledger.",
    )
    internal_cost_currency = models.CharField(
        "currency", max_length=3, blank=True, validators=[validate_currency], help_text="ISO 4217, e.g. GBP."
    )

    class Meta:
        ordering = ["workspace__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "workspace"],
                name="membership_unique_user_workspace",
                violation_error_code="duplicate",
                violation_error_message="This person is already a member of the workspace.",
            ),
            models.CheckConstraint(
                condition=models.Q(internal_hourly_cost__isnull=True) | models.Q(internal_hourly_cost__gte=0),
                name="membership_internal_cost_not_negative",
                violation_error_message="The internal hourly cost cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} of {self.workspace}"

    @property
    def is_internal(self) -> bool:
        return self.role in INTERNAL

    @property
    def is_owner(self) -> bool:
        return self.role == OWNER

    def clean(self) -> None:
        super().clean()
        if self.internal_cost_currency:
            self.internal_cost_currency = self.internal_cost_currency.strip().upper()
        if self.internal_hourly_cost is not None and not self.internal_cost_currency:
            raise ValidationError({"internal_cost_currency": "Say which currency the internal hourly cost is in."})


class Invitation(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=12, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    freelancer = models.ForeignKey(
        "talent.Freelancer", on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "email"])]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.workspace} as {self.role}"

"""Money: exchange rates to the workspace currency and market rate benchmarks (SPEC G4).

Every amount is a `Decimal` with an ISO 4217 currency code; never a float.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from sourcewise.core.models import TimeStamped, WorkspaceScoped
from sourcewise.core.validators import country_name, validate_country, validate_currency

# Exchange rates: up to 10 digits before the point, 12 after (1 VND ≈ 0.000030 GBP keeps
# 8 significant digits; 1 GBP ≈ 33 000 VND fits too).
RATE_DIGITS = 22
RATE_PLACES = 12
# Hourly rates: up to 12 digits before the point, cents after.
MONEY_DIGITS = 14
MONEY_PLACES = 2
SMALLEST_RATE = Decimal("0.000000000001")
SMALLEST_MONEY = Decimal("0.01")


class ExchangeRate(WorkspaceScoped, TimeStamped):
    """1 unit of `currency` = `rate` units of the workspace currency, from `valid_from` on
    (until the next rate of the same currency starts)."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="exchange_rates")
    currency = models.CharField(max_length=3, validators=[validate_currency], help_text="ISO 4217 code, e.g. EUR.")
    base_currency = models.CharField(
        max_length=3, editable=False, help_text="The workspace currency the rate converts into."
    )
    rate = models.DecimalField(
        max_digits=RATE_DIGITS,
        decimal_places=RATE_PLACES,
        validators=[MinValueValidator(SMALLEST_RATE)],
        help_text="How much 1 unit of the currency is worth in your workspace currency.",
    )
    valid_from = models.DateField("valid from", help_text="The rate applies from this date until the next one.")
    source = models.CharField(max_length=200, blank=True, help_text="Where the rate comes from, e.g. your bank.")

    class Meta:
        ordering = ["currency", "-valid_from", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "base_currency", "currency", "valid_from"],
                name="exchangerate_unique_per_day",
                violation_error_code="duplicate",
                violation_error_message="There is already a rate for this currency starting on this date.",
            ),
            models.CheckConstraint(
                condition=models.Q(rate__gt=0),
                name="exchangerate_rate_positive",
                violation_error_message="An exchange rate must be more than zero.",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "currency", "valid_from"], name="exchangerate_lookup")]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} {self.base_currency} from {self.valid_from}"

    def clean(self) -> None:
        super().clean()
        if self.currency:
            self.currency = self.currency.strip().upper()
        if self.workspace_id:
            self.base_currency = self.workspace.base_currency
        if self.currency and self.currency == self.base_currency:
            raise ValidationError(
                {"currency": f"{self.currency} is your workspace currency: it always converts at exactly 1."}
            )


class RateBenchmark(WorkspaceScoped, TimeStamped):
    """The market hourly rate for a skill in a country, with where it comes from and its date."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="rate_benchmarks")
    skill = models.ForeignKey("talent.Skill", on_delete=models.CASCADE, related_name="rate_benchmarks")
    country = models.CharField(max_length=2, validators=[validate_country], help_text="ISO 3166 code, e.g. PH.")
    hourly_rate = models.DecimalField(
        "market hourly rate",
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        validators=[MinValueValidator(SMALLEST_MONEY)],
    )
    currency = models.CharField(max_length=3, validators=[validate_currency], help_text="ISO 4217 code, e.g. USD.")
    as_of = models.DateField("as of", help_text="The date the figure describes; the latest one up to a date is used.")
    source = models.CharField(max_length=200, help_text="Where the figure comes from, e.g. a survey and its year.")

    class Meta:
        ordering = ["skill__name", "country", "-as_of", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "skill", "country", "as_of"],
                name="ratebenchmark_unique_per_day",
                violation_error_code="duplicate",
                violation_error_message="There is already a benchmark for this skill and country on this date.",
            ),
            models.CheckConstraint(
                condition=models.Q(hourly_rate__gt=0),
                name="ratebenchmark_rate_positive",
                violation_error_message="A market rate must be more than zero.",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "skill", "country", "as_of"], name="ratebenchmark_lookup")]

    def __str__(self) -> str:
        return f"{self.skill} in {self.country}: {self.hourly_rate} {self.currency}/h ({self.as_of})"

    def clean(self) -> None:
        super().clean()
        if self.country:
            self.country = self.country.strip().upper()
        if self.currency:
            self.currency = self.currency.strip().upper()
        if self.skill_id and self.workspace_id and self.skill.workspace_id != self.workspace_id:
            raise ValidationError({"skill": "Unknown skill in this workspace."})
        if self.source is not None:
            self.source = self.source.strip()

    @property
    def country_name(self) -> str:
        return country_name(self.country)

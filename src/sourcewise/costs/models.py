"""The true cost of outsourcing (SPEC G5): the cost ledger, its monthly summary, invoices.

* `CostEntry` — one cost: a category, a date, an exact amount in an ISO 4217 currency, for
  the workspace, a task or an engagement. Generated and imported rows carry a `source` key
  so posting or importing again finds them instead of adding them twice.
* `CostMonth` — the monthly summary the reports read: one row per (month, category,
  engagement, task, currency) with the total and the number of entries, changed in the
  same transaction as every ledger write (see `costs/ledger.py`).
* `Invoice` / `InvoiceLine` — a freelancer's invoice for one month of an engagement,
  draft → sent → paid. Sent and paid invoices are where that month's fees come from.
* `CostReportStamp` / `StoredCostReport` — the dashboard's report kept per period, valid while
  the stamp's version (bumped in every write's transaction) and the rates and tasks are unchanged.
"""

from __future__ import annotations

import calendar
import datetime
import functools
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from sourcewise.core.models import TimeStamped, WorkspaceScoped
from sourcewise.core.validators import validate_currency
from sourcewise.engagements.models import OwnedByFreelancerQuerySet

AMOUNT_DIGITS = 14
AMOUNT_PLACES = 2
MAX_AMOUNT = Decimal("999999999999.99")
CENT = Decimal("0.01")


class Category(models.TextChoices):
    FEES = "fees", "Fees"
    PLATFORM_FEES = "platform_fees", "Platform & payment fees"
    TOOLS = "tools", "Tools & IT"
    LICENCES = "licences", "Software licences"
    HARDWARE = "hardware", "Hardware"
    TRAINING = "training", "Training"
    COMMUNICATION = "communication", "Communication"
    RECRUITING = "recruiting", "Recruiting & vetting"
    MANAGEMENT = "management", "Management time"
    OTHER = "other", "Other"


# Everything that is not the freelancer's fee: what "hidden costs" means in SPEC G5.
OVERHEAD = tuple(c for c in Category.values if c != Category.FEES)
# Money paid for a freelancer's work: what spend concentration (SPEC G8) is measured on.
SPEND_CATEGORIES = (Category.FEES.value, Category.PLATFORM_FEES.value)


def cents(amount: Decimal) -> Decimal:
    """The amount rounded to the cent, half up."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


@functools.lru_cache(maxsize=4096)
def _days_in(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=_days_in(day.year, day.month))


class CostEntry(WorkspaceScoped, TimeStamped):
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="cost_entries")
    engagement = models.ForeignKey(
        "engagements.Engagement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cost_entries",
        help_text="The engagement this cost belongs to; leave empty for a cost of the whole workspace.",
    )
    task = models.ForeignKey(
        "tasks.Task",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cost_entries",
        help_text="Taken from the engagement when there is one.",
    )
    category = models.CharField(max_length=16, choices=Category.choices)
    date = models.DateField(help_text="When the cost arose; its exchange rate is the one valid on this date.")
    amount = models.DecimalField(
        max_digits=AMOUNT_DIGITS,
        decimal_places=AMOUNT_PLACES,
        validators=[MinValueValidator(CENT)],
        help_text="Exact amount in its own currency.",
    )
    currency = models.CharField(max_length=3, validators=[validate_currency], help_text="ISO 4217 code, e.g. EUR.")
    description = models.CharField(max_length=300, blank=True)
    # Management time: whose hours and how many (the amount is hours × their internal cost).
    manager = models.ForeignKey(
        "workspaces.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="management_costs",
        help_text="For management time: the owner or manager whose hours these are.",
    )
    hours = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(CENT)],
        help_text="For management time: hours spent managing.",
    )
    # Idempotency key of generated and imported rows ("fees:hours:12:2026-03", "import:…");
    # empty for rows typed in by hand.
    source = models.CharField(max_length=120, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "cost entries"
        indexes = [
            models.Index(fields=["workspace", "date"], name="costentry_ws_date"),
            models.Index(fields=["engagement", "category", "date"], name="costentry_eng_cat_date"),
            # The ledger's filters, each read newest first (SPEC P6 at 1,000,000 entries).
            models.Index(fields=["workspace", "category", "date"], name="costentry_ws_cat_date"),
            models.Index(fields=["workspace", "currency", "date"], name="costentry_ws_cur_date"),
            models.Index(fields=["task", "date"], name="costentry_task_date"),
            models.Index(fields=["engagement", "date"], name="costentry_eng_date"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "source"],
                condition=~Q(source=""),
                name="costentry_unique_source",
                violation_error_code="duplicate",
                violation_error_message="This cost was already recorded (same source key).",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="costentry_amount_positive",
                violation_error_message="A cost must be more than zero.",
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gt=0),
                name="costentry_hours_positive",
                violation_error_message="Hours must be more than zero.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount} {self.currency} on {self.date}"

    @property
    def is_generated(self) -> bool:
        """Posted by Sourcewise from hours, milestones or invoices: change those, not the entry."""
        return self.source.startswith("fees:")

    @property
    def month(self) -> datetime.date:
        return month_start(self.date)

    def clean(self) -> None:
        super().clean()
        if self.currency:
            self.currency = self.currency.strip().upper()
        if self.description is not None:
            self.description = self.description.strip()
        errors: dict[str, str] = {}
        # Each relation is read only when its id is set (so it is not None there).
        if (
            self.engagement_id
            and self.workspace_id
            and (engagement := self.engagement)
            and engagement.workspace_id != self.workspace_id
        ):
            errors["engagement"] = "Unknown engagement in this workspace."
        if self.task_id and self.workspace_id and (task := self.task) and task.workspace_id != self.workspace_id:
            errors["task"] = "Unknown task in this workspace."
        if (
            self.manager_id
            and self.workspace_id
            and (manager := self.manager)
            and manager.workspace_id != self.workspace_id
        ):
            errors["manager"] = "Unknown member of this workspace."
        if errors:
            raise ValidationError(errors)


class CostMonth(WorkspaceScoped):
    """The ledger summed per (month, category, engagement, task, currency), in the entries' currency.

    Never written by hand: `costs.ledger` adds and subtracts in the transaction of each
    ledger write, so a report reads a few hundred rows instead of a million entries.
    """

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    bucket = models.CharField(max_length=80, help_text="month|category|engagement|task|currency")
    month = models.DateField()
    category = models.CharField(max_length=16, choices=Category.choices)
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    task = models.ForeignKey("tasks.Task", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal("0"))
    entries = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["month", "category", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "bucket"], name="costmonth_unique_bucket"),
        ]
        indexes = [models.Index(fields=["workspace", "month"], name="costmonth_ws_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.category} {self.total} {self.currency}"


class CostReportStamp(models.Model):
    """The version of a workspace's cost report inputs (its ledger summary and engagements).

    Bumped in the transaction of every write that changes them (`costs.ledger.apply` and
    `rebuild`, an engagement saved or deleted), so a stored report made before the write is
    never shown after it (`costs.stored_reports`)."""

    workspace = models.OneToOneField(
        "workspaces.Workspace", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"cost data v{self.version}"


class StoredCostReport(WorkspaceScoped):
    """The cost dashboard's figures for one period, as computed at `inputs` (the stamp's version
    and a digest of the exchange rates and tasks read); derived data, never backed up."""

    key = models.CharField(max_length=80, help_text="length of the period|currency")
    inputs = models.CharField(max_length=80)
    payload = models.JSONField()
    ranked = models.JSONField(default=list, help_text="Every engagement with costs, the costliest first.")
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="storedcostreport_unique_key")]

    def __str__(self) -> str:
        return f"cost report {self.key} at {self.inputs}"


class Invoice(WorkspaceScoped, TimeStamped):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        PAID = "paid", "Paid"

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="invoices")
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.PROTECT, related_name="invoices")
    month = models.DateField(help_text="The month of work the invoice is for (its first day).")
    currency = models.CharField(max_length=3, validators=[validate_currency])
    state = models.CharField(max_length=5, choices=State.choices, default=State.DRAFT)
    total = models.DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES, default=Decimal("0"))
    sent_on = models.DateField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    amount_paid = models.DecimalField(
        max_digits=AMOUNT_DIGITS,
        decimal_places=AMOUNT_PLACES,
        null=True,
        blank=True,
        help_text="What was actually paid, in the invoice currency.",
    )
    note = models.CharField(max_length=500, blank=True)
    sequence = models.PositiveIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="The invoice's number within its workspace (1, 2, 3, …); empty only for an invoice restored "
        "from a backup made before invoices were numbered per workspace.",
    )

    objects = OwnedByFreelancerQuerySet.as_manager()  # type: ignore[misc]  # a ClassVar in django-stubs

    class Meta:
        ordering = ["-month", "-id"]
        indexes = [
            models.Index(fields=["workspace", "month"], name="invoice_ws_month"),
            models.Index(fields=["workspace", "state", "month"], name="invoice_ws_state_month"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "sequence"],
                name="invoice_number_unique_in_workspace",
                violation_error_code="duplicate",
                violation_error_message="Another invoice of this workspace has this number.",
            ),
            models.UniqueConstraint(
                fields=["engagement", "month"],
                name="invoice_one_per_engagement_month",
                violation_error_code="duplicate",
                violation_error_message="This engagement already has an invoice for this month.",
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(sent_on__isnull=False),
                name="invoice_sent_has_date",
                violation_error_message="A sent invoice needs the date it was sent.",
            ),
            models.CheckConstraint(
                condition=~Q(state="paid") | Q(paid_on__isnull=False, amount_paid__gt=0),
                name="invoice_paid_has_date_amount",
                violation_error_message="A paid invoice needs the payment date and the amount paid.",
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0),
                name="invoice_total_not_negative",
                violation_error_message="An invoice total cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"Invoice {self.number}"

    @property
    def number(self) -> str:
        """Counts the workspace's own invoices: it says nothing about the instance's other customers."""
        if self.sequence is None:
            return f"{self.month:%Y%m}-unnumbered"
        return f"{self.month:%Y%m}-{self.sequence:05d}"

    @property
    def period_end(self) -> datetime.date:
        return month_end(self.month)

    @property
    def state_class(self) -> str:
        return {"draft": "sev-info", "sent": "sev-warning", "paid": "sev-ok"}[self.state]

    @property
    def fee_amount(self) -> Decimal:
        """What the ledger counts as the fee of the month: paid amount once paid, else the total."""
        if self.state == self.State.PAID and self.amount_paid is not None:
            return self.amount_paid
        return self.total


class InvoiceLineQuerySet(OwnedByFreelancerQuerySet):
    freelancer_user_path = "invoice__engagement__freelancer__user_id"


class InvoiceLine(WorkspaceScoped):
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)

    objects = InvoiceLineQuerySet.as_manager()  # type: ignore[misc]  # a ClassVar in django-stubs

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description

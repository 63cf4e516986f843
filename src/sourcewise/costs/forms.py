from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms

from sourcewise.core.access import INTERNAL
from sourcewise.core.dates import server_today
from sourcewise.core.forms import CurrencyField, bounded_formfield
from sourcewise.costs.models import AMOUNT_DIGITS, AMOUNT_PLACES, MAX_AMOUNT, Category, CostEntry
from sourcewise.engagements.models import Engagement
from sourcewise.tasks.models import Task
from sourcewise.workspaces.models import Membership, Workspace

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH_INPUT = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
MONEY_INPUT = forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})


def _engagements(workspace: Workspace) -> Any:
    return (
        Engagement.objects.in_workspace(workspace)
        .exclude(state=Engagement.State.CANCELLED)
        .select_related("freelancer", "task")
        .order_by("freelancer__name", "-start_date")
    )


class MonthField(forms.DateField):
    """YYYY-MM (the browser's month input) or a full date; gives the month's first day."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MONTH_INPUT)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime.date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day else None


class CostEntryForm(forms.ModelForm):
    currency = CurrencyField(required=False, help_text="Not needed for management time given in hours.")
    amount = forms.DecimalField(
        required=False,
        max_digits=AMOUNT_DIGITS,
        decimal_places=AMOUNT_PLACES,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        widget=MONEY_INPUT,
        help_text="Not needed for management time given in hours (hours × the manager's internal cost).",
    )

    class Meta:
        formfield_callback = bounded_formfield
        model = CostEntry
        fields = ["category", "date", "amount", "currency", "engagement", "task", "manager", "hours", "description"]
        widgets = {"date": DATE_INPUT, "hours": forms.NumberInput(attrs={"step": "0.25", "min": "0"})}

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.workspace = workspace
        self.fields["engagement"].queryset = _engagements(workspace)  # type: ignore[attr-defined]
        self.fields["task"].queryset = Task.objects.in_workspace(workspace).order_by("name")  # type: ignore[attr-defined]
        self.fields["manager"].queryset = (  # type: ignore[attr-defined]
            Membership.objects.filter(workspace=workspace, role__in=INTERNAL).select_related("user").order_by("pk")
        )
        self.fields["manager"].label_from_instance = lambda m: (  # type: ignore[attr-defined]
            f"{m.user.display_name} ({m.internal_hourly_cost} {m.internal_cost_currency}/h)"
            if m.internal_hourly_cost is not None
            else f"{m.user.display_name} (no internal cost set)"
        )
        self.fields[
            "category"
        ].help_text = "Fees of an engagement are posted for you from its hours, milestones and invoices."
        if not self.instance.pk:
            self.fields["date"].initial = server_today()
            self.fields["currency"].initial = workspace.base_currency

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what ModelForm.clean() returns
        management = data.get("category") == Category.MANAGEMENT and data.get("manager") and data.get("hours")
        if not management:
            if data.get("amount") is None and "amount" not in self.errors:
                self.add_error("amount", "Enter the amount.")
            if not data.get("currency") and "currency" not in self.errors:
                self.add_error("currency", "Choose the currency.")
        return data

    def _post_clean(self) -> None:
        """The service validates the entry (amount from hours, task from engagement) and saves it."""

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in (
                "category",
                "date",
                "amount",
                "currency",
                "description",
                "engagement",
                "task",
                "manager",
                "hours",
            )
        } | {"currency": data.get("currency") or "", "description": data.get("description") or ""}


class LedgerFilterForm(forms.Form):
    category = forms.ChoiceField(choices=[("", "All categories"), *Category.choices], required=False)
    # A number, not a list: a workspace can hold 100,000 engagements (links from an engagement set it).
    engagement = forms.ModelChoiceField(
        queryset=Engagement.objects.none(),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric", "class": "narrow"}),
        label="Engagement #",
        error_messages={"invalid_choice": "Unknown engagement in this workspace."},
    )
    task = forms.ModelChoiceField(queryset=Task.objects.none(), required=False, empty_label="All tasks")
    currency = forms.CharField(max_length=3, required=False)
    date_from = forms.DateField(required=False, widget=DATE_INPUT, label="From")
    date_to = forms.DateField(required=False, widget=DATE_INPUT, label="To")
    q = forms.CharField(max_length=100, required=False, label="Description")

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["engagement"].queryset = Engagement.objects.in_workspace(workspace)  # type: ignore[attr-defined]
        # Only what an option shows: the filter lists every task of the workspace on every page.
        tasks = Task.objects.in_workspace(workspace).only("pk", "name").order_by("name")
        self.fields["task"].queryset = tasks  # type: ignore[attr-defined]


class CsvUploadForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="UTF-8 text with a header line, at most 5 MB.")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("The file is larger than 5 MB: split it into smaller files.")
        return upload


class InvoiceForm(forms.Form):
    engagement = forms.ModelChoiceField(queryset=Engagement.objects.none())
    month = MonthField(help_text="The month of work. Lines come from its approved hours or accepted milestones.")
    extra_description = forms.CharField(max_length=300, required=False, label="Extra line")
    extra_amount = forms.DecimalField(
        required=False,
        max_digits=AMOUNT_DIGITS,
        decimal_places=AMOUNT_PLACES,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        widget=MONEY_INPUT,
        label="Extra line amount",
        help_text="In the engagement currency, e.g. a fixed monthly fee agreed outside milestones.",
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["engagement"].queryset = _engagements(workspace).exclude(  # type: ignore[attr-defined]
            state=Engagement.State.DRAFT
        )
        self.fields["month"].initial = server_today().replace(day=1)


class SendInvoiceForm(forms.Form):
    sent_on = forms.DateField(widget=DATE_INPUT, label="Sent on")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sent_on"].initial = server_today()


class PaidInvoiceForm(forms.Form):
    paid_on = forms.DateField(widget=DATE_INPUT, label="Paid on")
    amount_paid = forms.DecimalField(
        max_digits=AMOUNT_DIGITS,
        decimal_places=AMOUNT_PLACES,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        widget=MONEY_INPUT,
        label="Amount paid",
        help_text="What the freelancer actually received, in the invoice currency.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = server_today()


class MemberCostForm(forms.Form):
    hourly_cost = forms.DecimalField(
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=MONEY_INPUT,
        label="Internal hourly cost",
        help_text="Wage plus taxes and benefits per hour. Leave empty to clear.",
    )
    currency = CurrencyField(required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean() returns
        if data.get("hourly_cost") is not None and not data.get("currency"):
            self.add_error("currency", "Choose the currency.")
        return data


PERIOD_CHOICES = [(3, "Last 3 months"), (6, "Last 6 months"), (12, "Last 12 months"), (24, "Last 24 months")]


class PeriodForm(forms.Form):
    months = forms.TypedChoiceField(
        choices=PERIOD_CHOICES,
        coerce=int,
        required=False,
        empty_value=6,  # type: ignore[arg-type]  # django-stubs allows only str | None; any value works
        initial=6,
    )

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, cast

from django import forms

from sourcewise.core.dates import server_today
from sourcewise.core.forms import CountryField, CurrencyField, bounded_formfield
from sourcewise.money.csv_import import MAX_BYTES
from sourcewise.money.models import MONEY_DIGITS, MONEY_PLACES, ExchangeRate, RateBenchmark
from sourcewise.talent.models import Freelancer, Skill
from sourcewise.tasks.models import Task
from sourcewise.workspaces.models import Workspace

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ExchangeRateForm(forms.ModelForm):
    currency = CurrencyField()

    class Meta:
        formfield_callback = bounded_formfield
        model = ExchangeRate
        fields = ["currency", "rate", "valid_from", "source"]
        widgets = {"valid_from": DATE_INPUT, "rate": forms.NumberInput(attrs={"step": "any", "min": "0"})}

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.workspace = workspace
        self.fields["rate"].label = f"Rate (in {workspace.base_currency} for 1 unit of the currency)"
        currency = cast(CurrencyField, self.fields["currency"])
        offered = cast(list[tuple[str, str]], currency.choices)  # CurrencyField's choices are (code, name) pairs
        currency.choices = [c for c in offered if c[0] != workspace.base_currency]
        if not self.instance.pk:
            self.fields["valid_from"].initial = server_today()


class RateBenchmarkForm(forms.ModelForm):
    country = CountryField()
    currency = CurrencyField()

    class Meta:
        formfield_callback = bounded_formfield
        model = RateBenchmark
        fields = ["skill", "country", "hourly_rate", "currency", "as_of", "source"]
        widgets = {"as_of": DATE_INPUT, "hourly_rate": forms.NumberInput(attrs={"step": "0.01", "min": "0"})}

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.workspace = workspace
        self.fields["skill"].queryset = Skill.objects.in_workspace(workspace)  # type: ignore[attr-defined]
        if not self.instance.pk:
            self.fields["currency"].initial = workspace.base_currency
            self.fields["as_of"].initial = server_today()


class CsvUploadForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="UTF-8 text with a header line, at most 5 MB.")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB: split it into smaller files.")
        return upload


class FairBandForm(forms.Form):
    """The fair-band check: all fields in the query string, so the page can be linked to."""

    skill = forms.ModelChoiceField(queryset=Skill.objects.none(), empty_label="Choose a skill")
    country = CountryField(label="Freelancer's country")
    rate = forms.DecimalField(
        label="Hourly rate",
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )
    currency = CurrencyField()
    on = forms.DateField(label="On date", required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skill"].queryset = Skill.objects.in_workspace(workspace)  # type: ignore[attr-defined]
        self.fields["currency"].initial = workspace.base_currency
        self.fields["on"].initial = server_today()
        self.fields["on"].help_text = "Exchange rates and benchmarks valid on this date are used."

    def clean_on(self) -> datetime.date:
        return self.cleaned_data.get("on") or server_today()


class RateLookupForm(forms.Form):
    """Which rate converts a currency on a date, and where it comes from (the exchange-rates page)."""

    rate_currency = CurrencyField(label="Currency")
    rate_on = forms.DateField(label="On date", required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rate_on"].help_text = "Today when left empty."


class EngagementBandForm(forms.Form):
    """The fair band of the rate being typed on the engagement form (same field names)."""

    freelancer = forms.ModelChoiceField(queryset=Freelancer.objects.none())
    task = forms.ModelChoiceField(queryset=Task.objects.none())
    rate = forms.DecimalField(
        max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, min_value=Decimal("0.01"), label="Hourly rate"
    )
    currency = CurrencyField()
    start_date = forms.DateField(required=False)

    FIELDS = ("freelancer", "task", "rate", "currency")

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["freelancer"].queryset = Freelancer.objects.in_workspace(workspace)  # type: ignore[attr-defined]
        self.fields["task"].queryset = Task.objects.in_workspace(workspace)  # type: ignore[attr-defined]

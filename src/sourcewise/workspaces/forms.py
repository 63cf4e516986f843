from __future__ import annotations

from typing import Any, cast

from django import forms

from sourcewise.accounts.forms import AccountFields
from sourcewise.core.forms import (
    CountryDefaultsMixin,
    CountryField,
    CurrencyField,
    LanguagesField,
    TimezoneField,
    bounded_formfield,
)
from sourcewise.core.guardrails import GUARDRAILS
from sourcewise.workspaces.models import WEEKDAYS, Membership, Workspace
from sourcewise.workspaces.thresholds import THRESHOLDS

PROFILE_FIELDS = [
    "name",
    "home_country",
    "base_currency",
    "timezone",
    "stage",
    "business_start",
    "business_end",
    "business_days",
    "working_languages",
]
THRESHOLD_FIELDS = [t.field for t in THRESHOLDS]


class WorkspaceForm(CountryDefaultsMixin, forms.ModelForm):
    country_defaults = ("home_country", "base_currency", "timezone")
    home_country = CountryField(label="Home country")
    base_currency = CurrencyField(label="Base currency")
    timezone = TimezoneField(label="Time zone")
    business_days = forms.TypedMultipleChoiceField(
        choices=list(enumerate(WEEKDAYS)), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    working_languages = LanguagesField(help_text="Freelancers need one of these at the minimum level.")

    class Meta:
        formfield_callback = bounded_formfield
        model = Workspace
        fields = PROFILE_FIELDS + THRESHOLD_FIELDS
        widgets = {
            "business_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "business_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for threshold in THRESHOLDS:
            field = self.fields[threshold.field]
            field.label = threshold.label
            field.help_text = f"{threshold.explanation} Default: {threshold.default}."

    def threshold_groups(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        """(guardrail title, guardrail key, its threshold fields): the title is what people read first."""
        groups: dict[str, list[forms.BoundField]] = {}
        for threshold in THRESHOLDS:
            groups.setdefault(threshold.guardrail, []).append(self[threshold.field])
        # "—": a threshold of no guardrail in particular (the satisfaction pulse: running the work).
        return [
            (GUARDRAILS[key].title if key in GUARDRAILS else GUARDRAILS["OPS"].title, key, fields)
            for key, fields in groups.items()
        ]

    def profile_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in PROFILE_FIELDS]


class NewWorkspaceForm(CountryDefaultsMixin, forms.ModelForm):
    country_defaults = ("home_country", "base_currency", "timezone")
    home_country = CountryField(label="Home country")
    base_currency = CurrencyField(label="Base currency")
    timezone = TimezoneField(label="Time zone")

    class Meta:
        formfield_callback = bounded_formfield
        model = Workspace
        fields = ["name", "home_country", "base_currency", "timezone", "stage"]


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(
        choices=Membership.Role.choices,
        help_text="A manager runs engagements, the talent network and SOPs, but not the workspace's settings, "
        "backups or team; an owner can do everything.",
    )

    def __init__(self, *args: Any, allowed_roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = cast(forms.ChoiceField, self.fields["role"])
        role.choices = [(v, label) for v, label in Membership.Role.choices if v in allowed_roles]
        # Preselected: the least an internal colleague needs, never the owner's everything (the first
        # choice, which an owner sending an invitation without looking would otherwise give away).
        role.initial = Membership.Role.MANAGER if Membership.Role.MANAGER in allowed_roles else allowed_roles[0]
        if Membership.Role.OWNER not in allowed_roles:
            role.help_text = "The owner invites managers and owners."


class SignupForm(CountryDefaultsMixin, AccountFields):
    """Sign-up never says whether the address has an account: the answer is an email either way."""

    country_defaults = ("home_country", "base_currency", "timezone")

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    workspace_name = forms.CharField(label="Business name", max_length=120)
    home_country = CountryField(label="Home country")
    base_currency = CurrencyField(label="Currency you report in")
    timezone = TimezoneField(label="Your time zone")
    stage = forms.ChoiceField(
        choices=Workspace.Stage.choices,
        initial=Workspace.Stage.STARTUP,
        help_text="Idea and startup businesses must keep their core work in-house.",
    )


class ConfirmSignupForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
        help_text="The password you chose when you signed up.",
    )

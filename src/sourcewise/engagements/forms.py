"""Forms of the engagement pages. They only validate input; services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from sourcewise.core.access import INTERNAL
from sourcewise.core.dates import server_today
from sourcewise.core.forms import CurrencyField
from sourcewise.engagements.guards import assignable_managers
from sourcewise.engagements.models import RATING_CHOICES, Engagement, Handover
from sourcewise.talent.models import Freelancer
from sourcewise.tasks.models import Task
from sourcewise.workspaces.models import Membership, Workspace

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RATING_FIELD_CHOICES = [("", "—"), *[(str(v), label) for v, label in RATING_CHOICES]]


class ManagerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user.full_name or obj.user.email} ({obj.get_role_display().lower()})"


class EngagementForm(forms.Form):
    freelancer = forms.ModelChoiceField(queryset=Freelancer.objects.none())
    task = forms.ModelChoiceField(queryset=Task.objects.none())
    manager = ManagerChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        help_text="Who on your team runs it. It cannot start without one.",
    )
    kind = forms.ChoiceField(
        choices=Engagement.Kind.choices,
        help_text="A freelancer's first engagement with you is a small trial.",
    )
    billing = forms.ChoiceField(choices=Engagement.Billing.choices)
    rate = forms.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, help_text=Engagement._meta.get_field("rate").help_text
    )
    currency = CurrencyField()
    budget_cap = forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=Engagement._meta.get_field("budget_cap").help_text,
    )
    start_date = forms.DateField(widget=DATE)
    end_date = forms.DateField(widget=DATE, required=False)
    expected_monthly_saving = forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=Engagement._meta.get_field("expected_monthly_saving").help_text,
    )

    def __init__(self, *args: Any, workspace: Workspace, member: Membership | None = None, **kwargs: Any) -> None:
        """`member` is who fills it in: a manager is offered only themself as the manager
        (the services refuse anyone else; only an owner hands an engagement to another)."""
        super().__init__(*args, **kwargs)
        self.fields["freelancer"].queryset = Freelancer.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        self.fields["task"].queryset = Task.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        manager = cast("forms.ModelChoiceField[Membership]", self.fields["manager"])
        manager.queryset = (
            Membership.objects.filter(workspace=workspace, role__in=INTERNAL).select_related("user").order_by("id")
        )
        if member is not None and not member.is_owner:
            # Offered: only whom the services accept. Anyone else sent anyway is refused by the
            # service itself (403, audited), not silently by the form.
            offered = assignable_managers(member).select_related("user").order_by("id")
            choices: list[tuple[int | str, str]] = [("", "---------")]
            choices += [(m.pk, manager.label_from_instance(m)) for m in offered]
            cast(forms.Select, manager.widget).choices = choices
            manager.help_text = "You run the engagements you plan; an owner can hand one to another manager."
        if member is not None and not self.is_bound and "manager" not in self.initial:
            # Whoever plans the work runs it unless they choose someone else: in a small business
            # that is usually the owner, and an engagement without a manager cannot start.
            self.initial["manager"] = member.pk
        if not self.is_bound and "currency" not in self.initial:
            self.initial["currency"] = workspace.base_currency
        # The expected saving is the business's figure, so it is entered in the business's currency.
        saving = self.fields["expected_monthly_saving"]
        saving.label = f"Expected monthly saving ({workspace.base_currency})"
        saving.help_text = (
            f"What you expect to save each month, in {workspace.base_currency} (your business's currency)."
        )


class TrialCapForm(forms.Form):
    trial_hours_cap = forms.IntegerField(
        min_value=1,
        max_value=32767,
        required=False,
        label="Hours this trial may use",
        help_text="Empty: back to the workspace's trial limit.",
    )
    reason = forms.CharField(max_length=500, help_text="Why this trial needs another cap (kept in the audit log).")


class CompleteForm(forms.Form):
    trial_rating = forms.TypedChoiceField(
        choices=RATING_FIELD_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        label="Trial rating",
        help_text="How well did the trial go? 3 or more lets a full engagement follow.",
    )
    completion_note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000)


class TerminateForm(forms.Form):
    termination_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="Why does it end early?"
    )


class MilestoneForm(forms.Form):
    title = forms.CharField(max_length=150)
    acceptance_criteria = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="What must be true for you to accept the work.",
    )
    due_date = forms.DateField(widget=DATE)


class DeliverableForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10000, label="What you deliver")
    link = forms.URLField(
        required=False,
        max_length=500,
        label="Link (optional)",
        assume_scheme="https",
        widget=forms.TextInput(attrs={"inputmode": "url", "placeholder": "https://…"}),
    )


class ReturnForm(forms.Form):
    note = forms.CharField(max_length=500, label="What needs to change")


class ReviewForm(forms.Form):
    date = forms.DateField(widget=DATE)
    quality = forms.TypedChoiceField(choices=RATING_FIELD_CHOICES[1:], coerce=int)
    timeliness = forms.TypedChoiceField(choices=RATING_FIELD_CHOICES[1:], coerce=int)
    communication = forms.TypedChoiceField(choices=RATING_FIELD_CHOICES[1:], coerce=int)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = server_today()


class TimeEntryForm(forms.Form):
    date = forms.DateField(widget=DATE)
    hours = forms.DecimalField(max_digits=4, decimal_places=2, min_value=0.01, max_value=24)
    note = forms.CharField(max_length=500, required=False, label="What you worked on")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = server_today()


Shown = list[tuple[int, str]]  # (freelancer id, name) offered in a select


def _bounded_choices(field: forms.Field, shown: Shown | None) -> None:
    """Offer only `shown` in the select (a workspace has up to 100,000 freelancers: a select of all
    of them is megabytes of HTML); the field still accepts any freelancer of its queryset."""
    if shown is not None:
        field.widget.choices = [("", "---------"), *shown]


class OffboardingForm(forms.Form):
    freelancer = forms.ModelChoiceField(queryset=Freelancer.objects.none(), label="Who is leaving")
    leaving_on = forms.DateField(widget=DATE, required=False, label="Last working day")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)

    def __init__(self, *args: Any, workspace: Workspace, shown: Shown | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["freelancer"].queryset = Freelancer.objects.filter(  # type: ignore[attr-defined]
            workspace=workspace, offboarding__isnull=True
        )
        _bounded_choices(self.fields["freelancer"], shown)


class HandoverForm(forms.Form):
    status = forms.ChoiceField(choices=Handover.Status.choices)
    replacement = forms.ModelChoiceField(queryset=Freelancer.objects.none(), required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000)

    def __init__(self, *args: Any, workspace: Workspace, shown: Shown | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["replacement"].queryset = Freelancer.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        _bounded_choices(self.fields["replacement"], shown)


class AssignManagerForm(forms.Form):
    """The one-field form of the NO_MANAGER fix: who on the team runs this engagement.

    Any team member of the workspace validates here; whether the actor may name them is the
    service's call (a manager naming someone else is refused with a 403, audited)."""

    manager = ManagerChoiceField(queryset=Membership.objects.none())

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = (  # type: ignore[attr-defined]
            Membership.objects.filter(workspace=workspace, role__in=INTERNAL).select_related("user").order_by("id")
        )

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet

from sourcewise.core.forms import (
    CountryDefaultsMixin,
    CountryField,
    CurrencyField,
    LanguageField,
    TimezoneField,
    bounded_formfield,
)
from sourcewise.talent.models import (
    CEFR_CHOICES,
    RATINGS,
    SKILL_LEVELS,
    WEEKDAY_NAMES,
    Freelancer,
    Interview,
    PortfolioItem,
    Reference,
    Skill,
    TrialTask,
)
from sourcewise.talent.overlap import window_start_error
from sourcewise.talent.search import FreelancerSearch
from sourcewise.workspaces.models import Workspace

LANGUAGE_SLOTS = 3


LEVEL_CHOICES = [("", "—")] + [(str(v), label) for v, label in SKILL_LEVELS]


class SkillLevelsMixin:
    """Adds one level selector per workspace skill; `skill_levels()` gives {Skill: level}."""

    skill_field_prefix = "skill_"
    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def add_skill_fields(self, skills: QuerySet[Skill], initial: dict[int, int], label_suffix: str = "") -> None:
        self._skills = list(skills)
        for skill in self._skills:
            self.fields[f"{self.skill_field_prefix}{skill.pk}"] = forms.TypedChoiceField(
                label=f"{skill.name}{label_suffix}",
                choices=LEVEL_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                initial=initial.get(skill.pk),
            )

    def add_new_skills_field(self, level_word: str) -> None:
        """A text field naming skills to add inline, created in the workspace when missing."""
        self.fields["new_skills"] = forms.CharField(
            label="New skills",
            required=False,
            max_length=1000,
            help_text=(
                f"Not in the list? Type each skill with its {level_word} (1–5), separated by ; or a comma, "
                "e.g. Xero:3; Payroll:2. Missing skills are added to the workspace."
            ),
            widget=forms.TextInput(attrs={"placeholder": "Xero:3; Payroll:2", "autocomplete": "off"}),
        )

    def clean_new_skills(self) -> dict[str, int]:
        return parse_new_skills(self.cleaned_data.get("new_skills") or "")

    def new_skills(self) -> dict[str, int]:
        return dict(self.cleaned_data.get("new_skills") or {})

    def skill_field_names(self) -> list[str]:
        return [f"{self.skill_field_prefix}{s.pk}" for s in self._skills]

    def skill_levels(self) -> dict[Skill, int]:
        levels: dict[Skill, int] = {}
        for skill in self._skills:
            value = self.cleaned_data.get(f"{self.skill_field_prefix}{skill.pk}")
            if value:
                levels[skill] = int(value)
        return levels


SKILL_NAME_MAX = 80


def parse_new_skills(text: str) -> dict[str, int]:
    """ "Xero:3; Payroll:2" → {"Xero": 3, "Payroll": 2}; every item needs a level 1–5."""
    skills: dict[str, int] = {}
    problems: list[str] = []
    for item in filter(None, (part.strip() for part in text.replace(";", ",").split(","))):
        name, sep, level = item.rpartition(":")
        name = " ".join(name.split())
        if not sep or not name:
            problems.append(f"Give {item!r} a level after a colon, e.g. {item.strip(':') or 'Xero'}:3.")
        elif level.strip() not in {"1", "2", "3", "4", "5"}:
            problems.append(f"The level of {name} must be 1 to 5, not {level.strip()!r}.")
        elif len(name) > SKILL_NAME_MAX:
            problems.append(f"A skill name has at most {SKILL_NAME_MAX} characters: {name[:20]}… is longer.")
        else:
            skills[name] = int(level)
    if problems:
        raise forms.ValidationError(problems)
    return skills


class SkillForm(forms.ModelForm):
    class Meta:
        formfield_callback = bounded_formfield
        model = Skill
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class FreelancerForm(CountryDefaultsMixin, SkillLevelsMixin, forms.ModelForm):
    country_defaults = ("country", "rate_currency", "timezone")
    country = CountryField()
    timezone = TimezoneField(label="Time zone")
    work_days = forms.TypedMultipleChoiceField(
        label="Working days",
        choices=list(enumerate(WEEKDAY_NAMES)),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4],
    )
    rate_currency = CurrencyField(label="Rate currency", required=False)

    class Meta:
        formfield_callback = bounded_formfield
        model = Freelancer
        fields = [
            "name", "email", "country", "timezone", "work_start", "work_end", "work_days",
            "hourly_rate", "rate_currency", "availability_hours", "notes",
        ]  # fmt: skip
        widgets = {
            "work_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "work_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.workspace = workspace
        initial = {}
        languages: list[tuple[str, str]] = []
        if self.instance.pk:
            initial = {fs.skill_id: fs.level for fs in self.instance.skill_levels.all()}
            languages = [(lang.language, lang.level) for lang in self.instance.languages.all()]
        else:
            languages = [(str(workspace.working_languages[0]), "B2")] if workspace.working_languages else []
        for i in range(1, LANGUAGE_SLOTS + 1):
            code, level = languages[i - 1] if i <= len(languages) else ("", "")
            self.fields[f"language_{i}"] = LanguageField(label=f"Language {i}", required=False, initial=code)
            self.fields[f"level_{i}"] = forms.ChoiceField(
                label=f"Level {i} (CEFR)", choices=[("", "—"), *CEFR_CHOICES], required=False, initial=level
            )
        self.add_skill_fields(Skill.objects.in_workspace(workspace), initial)
        self.add_new_skills_field("level")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}  # the country's currency and zone are filled in by now
        for i in range(1, LANGUAGE_SLOTS + 1):
            if bool(data.get(f"language_{i}")) != bool(data.get(f"level_{i}")):
                self.add_error(f"level_{i}", "Choose both the language and its level, or neither.")
        return data

    def languages(self) -> dict[str, str]:
        return {
            self.cleaned_data[f"language_{i}"]: self.cleaned_data[f"level_{i}"]
            for i in range(1, LANGUAGE_SLOTS + 1)
            if self.cleaned_data.get(f"language_{i}") and self.cleaned_data.get(f"level_{i}")
        }

    def language_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"language_{i}"], self[f"level_{i}"]) for i in range(1, LANGUAGE_SLOTS + 1)]

    def profile_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.Meta.fields]


class PortfolioItemForm(forms.ModelForm):
    url = forms.URLField(label="Link", required=False, assume_scheme="https")
    rating = forms.TypedChoiceField(
        label="Your review (1–5)",
        choices=[("", "not reviewed yet"), *RATINGS],
        coerce=int,
        empty_value=None,
        required=False,
    )

    class Meta:
        formfield_callback = bounded_formfield
        model = PortfolioItem
        fields = ["title", "url", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(label="Review rating", choices=RATINGS, coerce=int)


class ReferenceForm(forms.ModelForm):
    class Meta:
        formfield_callback = bounded_formfield
        model = Reference
        fields = ["client_name", "contact", "rating", "comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 2})}


class InterviewForm(forms.ModelForm):
    class Meta:
        formfield_callback = bounded_formfield
        model = Interview
        fields = ["held_on", "communication", "culture_fit", "notes"]
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"}), "notes": forms.Textarea(attrs={"rows": 2})}


class TrialForm(forms.ModelForm):
    class Meta:
        formfield_callback = bounded_formfield
        model = TrialTask
        fields = ["title", "completed_on", "hours", "rating", "notes"]
        widgets = {"completed_on": forms.DateInput(attrs={"type": "date"}), "notes": forms.Textarea(attrs={"rows": 2})}
        labels = {"title": "Trial task"}


class PortalInviteForm(forms.Form):
    email = forms.EmailField(
        label="Their email",
        max_length=254,
        help_text="The link goes here; whoever accepts it gets this profile's portal.",
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Freelancer.Status.choices)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file", help_text="UTF-8, with a header row. Download an export to see the columns."
    )


class OverlapDateForm(forms.Form):
    """`?on=` on a freelancer's page: the overlap over the 28 days from another date."""

    on = forms.DateField(
        label="Overlap from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_on(self) -> datetime.date | None:
        on: datetime.date | None = self.cleaned_data.get("on")
        problem = window_start_error(on, self.today) if on else None
        if problem:
            raise forms.ValidationError(problem)
        return on

    def start(self) -> datetime.date:
        """The chosen date when valid, else today (an invalid date shows its error, not a 500)."""
        if self.is_bound and self.is_valid() and self.cleaned_data.get("on"):
            return self.cleaned_data["on"]
        return self.today


class FreelancerSearchForm(forms.Form):
    """The freelancers page's filters (GET); `search()` gives the selector's FreelancerSearch.

    A value that doesn't validate is dropped, never an error page: the list shows what the
    valid filters find."""

    q = forms.CharField(required=False, max_length=100)
    # Plain selects (core.forms.FormRenderer writes them fast), labelled for screen readers.
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Freelancer.Status.choices])
    skill = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    skill_level = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any level"), *LEVEL_CHOICES[1:]],
        widget=forms.Select(attrs={"aria-label": "Skill level"}),
    )
    language = LanguageField(
        required=False, blank="Any language", widget=forms.Select(attrs={"aria-label": "Language"})
    )
    language_level = forms.ChoiceField(
        required=False,
        choices=[("", "Any level"), *CEFR_CHOICES],
        widget=forms.Select(attrs={"aria-label": "Language level"}),
    )
    country = CountryField(required=False, widget=forms.Select(attrs={"aria-label": "Country"}))
    min_overlap = forms.DecimalField(
        required=False, min_value=Decimal("0"), max_value=Decimal("24"), max_digits=4, decimal_places=1
    )

    def __init__(self, *args: Any, skills: QuerySet[Skill], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skill"].choices = [("", "Any skill"), *skills.values_list("pk", "name")]  # type: ignore[attr-defined]
        self.fields["country"].choices = [("", "Any country"), *list(self.fields["country"].choices)[1:]]  # type: ignore[attr-defined]

    def search(self) -> FreelancerSearch:
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return FreelancerSearch(
            q=data.get("q") or "",
            status=data.get("status") or "",
            skill=data.get("skill"),
            skill_level=data.get("skill_level") or 1,
            language=data.get("language") or "",
            language_level=data.get("language_level") or "",
            country=data.get("country") or "",
            min_overlap=data.get("min_overlap"),
        )

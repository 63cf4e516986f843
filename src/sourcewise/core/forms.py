"""Form pieces shared by the domain apps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from sourcewise.core.validators import country_choices, currency_choices, language_choices, timezone_choices
from sourcewise.talent.models import SKILL_LEVELS, Skill

LEVEL_CHOICES = [("", "—")] + [(str(v), label) for v, label in SKILL_LEVELS]


class CountryField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=[("", "Choose a country"), *country_choices()], **kwargs)


class TimezoneField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=[("", "Choose a time zone"), *timezone_choices()], **kwargs)


class CurrencyField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=[("", "Choose a currency"), *currency_choices()], **kwargs)


class LanguagesField(forms.MultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.SelectMultiple(attrs={"size": 6}))
        super().__init__(choices=language_choices(), **kwargs)


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

    def skill_field_names(self) -> list[str]:
        return [f"{self.skill_field_prefix}{s.pk}" for s in self._skills]

    def skill_levels(self) -> dict[Skill, int]:
        levels: dict[Skill, int] = {}
        for skill in self._skills:
            value = self.cleaned_data.get(f"{self.skill_field_prefix}{skill.pk}")
            if value:
                levels[skill] = int(value)
        return levels


def apply_errors(form: forms.BaseForm, error: Any) -> None:
    """Attach a service's ValidationError to a form: known fields get theirs, the rest the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for err in errors:
                form.add_error(target, err)
    else:
        for message in getattr(error, "messages", [str(error)]):
            form.add_error(None, message)

"""Form pieces shared by the domain apps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import QuerySet

from sourcewise.core.validators import country_choices, currency_choices, language_choices, timezone_choices
from sourcewise.talent.models import SKILL_LEVELS, Skill

LEVEL_CHOICES = [("", "—")] + [(str(v), label) for v, label in SKILL_LEVELS]

# What every database holds in each integer column (PostgreSQL's ranges; SQLite takes more).
PORTABLE_INTEGER_RANGES: dict[str, tuple[int, int]] = BaseDatabaseOperations.integer_field_ranges


def integer_bounds(db_field: models.IntegerField[Any, Any]) -> tuple[int | None, int | None]:
    """The tightest bounds of a model's integer column: its own validators and its column type."""
    low, high = PORTABLE_INTEGER_RANGES.get(db_field.get_internal_type(), (None, None))
    for validator in db_field.validators:
        limit = getattr(validator, "limit_value", None)
        if not isinstance(limit, int):
            continue
        if isinstance(validator, MinValueValidator):
            low = limit if low is None else max(low, limit)
        elif isinstance(validator, MaxValueValidator):
            high = limit if high is None else min(high, limit)
    return low, high


def bounded_formfield(db_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """`Meta.formfield_callback` of every ModelForm: integer inputs carry their bounds.

    A number beyond them is a form error (and the browser's number input knows the range)
    instead of an overflow in the database. tests/core/test_numeric_bounds.py checks every form.
    """
    if isinstance(db_field, models.IntegerField) and not db_field.choices:
        low, high = integer_bounds(db_field)
        kwargs.setdefault("min_value", low)
        kwargs.setdefault("max_value", high)
    return db_field.formfield(**kwargs)


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

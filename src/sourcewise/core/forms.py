"""Form pieces shared by the domain apps."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.forms.renderers import DjangoTemplates
from django.urls import reverse
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

from sourcewise.core.places import country_currency, country_timezone, timezone_groups
from sourcewise.core.validators import (
    country_choices,
    country_name,
    currency_choices,
    language_choices,
    timezone_names,
)

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


PICKER_TEMPLATE = "core/widgets/picker.html"


def _attrs_html(attrs: dict[str, Any]) -> str:
    return "".join(
        ""
        if value is False
        else f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{escape(str(value))}"'
        for name, value in attrs.items()
    )


def select_html(widget: dict[str, Any]) -> SafeString:
    """The <select> Django's select.html template renders, character for character, built in
    Python: the template engine takes ~0.1 ms an option, and a time-zone, country, currency
    and language picker hold 1,500 options between them (100 ms of a settings page)."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>']
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{escape(str(option["value"]))}"{_attrs_html(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308  # every value above is escaped


SELECT_TEMPLATE = "django/forms/widgets/select.html"


class FormRenderer(DjangoTemplates):
    """Django's form renderer (settings.FORM_RENDERER), except that every <select> is written by
    `select_html`: the markup of Django's select.html, character for character
    (tests/core/test_picker_rendering.py), without the template engine's ~0.1 ms an option. A
    filter offering 500 tasks spent 25 ms of its page on them; a list's country and language
    filters several ms of every page."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name == SELECT_TEMPLATE:
            return select_html(context["widget"])
        return super().render(template_name, context, request)


class PickerMixin:
    """A <select> with a search box above it (see core/pickers.py); the select stays the input."""

    list_key = ""
    blank: str | None = None
    allow_multiple_selected: bool

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(name, value, attrs)  # type: ignore[misc]
        widget = context["widget"]
        vals = {"list": self.list_key, "field": name}
        if self.allow_multiple_selected:
            vals["multiple"] = "1"
        if self.blank is not None:
            vals["blank"] = self.blank
        what = self.list_key.replace("timezones", "time zones")
        widget["picker"] = {"url": reverse("lookup_options"), "vals": json.dumps(vals), "what": what}
        widget["select_html"] = select_html(widget)
        return context

    def optgroups(self, name: str, value: list[str], attrs: dict[str, Any] | None = None) -> list[Any]:
        groups: list[Any] = super().optgroups(name, value, attrs)  # type: ignore[misc]
        offered = {str(option["value"]) for _, options, _ in groups for option in options}
        extra = [v for v in value if v and v not in offered]  # a stored value outside the list (a zone alias)
        for index, v in enumerate(extra):
            option = self.create_option(name, v, v, True, index, attrs=attrs)  # type: ignore[attr-defined]
            groups.insert(0, (None, [option], index))
        return groups


class PickerSelect(PickerMixin, forms.Select):
    template_name = PICKER_TEMPLATE

    def __init__(self, list_key: str, blank: str | None = None, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.list_key = list_key
        self.blank = blank


class PickerSelectMultiple(PickerMixin, forms.SelectMultiple):
    template_name = PICKER_TEMPLATE

    def __init__(self, list_key: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.list_key = list_key


class CountrySelect(PickerSelect):
    """The country picker; with `remembers_defaults` it carries the hidden `<name>__defaults` input.

    That input holds the country whose currency and zone the form was last filled with, so
    a change of country replaces only values that were that country's defaults.
    """

    remembers_defaults = False

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__("countries", "Choose a country", attrs)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        if self.remembers_defaults:
            own_id = widget["attrs"].get("id") or f"id_{name}"
            widget["defaults_input"] = {"id": f"{own_id}__defaults", "name": f"{name}__defaults"}
        return context


def follow_country(widget: forms.Widget, *, name: str, country: str, kind: str, blank: str) -> None:
    """Make a currency or time-zone <select> ask for the country's default when the country changes.

    htmx, on the country's change (or a pick through its search box), sends the country,
    this field's value and the country it was last filled for to `lookup_country_defaults`,
    which answers with this select's options: the default chosen when the value was empty
    or the previous country's default, the value kept otherwise.
    """
    country_id = f"id_{country}"
    widget.attrs.update(
        {
            "hx-get": reverse("lookup_country_defaults"),
            "hx-trigger": f"change from:#{country_id}, sw-picked from:#{country_id}_filter",
            "hx-include": f"#{country_id}, this, #{country_id}__defaults",
            "hx-vals": json.dumps({"country_field": country, "field": name, "kind": kind, "blank": blank}),
            "hx-swap": "innerHTML",
        }
    )


class CountryField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", CountrySelect())
        super().__init__(choices=[("", "Choose a country"), *country_choices()], **kwargs)


class TimezoneField(forms.ChoiceField):
    """Offers canonical zone names grouped by region; any valid IANA name is accepted (a stored alias stays valid)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", PickerSelect("timezones", "Choose a time zone"))
        super().__init__(choices=[("", "Choose a time zone"), *timezone_groups()], **kwargs)

    def valid_value(self, value: Any) -> bool:
        return isinstance(value, str) and value in timezone_names()


class CurrencyField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", PickerSelect("currencies", "Choose a currency"))
        super().__init__(choices=[("", "Choose a currency"), *currency_choices()], **kwargs)


class LanguageField(forms.ChoiceField):
    def __init__(self, *, blank: str = "—", **kwargs: Any) -> None:
        kwargs.setdefault("widget", PickerSelect("languages", blank))
        super().__init__(choices=[("", blank), *language_choices()], **kwargs)


class LanguagesField(forms.MultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", PickerSelectMultiple("languages", attrs={"size": 6}))
        super().__init__(choices=language_choices(), **kwargs)


class CountryDefaultsMixin:
    """Fills a blank currency or time zone from the chosen country when the form is submitted.

    `country_defaults` names the (country, currency, time zone) fields. The currency and
    zone fields become optional in the browser; a blank one is filled from the country
    (core/places.py) and, when it must be given and the country implies none, is an error.
    Works without JavaScript; with htmx the fields are filled as soon as the country is chosen.
    """

    country_defaults: tuple[str, str, str]
    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_country_defaults()

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}  # type: ignore[misc]
        self.fill_country_defaults()
        return data

    def setup_country_defaults(self) -> None:
        country, currency, zone = self.country_defaults
        self._must_have = {name for name in (currency, zone) if self.fields[name].required}
        country_widget = self.fields[country].widget
        if isinstance(country_widget, CountrySelect):
            country_widget.remembers_defaults = True
        for name, kind, blank in (
            (currency, "currency", "Choose a currency"),
            (zone, "timezone", "Choose a time zone"),
        ):
            follow_country(self.fields[name].widget, name=name, country=country, kind=kind, blank=blank)
            self.fields[name].required = False
            hint = "Filled in from the country when left empty."
            help_text = self.fields[name].help_text
            self.fields[name].help_text = f"{help_text} {hint}" if help_text else hint

    def fill_country_defaults(self) -> None:
        country_name_, currency, zone = self.country_defaults
        country = self.cleaned_data.get(country_name_)
        for name, default in ((currency, country_currency), (zone, country_timezone)):
            if name not in self.cleaned_data:  # the field has its own error already
                continue
            if not self.cleaned_data.get(name) and country:
                self.cleaned_data[name] = default(country) or ""
            if not self.cleaned_data.get(name) and name in self._must_have:
                what = "currency" if name == currency else "time zone"
                reason = f" {country_name(country)} has no single {what}." if country else ""
                self.add_error(name, f"Choose a {what}.{reason}")  # type: ignore[attr-defined]


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

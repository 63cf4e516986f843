"""Every <select> is built in Python (fast: core.forms.select_html, through the pickers and the
project's FormRenderer) and must equal Django's own select.html, character for character."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer

from sourcewise.core.forms import (
    CountryField,
    CurrencyField,
    FormRenderer,
    LanguagesField,
    PickerSelect,
    TimezoneField,
    select_html,
)

DJANGO = DjangoTemplates()  # the reference: Django's renderer, not the project's (settings.FORM_RENDERER)


class Everything(forms.Form):
    country = CountryField()
    currency = CurrencyField(required=False)
    timezone = TimezoneField()
    languages = LanguagesField()
    odd = forms.ChoiceField(
        choices=[("", "—"), ('a"b', "<quoted & odd>"), ("x", "X")],
        widget=PickerSelect("countries", attrs={"data-x": '"<>', "disabled": True, "hidden": False}),
    )


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"country": "PT", "currency": "EUR", "timezone": "Europe/Lisbon", "languages": ["en", "pt"], "odd": 'a"b'},
        {"timezone": "Asia/Calcutta", "languages": ["xx-not-a-language"]},  # values outside the lists are kept
    ],
)
def test_the_python_select_equals_the_template(data):
    form = Everything(data=data or None)
    for name in ["country", "currency", "timezone", "languages", "odd"]:
        bound = form[name]
        widget = bound.field.widget
        context = widget.get_context(bound.html_name, bound.value(), bound.build_widget_attrs({"id": bound.auto_id}))
        expected = DJANGO.render("django/forms/widgets/select.html", context)  # Django's own template
        assert select_html(context["widget"]) == expected
        assert str(context["widget"]["select_html"]) == expected


class Plain(forms.Form):
    choice = forms.ChoiceField(choices=[("", "All"), ('a"b', "<quoted & odd>"), ("2", "Two")], required=False)
    grouped = forms.ChoiceField(choices=[("Group <1>", [("1", "One"), ("2", "Two")]), ("3", "Three")])
    several = forms.MultipleChoiceField(choices=[("1", "One"), ("2", "Two & two")], required=False)
    maybe = forms.NullBooleanField(required=False)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"choice": 'a"b', "grouped": "2", "several": ["1", "2"], "maybe": "true"},
        {"choice": "nope", "grouped": "3", "several": ["x"], "maybe": "false"},
    ],
)
def test_the_projects_renderer_writes_what_django_writes(data):
    """settings.FORM_RENDERER writes every forms.Select (long filter lists, choices in forms) with
    select_html: the same markup as Django's renderer, selection, groups and escaping included."""
    assert isinstance(get_default_renderer(), FormRenderer)
    form = Plain(data=data or None)
    for name in ["choice", "grouped", "several", "maybe"]:
        bound = form[name]
        attrs = bound.build_widget_attrs({"id": bound.auto_id, "data-x": '"<>', "disabled": True})
        widget = bound.field.widget
        expected = widget.render(bound.html_name, bound.value(), attrs, renderer=DJANGO)
        assert widget.render(bound.html_name, bound.value(), attrs) == expected  # the project's renderer
    assert '<option value="2" selected>Two</option>' in str(Plain(data={"grouped": "2"})["grouped"])

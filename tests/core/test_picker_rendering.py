"""The pickers' <select> is built in Python (fast) and must equal Django's select.html, character for character."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import get_default_renderer

from sourcewise.core.forms import (
    CountryField,
    CurrencyField,
    LanguagesField,
    PickerSelect,
    TimezoneField,
    select_html,
)


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
        expected = get_default_renderer().render("django/forms/widgets/select.html", context)
        assert select_html(context["widget"]) == expected
        assert str(context["widget"]["select_html"]) == expected


class Plain(forms.Form):
    choice = forms.ChoiceField(choices=[("", "All"), ('a"b', "<quoted & odd>"), ("2", "Two")], required=False)
    grouped = forms.ChoiceField(choices=[("Group <1>", [("1", "One"), ("2", "Two")]), ("3", "Three")])


@pytest.mark.parametrize("data", [{}, {"choice": 'a"b', "grouped": "2"}, {"choice": "nope", "grouped": "3"}])
def test_a_quick_select_renders_what_django_select_renders(data):
    """QuickSelect (long filter lists) writes the same markup as forms.Select, selection and escaping included."""
    from sourcewise.core.forms import QuickSelect

    form = Plain(data=data or None)
    for name in ["choice", "grouped"]:
        bound = form[name]
        attrs = bound.build_widget_attrs({"id": bound.auto_id, "data-x": '"<>', "disabled": True})
        expected = forms.Select(choices=bound.field.choices).render(bound.html_name, bound.value(), attrs)
        quick = QuickSelect(choices=bound.field.choices).render(bound.html_name, bound.value(), attrs)
        assert quick == expected
    assert '<option value="2" selected>Two</option>' in str(
        QuickSelect(choices=Plain.base_fields["grouped"].choices).render("g", "2")
    )

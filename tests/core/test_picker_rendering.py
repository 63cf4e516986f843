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

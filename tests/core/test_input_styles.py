"""Every kind of text-like input the forms render is styled by app.css: a `type=url` field once
rendered as a collapsed sliver (the portfolio's and the milestone's link), and the invoice's
`type=month` in the browser's default look, because the stylesheet listed only the other types."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

from django import forms
from django.apps import apps
from django.contrib.staticfiles import finders

# Types the browser draws as controls of their own, not boxes to type in.
OWN_LOOK = {"hidden", "checkbox", "radio", "file", "submit", "button", "image", "reset", "color", "range"}


def _form_classes() -> list[type[forms.BaseForm]]:
    found: list[type[forms.BaseForm]] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("sourcewise."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        found += [
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__
        ]
    return found


def test_every_typed_input_of_every_form_is_styled():
    css = Path(finders.find("sourcewise/app.css")).read_text(encoding="utf-8")
    styled = set(re.findall(r"input\[type=([a-z-]+)\]", css))
    classes = _form_classes()
    assert len(classes) > 20, "the forms of the apps were found"
    used: dict[str, set[str]] = {}
    for cls in classes:
        for name, field in cls.base_fields.items():
            input_type = field.widget.input_type if isinstance(field.widget, forms.widgets.Input) else None
            if input_type and input_type not in OWN_LOOK:
                used.setdefault(input_type, set()).add(f"{cls.__module__}.{cls.__name__}.{name}")
    assert "url" in used and "email" in used  # the portfolio's link, a freelancer's email
    unstyled = {kind: sorted(fields)[:3] for kind, fields in used.items() if kind not in styled}
    assert unstyled == {}, f"inputs app.css does not style: {unstyled}"

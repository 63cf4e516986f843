"""The form → service → errors step shared by the web views.

A view builds its form, hands it with the service call to `submit`, and answers:

    form = SOPForm(request.POST or None, workspace=request.workspace)
    done = submit(request, form, lambda data: services.create_sop(title=data["title"], ...))
    if done:
        messages.success(request, "Published.")
        return redirect("guidance:sop_detail", pk=done.result.pk)
    return render_page(request, "guidance/sop_form.html", {"form": form})

`submit` runs the service only for a POSTed, valid form, and at most once. A ValidationError
from the service lands on the form (its fields' errors on those fields, the rest at the top,
as `apply_errors` does) and the view renders the form again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from sourcewise.core.forms import apply_errors

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Done(Generic[T]):
    """The service ran and succeeded; `result` is what it returned (None for a service returning nothing)."""

    result: T


def submit(request: HttpRequest, form: forms.BaseForm, service: Callable[[dict[str, Any]], T]) -> Done[T] | None:
    """Run `service(form.cleaned_data)` for a valid POST; None when nothing succeeded.

    None means: not a POST, an invalid form, or the service refused (its errors are on the form).
    A `Done` is always truthy, so `if done:` holds even when the service returned None.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = service(form.cleaned_data)
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    return Done(result)

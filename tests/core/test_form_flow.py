"""core/form_flow.submit: the service runs once for a valid POST; its refusal lands on the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from sourcewise.core.form_flow import submit


class NameForm(forms.Form):
    name = forms.CharField(max_length=20)


class Service:
    """Records each call; returns `result` or raises `error`."""

    def __init__(self, result: Any = None, error: ValidationError | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.result = result
        self.error = error

    def __call__(self, data: dict[str, Any]) -> Any:
        self.calls.append(dict(data))
        if self.error is not None:
            raise self.error
        return self.result


def post(data: dict[str, str]) -> Any:
    return RequestFactory().post("/x/", data)


def test_a_valid_post_runs_the_service_once_with_the_cleaned_data_and_returns_its_result():
    request = post({"name": " Ada "})
    form = NameForm(request.POST)
    service = Service(result={"id": 7})

    done = submit(request, form, service)

    assert service.calls == [{"name": "Ada"}]
    assert done is not None
    assert done.result == {"id": 7}
    assert form.errors == {}


def test_a_get_never_runs_the_service():
    request = RequestFactory().get("/x/", {"name": "Ada"})
    form = NameForm(request.POST or None)
    service = Service(result=1)

    done = submit(request, form, service)

    assert done is None
    assert service.calls == []
    assert form.errors == {}  # an unbound form shows no errors


def test_an_invalid_form_never_runs_the_service():
    request = post({"name": "x" * 21})
    form = NameForm(request.POST)
    service = Service(result=1)

    done = submit(request, form, service)

    assert done is None
    assert service.calls == []
    assert list(form.errors) == ["name"]


def test_a_field_error_from_the_service_lands_on_that_field():
    request = post({"name": "Ada"})
    form = NameForm(request.POST)
    service = Service(error=ValidationError({"name": "This name is taken."}))

    done = submit(request, form, service)

    assert done is None
    assert len(service.calls) == 1
    assert form.errors["name"] == ["This name is taken."]
    assert form.non_field_errors() == []


def test_an_error_for_an_unknown_field_goes_to_the_top_of_the_form():
    request = post({"name": "Ada"})
    form = NameForm(request.POST)
    service = Service(error=ValidationError({"name": "Taken.", "budget": "Over the cap."}))

    done = submit(request, form, service)

    assert done is None
    assert form.errors["name"] == ["Taken."]
    assert form.non_field_errors() == ["Over the cap."]


def test_a_non_field_error_from_the_service_lands_in_non_field_errors():
    request = post({"name": "Ada"})
    form = NameForm(request.POST)
    service = Service(error=ValidationError(["First problem.", "Second problem."]))

    done = submit(request, form, service)

    assert done is None
    assert form.non_field_errors() == ["First problem.", "Second problem."]
    assert "name" not in form.errors


def test_a_service_returning_none_is_still_a_success():
    request = post({"name": "Ada"})
    form = NameForm(request.POST)
    service = Service(result=None)

    done = submit(request, form, service)

    assert done
    assert done.result is None
    assert len(service.calls) == 1

"""Numbers beyond any range are a form error or a 422, never a database overflow (a 500).

The SOP form once answered 500 to a skill id of 10**30 (SQLite: OverflowError). The class
of the bug is closed three ways, each checked here over everything that can be enumerated:
- every numeric field of every form class has bounds, and 10**30 is a validation error;
- `__in` lookups on integer columns ignore out-of-range numbers (core.lookups), so every
  multiple choice of rows refuses them cleanly;
- every page with a form answers a post of 10**30 in each numeric field without a 5xx;
- every integer in the API's request schemas has a maximum, and 10**30 is a 422 naming it.
"""

from __future__ import annotations

import copy
import importlib
import pkgutil

import pytest
from django import forms
from django.core.exceptions import ValidationError

import sourcewise
from sourcewise.guidance.models import SOP
from sourcewise.talent.models import Freelancer, Skill
from sourcewise.tasks.models import Task
from sourcewise.workspaces.models import Workspace
from tests.talent.factories import FreelancerFactory, SkillFactory
from tests.tasks.factories import TaskFactory

HUGE = str(10**30)


def _all_form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(sourcewise.__path__, "sourcewise."):
        if module.name.rsplit(".", 1)[-1] in {"forms", "views", "portal"}:
            importlib.import_module(module.name)

    def subclasses(cls: type) -> list[type]:
        found = []
        for sub in cls.__subclasses__():
            found += [sub, *subclasses(sub)]
        return found

    return sorted(
        {c for c in subclasses(forms.BaseForm) if c.__module__.startswith("sourcewise.")},
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


FORM_FIELDS = [
    pytest.param(form_class, name, id=f"{form_class.__module__.split('.')[1]}.{form_class.__name__}.{name}")
    for form_class in _all_form_classes()
    for name, field in form_class.base_fields.items()
    if isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField | forms.ModelChoiceField)
    or (isinstance(field, forms.TypedChoiceField | forms.TypedMultipleChoiceField) and field.coerce is not str)
]


def test_the_enumeration_found_the_forms():
    names = {p.id for p in FORM_FIELDS}
    assert "guidance.SOPForm.skills" in names
    assert "workspaces.WorkspaceForm.trial_max_hours" in names
    assert len(FORM_FIELDS) > 60


@pytest.mark.django_db
@pytest.mark.parametrize(("form_class", "name"), FORM_FIELDS)
def test_every_numeric_form_field_refuses_a_huge_number(form_class, name):
    field = copy.deepcopy(form_class.base_fields[name])
    if isinstance(field, forms.DecimalField):
        assert field.max_digits is not None or field.max_value is not None, "a decimal input needs bounds"
    elif isinstance(field, forms.IntegerField | forms.FloatField):
        assert field.min_value is not None and field.max_value is not None, "an integer input needs bounds"
    if isinstance(field, forms.ModelChoiceField):
        field.queryset = field.queryset.model._default_manager.all()  # a real query, as in a workspace
    value = [HUGE] if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField) else HUGE

    with pytest.raises(ValidationError):
        field.clean(value)


def test_in_lookup_with_huge_numbers_finds_nothing_instead_of_overflowing(workspace):
    skill = SkillFactory(workspace=workspace)

    assert list(Skill.objects.filter(pk__in=[10**30])) == []
    assert list(Skill.objects.filter(pk__in=[10**30, -(10**30), skill.pk])) == [skill]
    assert list(Skill.objects.exclude(pk__in=[10**30])) == [skill]


def test_the_sop_form_with_a_huge_skill_or_task_id_is_a_form_error(owner_client, owner):
    response = owner_client.post(
        "/guidance/sops/new/", {"title": "Refunds", "body": "Steps", "skills": [HUGE], "tasks": [HUGE]}
    )

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"skills", "tasks"}
    assert not SOP.objects.exists()


@pytest.fixture
def rows(owner):
    workspace = owner.workspace
    return {
        "task": TaskFactory(workspace=workspace),
        "freelancer": FreelancerFactory(workspace=workspace),
        "skill": SkillFactory(workspace=workspace),
    }


FORM_PAGES = [
    "/guidance/sops/new/",
    "/workspaces/settings/",
    "/tasks/new/",
    "/tasks/{task}/edit/",
    "/talent/freelancers/new/",
    "/talent/freelancers/{freelancer}/edit/",
    "/engagements/new/",
    "/costs/entries/new/",
    "/costs/invoices/new/",
    "/money/exchange-rates/new/",
    "/money/benchmarks/new/",
]


def _numeric(field: forms.Field) -> bool:
    return isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField | forms.ModelChoiceField) or (
        isinstance(field, forms.TypedChoiceField | forms.TypedMultipleChoiceField) and field.coerce is not str
    )


@pytest.mark.parametrize("page", FORM_PAGES)
def test_every_form_page_answers_a_huge_number_in_each_numeric_field_without_a_5xx(owner_client, rows, page):
    url = page.format(**{k: v.pk for k, v in rows.items()})
    form = owner_client.get(url).context["form"]
    base = {}
    for name in form.fields:
        value = form[name].value()
        if value is not None:
            base[form[name].html_name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    numeric = [name for name, field in form.fields.items() if _numeric(field)]
    assert numeric, f"{url} has no numeric field to try"
    before = (Task.objects.count(), Freelancer.objects.count(), list(Workspace.objects.values()))

    for name in numeric:
        response = owner_client.post(url, {**base, form[name].html_name: HUGE})

        assert response.status_code == 200, f"{url} {name}: {response.status_code}"
        assert name in response.context["form"].errors, f"{url} {name} accepted 10**30"
    assert (Task.objects.count(), Freelancer.objects.count(), list(Workspace.objects.values())) == before


def _integers_without_maximum(schema: dict, components: dict, where: str, seen: frozenset = frozenset()) -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return [] if name in seen else _integers_without_maximum(components[name], components, where, seen | {name})
    found = []
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            found += _integers_without_maximum(sub, components, where, seen)
    if schema.get("type") == "integer" and "maximum" not in schema and "exclusiveMaximum" not in schema:
        found.append(where)
    for name, sub in schema.get("properties", {}).items():
        found += _integers_without_maximum(sub, components, f"{where}.{name}", seen)
    if isinstance(schema.get("items"), dict):
        found += _integers_without_maximum(schema["items"], components, f"{where}[]", seen)
    return found


@pytest.mark.slow
def test_every_integer_the_api_accepts_has_a_maximum():
    from sourcewise.api.main import api

    spec = api.get_openapi_schema()
    components = spec["components"]["schemas"]
    unbounded = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                where = f"{method.upper()} {path} {parameter['name']}"
                unbounded += _integers_without_maximum(parameter["schema"], components, where)
            for content in operation.get("requestBody", {}).get("content", {}).values():
                unbounded += _integers_without_maximum(content["schema"], components, f"{method.upper()} {path} body")
    assert unbounded == []


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/sops", {"title": "x", "body": "y", "skill_ids": [10**30]}, "skill_ids.0"),
        ("/api/v1/tasks", {"name": "x", "checkpoint_every_days": 10**30}, "checkpoint_every_days"),
        ("/api/v1/freelancers", {"name": "x", "availability_hours": 10**30}, "availability_hours"),
    ],
)
def test_a_huge_number_in_an_api_body_is_a_422_naming_the_field(client, owner_api, path, body, field):
    response = client.post(path, data=body, content_type="application/json", headers=owner_api)

    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}


def test_a_huge_id_in_an_api_path_is_a_422(client, owner_api):
    response = client.get(f"/api/v1/tasks/{HUGE}", headers=owner_api)

    assert response.status_code == 422

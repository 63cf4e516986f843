from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sourcewise.core.access import INTERNAL, OWNER
from sourcewise.core.form_flow import submit
from sourcewise.core.htmx import render_page
from sourcewise.core.http import WorkspaceRequest
from sourcewise.core.pagination import paginate
from sourcewise.core.validators import country_name, currency_or_blank, validate_country
from sourcewise.jobs.views import start_upload_job
from sourcewise.money import services
from sourcewise.money.agreed_rates import engagement_band_context
from sourcewise.money.charts import fair_band_svg
from sourcewise.money.conversion import MissingExchangeRate, builtin_rates, load_rates
from sourcewise.money.fairband import classify_rate
from sourcewise.money.forms import CsvUploadForm, ExchangeRateForm, FairBandForm, RateBenchmarkForm, RateLookupForm
from sourcewise.money.jobs import BENCHMARKS, RATES
from sourcewise.money.models import ExchangeRate, RateBenchmark
from sourcewise.talent.models import Skill
from sourcewise.workspaces.access import scoped_object, scoped_queryset, workspace_view

FAIR_BAND_FIELDS = ("skill", "country", "rate", "currency")


# -- the fair band ---------------------------------------------------------------------


def fair_band_context(request: WorkspaceRequest) -> dict[str, Any]:
    """Everything `money/includes/fair_band.html` needs, from the query string.

    The engagement form reuses it: send skill, country, rate, currency (and on) to
    `money:fair_band_partial` with hx-get, or call `classify_rate` and include the partial.
    """
    workspace = request.workspace
    complete = all(request.GET.get(name, "").strip() for name in FAIR_BAND_FIELDS)
    form = FairBandForm(request.GET if complete else None, workspace=workspace)
    context: dict[str, Any] = {"form": form, "band": None, "band_error": None, "svg": None, "complete": complete}
    if not complete or not form.is_valid():
        return context
    data = form.cleaned_data
    try:
        band = classify_rate(
            workspace,
            skill=data["skill"],
            country=data["country"],
            rate=data["rate"],
            currency=data["currency"],
            on_date=data["on"],
        )
    except MissingExchangeRate as exc:
        context["band_error"] = exc
        return context
    context["band"] = band
    context["svg"] = fair_band_svg(band)
    return context


@workspace_view(roles=INTERNAL)
@require_GET
def fair_band(request: WorkspaceRequest) -> HttpResponse:
    context = fair_band_context(request)
    context["home_name"] = country_name(request.workspace.home_country)
    # The band is per skill: a new workspace would meet an empty drop-down and no word why.
    context["no_skills"] = not context["form"].fields["skill"].queryset.exists()
    return render(request, "money/fair_band.html", context)


@workspace_view(roles=INTERNAL)
@require_GET
def engagement_band(request: WorkspaceRequest) -> HttpResponse:
    """The fair band of the rate on the engagement form, per skill of the task (hx-get as it changes)."""
    context = engagement_band_context(request.workspace, request.GET)
    return render(request, "money/includes/rate_bands.html", context)


@workspace_view(roles=INTERNAL)
@require_GET
def fair_band_partial(request: WorkspaceRequest) -> HttpResponse:
    """Only the band (numbers, SVG, verdict): for hx-get from any form that sets a rate."""
    return render(request, "money/includes/fair_band.html", fair_band_context(request))


# -- exchange rates --------------------------------------------------------------------


@workspace_view(roles=INTERNAL)
@require_GET
def rate_list(request: WorkspaceRequest) -> HttpResponse:
    rates = scoped_queryset(request, ExchangeRate).filter(base_currency=request.workspace.base_currency)
    currency = currency_or_blank(request.GET.get("currency"))
    if currency:
        rates = rates.filter(currency=currency)
    rates = rates.order_by("currency", "-valid_from", "id")
    return render_page(
        request,
        "money/rate_list.html",
        {"page": paginate(request, rates), "currency": currency, "q": "", **rate_lookup_context(request)},
        partial="rows",
    )


def rate_lookup_context(request: WorkspaceRequest) -> dict[str, Any]:
    """The built-in rates' citation, and the answer of the lookup form (currency + date → rate, source)."""
    workspace = request.workspace
    asked = bool(request.GET.get("rate_currency", "").strip())
    form = RateLookupForm(request.GET if asked else None)
    context: dict[str, Any] = {
        "builtin": builtin_rates(workspace.today()),
        "lookup_form": form,
        "looked_up": None,
        "lookup_error": None,
    }
    if asked and form.is_valid():
        on = form.cleaned_data["rate_on"] or workspace.today()
        try:
            context["looked_up"] = load_rates(workspace).rate_on(form.cleaned_data["rate_currency"], on)
        except MissingExchangeRate as exc:
            context["lookup_error"] = exc.messages[0]
        context["looked_up_on"] = on
    return context


@workspace_view(roles=[OWNER])
@require_http_methods(["GET", "POST"])
def rate_create(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = ExchangeRateForm(request.POST or None, workspace=workspace)
    done = submit(
        request,
        form,
        lambda data: services.create_exchange_rate(
            workspace=workspace, actor=request.user, **{f: data[f] for f in services.RATE_FIELDS}
        ),
    )
    if done:
        row = done.result
        messages.success(request, f"Saved: {row}.")
        return redirect("money:rate_list")
    return render(
        request, "money/form.html", {"form": form, "title": "Add an exchange rate", "back": "money:rate_list"}
    )


@workspace_view(roles=[OWNER], objects={"pk": ExchangeRate})
@require_http_methods(["GET", "POST"])
def rate_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    row = scoped_object(request, ExchangeRate, pk)
    form = ExchangeRateForm(request.POST or None, instance=copy.copy(row), workspace=request.workspace)
    if submit(
        request,
        form,
        lambda data: services.update_exchange_rate(
            exchange_rate=row, actor=request.user, **{f: data[f] for f in services.RATE_FIELDS}
        ),
    ):
        messages.success(request, "Saved.")
        return redirect("money:rate_list")
    return render(
        request,
        "money/form.html",
        {
            "form": form,
            "title": f"Edit the {row.currency} rate",
            "back": "money:rate_list",
            "delete_url": "money:rate_delete",
            "object": row,
        },
    )


@workspace_view(roles=[OWNER], objects={"pk": ExchangeRate})
@require_POST
def rate_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    row = scoped_object(request, ExchangeRate, pk)
    services.delete_exchange_rate(exchange_rate=row, actor=request.user)
    messages.success(request, f"Deleted the {row.currency} rate from {row.valid_from.isoformat()}.")
    return redirect("money:rate_list")


def _import(request: WorkspaceRequest, *, kind: str) -> HttpResponse:
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        back = "money:rate_import" if kind == "rates" else "money:benchmark_import"
        return start_upload_job(
            request,
            form.cleaned_data["file"],
            kind=RATES if kind == "rates" else BENCHMARKS,
            back=back,
            back_label="Import another file",
        )
    return render(request, "money/import.html", {"form": form, "kind": kind})


@workspace_view(roles=[OWNER])
@require_http_methods(["GET", "POST"])
def rate_import(request: WorkspaceRequest) -> HttpResponse:
    return _import(request, kind="rates")


# -- rate benchmarks -------------------------------------------------------------------


@workspace_view(roles=INTERNAL)
@require_GET
def benchmark_list(request: WorkspaceRequest) -> HttpResponse:
    benchmarks = scoped_queryset(request, RateBenchmark).select_related("skill")
    skills = scoped_queryset(request, Skill).order_by("name", "id")
    skill_id = request.GET.get("skill", "")
    if skill_id.isdigit() and len(skill_id) < 19:
        benchmarks = benchmarks.filter(skill_id=int(skill_id))
    else:
        skill_id = ""
    country = request.GET.get("country", "").strip().upper()
    if country:
        try:
            validate_country(country)
        except ValidationError:
            country = ""
        else:
            benchmarks = benchmarks.filter(country=country)
    benchmarks = benchmarks.order_by("skill__name", "country", "-as_of", "id")
    return render_page(
        request,
        "money/benchmark_list.html",
        {
            "page": paginate(request, benchmarks),
            "skills": skills,
            "skill_id": skill_id,
            "country": country,
            "q": "",
            "home_name": country_name(request.workspace.home_country),
        },
        partial="rows",
    )


@workspace_view(roles=[OWNER])
@require_http_methods(["GET", "POST"])
def benchmark_create(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = RateBenchmarkForm(request.POST or None, workspace=workspace)
    if submit(
        request,
        form,
        lambda data: services.create_rate_benchmark(
            workspace=workspace, actor=request.user, **{f: data[f] for f in services.BENCHMARK_FIELDS}
        ),
    ):
        messages.success(request, "Benchmark saved.")
        return redirect("money:benchmark_list")
    return render(
        request, "money/form.html", {"form": form, "title": "Add a rate benchmark", "back": "money:benchmark_list"}
    )


@workspace_view(roles=[OWNER], objects={"pk": RateBenchmark})
@require_http_methods(["GET", "POST"])
def benchmark_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    row = scoped_object(request, RateBenchmark, pk)
    form = RateBenchmarkForm(request.POST or None, instance=copy.copy(row), workspace=request.workspace)
    if submit(
        request,
        form,
        lambda data: services.update_rate_benchmark(
            benchmark=row, actor=request.user, **{f: data[f] for f in services.BENCHMARK_FIELDS}
        ),
    ):
        messages.success(request, "Saved.")
        return redirect("money:benchmark_list")
    return render(
        request,
        "money/form.html",
        {
            "form": form,
            "title": "Edit the benchmark",
            "back": "money:benchmark_list",
            "delete_url": "money:benchmark_delete",
            "object": row,
        },
    )


@workspace_view(roles=[OWNER], objects={"pk": RateBenchmark})
@require_POST
def benchmark_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    row = scoped_object(request, RateBenchmark, pk)
    services.delete_rate_benchmark(benchmark=row, actor=request.user)
    messages.success(request, "Benchmark deleted.")
    return redirect("money:benchmark_list")


@workspace_view(roles=[OWNER])
@require_http_methods(["GET", "POST"])
def benchmark_import(request: WorkspaceRequest) -> HttpResponse:
    return _import(request, kind="benchmarks")

"""Cost pages: the dashboard (TCO, savings, ROI, concentration), the ledger, invoices.

Owners and managers read and write the ledger; invoices are the owner's to manage, and a
freelancer sees only their own invoices (never the ledger). Internal hourly costs of the
team are a billing setting: owner only.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sourcewise.core.access import EVERYONE, INTERNAL, OWNER
from sourcewise.core.csvio import csv_response
from sourcewise.core.form_flow import submit
from sourcewise.core.htmx import render_page
from sourcewise.core.http import WorkspaceRequest
from sourcewise.core.pagination import paginate
from sourcewise.core.validators import currency_or_blank
from sourcewise.costs import (
    charts,
    entry_csv,
    fee_posting,
    invoicing,
    manual_entries,
    periods,
    search,
    stored_reports,
)
from sourcewise.costs.forms import (
    CostEntryForm,
    CsvUploadForm,
    InvoiceForm,
    LedgerFilterForm,
    MemberCostForm,
    PaidInvoiceForm,
    PeriodForm,
    SendInvoiceForm,
)
from sourcewise.costs.jobs import IMPORT
from sourcewise.costs.listing import capped_page
from sourcewise.costs.models import Category, CostEntry, Invoice, InvoiceLine
from sourcewise.jobs.views import start_upload_job
from sourcewise.workspaces.access import scoped_object, scoped_queryset, workspace_view
from sourcewise.workspaces.models import Membership

TASKS_PER_PAGE = 25


def _page_number(request: WorkspaceRequest) -> int:
    value = request.GET.get("engagements_page", "")
    return int(value) if value.isdigit() and 0 < len(value) < 7 else 1


def _today(request: WorkspaceRequest) -> datetime.date:
    return request.workspace.today()


# -- dashboard -------------------------------------------------------------------------------


@workspace_view(roles=INTERNAL)
@require_GET
def dashboard(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    period = PeriodForm(request.GET or None)
    months = 6
    if period.is_valid() and period.cleaned_data.get("months"):
        months = period.cleaned_data["months"]
    today = _today(request)
    start, end = periods.report_period(today, months)
    report = stored_reports.cost_report(workspace, start, end, today, engagements_page=_page_number(request))
    # A workspace can have hundreds of tasks: the costliest first, a page at a time.
    tasks = sorted(report.tasks, key=lambda t: (-t.savings.tco, t.task is None, str(t.task or "")))
    context: dict[str, Any] = {
        "report": report,
        "period": period,
        "months": months,
        "categories": Category.choices,
        "task_page": Paginator(tasks, TASKS_PER_PAGE).get_page(request.GET.get("tasks_page")),
    }
    if report.ledger.complete:
        context["charts"] = {
            "monthly": charts.monthly_costs(report),
            "savings": charts.savings(report),
            "roi": charts.roi_per_task(report),
            "share": charts.concentration(
                report.concentration,
                report.base_currency,
                workspace.max_single_share_pct,
                workspace.hhi_info,
                workspace.hhi_warning,
            ),
        }
    return render(request, "costs/dashboard.html", context)


@workspace_view(roles=INTERNAL)
@require_POST
def post_fees(request: WorkspaceRequest) -> HttpResponse:
    result = fee_posting.post_fees(workspace=request.workspace, actor=request.user)
    messages.success(request, result.describe())
    return redirect("costs:entry_list")


# -- the ledger --------------------------------------------------------------------------------


def filtered_entries(request: WorkspaceRequest) -> tuple[QuerySet[CostEntry], LedgerFilterForm, dict[str, str]]:
    form = LedgerFilterForm(request.GET or None, workspace=request.workspace)
    entries = scoped_queryset(request, CostEntry)
    applied: dict[str, str] = {}
    if form.is_valid():
        data = form.cleaned_data
        if data["category"]:
            entries = entries.filter(category=data["category"])
        if data["engagement"]:
            entries = entries.filter(engagement=data["engagement"])
        if data["task"]:
            entries = entries.filter(task=data["task"])
        currency = currency_or_blank(data["currency"])
        if currency:
            entries = entries.filter(currency=currency)
        if data["date_from"]:
            entries = entries.filter(date__gte=data["date_from"])
        if data["date_to"]:
            entries = entries.filter(date__lte=data["date_to"])
        if data["q"]:
            entries = search.with_description(entries, data["q"])
        applied = {k: request.GET[k] for k in form.fields if request.GET.get(k)}
    return entries, form, applied


@workspace_view(roles=INTERNAL)
@require_GET
def entry_list(request: WorkspaceRequest) -> HttpResponse:
    entries, form, applied = filtered_entries(request)
    text = form.cleaned_data.get("q", "") if form.is_valid() else ""
    entries, ordered_count = search.newest_first(entries, text)
    entries = entries.select_related("engagement__freelancer", "task", "manager__user")
    page = capped_page(request, entries, ordered_count=ordered_count)
    return render_page(
        request,
        "costs/entry_list.html",
        {"page": page, "filters": form, "query": urlencode(applied), "applied": applied},
        partial="rows",
    )


@workspace_view(roles=INTERNAL)
@require_GET
def entry_export(request: WorkspaceRequest) -> StreamingHttpResponse:
    entries, _form, _applied = filtered_entries(request)
    return csv_response(entry_csv.export_lines(entries), "costs.csv")


@workspace_view(roles=INTERNAL)
@require_http_methods(["GET", "POST"])
def entry_create(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    initial = {}
    engagement_id = request.GET.get("engagement", "")
    if engagement_id.isdigit() and len(engagement_id) < 19:
        initial["engagement"] = int(engagement_id)
    form = CostEntryForm(request.POST or None, workspace=workspace, initial=initial)
    done = submit(
        request,
        form,
        lambda _data: manual_entries.create_entry(workspace=workspace, actor=request.user, **form.service_fields()),
    )
    if done:
        entry = done.result
        messages.success(request, f"Cost added: {entry.get_category_display()} {entry.amount} {entry.currency}.")
        return redirect("costs:entry_list")
    return render(request, "costs/entry_form.html", {"form": form, "title": "Add a cost"})


@workspace_view(roles=INTERNAL, objects={"pk": CostEntry})
@require_http_methods(["GET", "POST"])
def entry_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    entry = scoped_object(request, CostEntry, pk)
    if entry.is_generated:
        messages.info(request, manual_entries.GENERATED)
        return redirect("costs:entry_list")
    form = CostEntryForm(request.POST or None, instance=entry, workspace=request.workspace)
    if submit(
        request,
        form,
        lambda _data: manual_entries.update_entry(entry=entry, actor=request.user, **form.service_fields()),
    ):
        messages.success(request, "Saved.")
        return redirect("costs:entry_list")
    return render(request, "costs/entry_form.html", {"form": form, "title": "Edit the cost", "entry": entry})


@workspace_view(roles=INTERNAL, objects={"pk": CostEntry})
@require_POST
def entry_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    entry = scoped_object(request, CostEntry, pk)
    try:
        manual_entries.delete_entry(entry=entry, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Cost deleted.")
    return redirect("costs:entry_list")


@workspace_view(roles=INTERNAL)
@require_http_methods(["GET", "POST"])
def entry_import(request: WorkspaceRequest) -> HttpResponse:
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        return start_upload_job(
            request, form.cleaned_data["file"], kind=IMPORT, back="costs:entry_import", back_label="Import more entries"
        )
    return render(request, "costs/import.html", {"form": form, "columns": entry_csv.CSV_COLUMNS})


# -- invoices ------------------------------------------------------------------------------------


def _invoices(request: WorkspaceRequest) -> QuerySet[Invoice]:
    return scoped_queryset(request, Invoice).select_related("engagement__freelancer", "engagement__task")


@workspace_view(roles=EVERYONE)
@require_GET
def invoice_list(request: WorkspaceRequest) -> HttpResponse:
    invoices = _invoices(request)
    state = request.GET.get("state", "")
    if state in Invoice.State.values:
        invoices = invoices.filter(state=state)
    else:
        state = ""
    return render_page(
        request,
        "costs/invoice_list.html",
        {"page": paginate(request, invoices), "state": state, "states": Invoice.State.choices, "q": ""},
        partial="rows",
    )


@workspace_view(roles=EVERYONE, objects={"pk": Invoice})
@require_GET
def invoice_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    invoice = scoped_object(request, Invoice, pk, _invoices(request))
    context = {
        "invoice": invoice,
        "lines": scoped_queryset(request, InvoiceLine).filter(invoice=invoice),
        "send_form": SendInvoiceForm(),
        "paid_form": PaidInvoiceForm(initial={"amount_paid": invoice.total}),
    }
    return render(request, "costs/invoice_detail.html", context)


@workspace_view(roles=[OWNER])
@require_http_methods(["GET", "POST"])
def invoice_create(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = InvoiceForm(request.POST or None, workspace=workspace)
    done = submit(request, form, lambda data: invoicing.create_invoice(workspace=workspace, actor=request.user, **data))
    if done:
        invoice = done.result
        messages.success(request, f"Draft invoice {invoice.number} created: {invoice.total} {invoice.currency}.")
        return redirect("costs:invoice_detail", pk=invoice.pk)
    return render(request, "costs/invoice_form.html", {"form": form, "title": "New invoice"})


def _transition(request: WorkspaceRequest, pk: int, action: str) -> HttpResponse:
    invoice = scoped_object(request, Invoice, pk)
    try:
        if action == "send":
            form: Any = SendInvoiceForm(request.POST)
            if not form.is_valid():
                raise ValidationError(" ".join(m for errs in form.errors.values() for m in errs))
            invoicing.send_invoice(invoice=invoice, actor=request.user, sent_on=form.cleaned_data["sent_on"])
            messages.success(request, "Invoice sent: its amount now counts as the fees of that month.")
        elif action == "paid":
            form = PaidInvoiceForm(request.POST)
            if not form.is_valid():
                raise ValidationError(" ".join(m for errs in form.errors.values() for m in errs))
            invoicing.mark_paid(invoice=invoice, actor=request.user, **form.cleaned_data)
            messages.success(request, "Payment recorded: the ledger now holds the amount actually paid.")
        else:
            invoicing.delete_invoice(invoice=invoice, actor=request.user)
            messages.success(request, "Draft invoice deleted.")
            return redirect("costs:invoice_list")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("costs:invoice_detail", pk=invoice.pk)


@workspace_view(roles=[OWNER], objects={"pk": Invoice})
@require_POST
def invoice_send(request: WorkspaceRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "send")


@workspace_view(roles=[OWNER], objects={"pk": Invoice})
@require_POST
def invoice_paid(request: WorkspaceRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "paid")


@workspace_view(roles=[OWNER], objects={"pk": Invoice})
@require_POST
def invoice_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "delete")


# -- internal hourly cost of the team (a billing setting) -------------------------------------------


@workspace_view(roles=[OWNER], objects={"pk": Membership})
@require_http_methods(["GET", "POST"])
def member_cost(request: WorkspaceRequest, pk: int) -> HttpResponse:
    member = Membership.objects.filter(workspace=request.workspace, pk=pk).select_related("user", "workspace").first()
    if member is None:
        raise Http404("No such member in this workspace.")
    form = MemberCostForm(
        request.POST or None,
        initial={"hourly_cost": member.internal_hourly_cost, "currency": member.internal_cost_currency},
    )
    if submit(
        request,
        form,
        lambda data: manual_entries.set_internal_cost(
            membership=member, actor=request.user, hourly_cost=data["hourly_cost"], currency=data["currency"]
        ),
    ):
        messages.success(request, f"Internal hourly cost of {member.user.display_name} saved.")
        return redirect("workspaces:members")
    return render(request, "costs/member_cost.html", {"form": form, "member": member})

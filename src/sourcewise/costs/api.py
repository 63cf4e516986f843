"""The cost ledger, reports and invoices over the API.

Amounts go in as decimal numbers or strings and come out as strings holding the exact
decimal value. Owners and managers read and write the ledger; invoices are managed by the
owner and read by a freelancer when they are their own; internal hourly costs are owner-only.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Literal, TypedDict, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model
from ninja import Field, Query, Router, Schema

from sourcewise.api.access import api_access
from sourcewise.api.pagination import PageParams, keyset_page
from sourcewise.api.schemas import Id, InputSchema, Page, path_id, responses
from sourcewise.core.access import EVERYONE, INTERNAL, OWNER
from sourcewise.core.csvio import CsvImportError
from sourcewise.core.http import WorkspaceRequest
from sourcewise.core.schemas import CurrencyCode
from sourcewise.costs import entry_csv, fee_posting, invoicing, manual_entries, periods, reports, savings
from sourcewise.costs.models import AMOUNT_DIGITS, AMOUNT_PLACES, CostEntry, Invoice, InvoiceLine
from sourcewise.engagements.models import Engagement
from sourcewise.money.conversion import exact
from sourcewise.tasks.models import Task
from sourcewise.workspaces.access import scoped_object, scoped_queryset
from sourcewise.workspaces.models import Membership

router = Router(tags=["costs"])

MIN_DATE, MAX_DATE = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)
Amount = Annotated[
    Decimal, Field(gt=0, le=Decimal("999999999999.99"), max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
]
Hours = Annotated[Decimal, Field(gt=0, max_digits=7, decimal_places=2, examples=["3.5"])]
HourlyCost = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2, examples=["45.00"])]
Day = Annotated[datetime.date, Field(ge=MIN_DATE, le=MAX_DATE, examples=["2026-03-01"])]
CategoryCode = Literal[
    "fees",
    "platform_fees",
    "tools",
    "licences",
    "hardware",
    "training",
    "communication",
    "recruiting",
    "management",
    "other",
]
CSV_MAX = 5 * 1024 * 1024


def _text(value: Decimal | None) -> str | None:
    return None if value is None else exact(value)


# -- cost entries --------------------------------------------------------------------------


class CostEntryIn(InputSchema):
    category: CategoryCode
    date: Day
    amount: Amount | None = Field(None, description="Leave out for management time given as manager_id + hours.")
    currency: CurrencyCode | None = None
    description: str = Field("", max_length=300)
    engagement_id: Id | None = None
    task_id: Id | None = Field(None, description="Taken from the engagement when one is given.")
    manager_id: Id | None = Field(None, description="Management time: the membership id of the manager.")
    hours: Hours | None = None


class CostEntryOut(Schema):
    id: int
    category: str
    date: datetime.date
    amount: str
    currency: str
    description: str
    engagement_id: int | None
    task_id: int | None
    manager_id: int | None
    hours: str | None
    source: str
    generated: bool

    @staticmethod
    def resolve_amount(obj: CostEntry) -> str:
        return exact(obj.amount)

    @staticmethod
    def resolve_hours(obj: CostEntry) -> str | None:
        return _text(obj.hours)

    @staticmethod
    def resolve_generated(obj: CostEntry) -> bool:
        return obj.is_generated


class CostFilter(PageParams):
    category: CategoryCode | None = None
    engagement_id: Id | None = None
    task_id: Id | None = None
    currency: CurrencyCode | None = None
    date_from: Day | None = None
    date_to: Day | None = None


M = TypeVar("M", bound=Model)


class EntryFields(TypedDict):
    """The fields of a cost entry an API payload sets (the keyword arguments of the services)."""

    category: str
    date: datetime.date
    amount: Decimal | None
    currency: str
    description: str
    engagement: Engagement | None
    task: Task | None
    manager: Membership | None
    hours: Decimal | None


def _entry_fields(request: WorkspaceRequest, payload: CostEntryIn) -> EntryFields:
    def one(model: type[M], pk: int | None, field: str) -> M | None:
        if pk is None:
            return None
        row = scoped_queryset(request, model).filter(pk=pk).first()
        if row is None:
            raise ValidationError({field: f"Unknown {field.removesuffix('_id')} id {pk} in this workspace."})
        return row

    manager = None
    if payload.manager_id is not None:
        manager = (
            Membership.objects.filter(workspace=request.workspace, pk=payload.manager_id).select_related("user").first()
        )
        if manager is None:
            raise ValidationError({"manager_id": f"Unknown member id {payload.manager_id} in this workspace."})
    return {
        "category": payload.category,
        "date": payload.date,
        "amount": payload.amount,
        "currency": payload.currency or "",
        "description": payload.description,
        "engagement": one(Engagement, payload.engagement_id, "engagement_id"),
        "task": one(Task, payload.task_id, "task_id"),
        "manager": manager,
        "hours": payload.hours,
    }


@router.get("/cost-entries", response=responses(Page[CostEntryOut]), auth=api_access(INTERNAL))
def list_cost_entries(request: WorkspaceRequest, params: Query[CostFilter]) -> dict[str, object]:
    rows = scoped_queryset(request, CostEntry)
    for name in ("category", "engagement_id", "task_id", "currency"):
        value = getattr(params, name)
        if value is not None:
            rows = rows.filter(**{name: value})
    if params.date_from:
        rows = rows.filter(date__gte=params.date_from)
    if params.date_to:
        rows = rows.filter(date__lte=params.date_to)
    return keyset_page(rows, params.cursor, params.limit)


@router.post("/cost-entries", response=responses(CostEntryOut, 201), auth=api_access(INTERNAL))
def create_cost_entry(request: WorkspaceRequest, payload: CostEntryIn) -> tuple[int, CostEntry]:
    """Amount and currency, or for management time manager_id + hours (× their internal cost)."""
    fields = _entry_fields(request, payload)
    if payload.amount is None and payload.hours is None:
        raise ValidationError({"amount": "Give the amount (or, for management time, manager_id and hours)."})
    if payload.amount is not None and not payload.currency:
        raise ValidationError({"currency": "Give the currency of the amount."})
    entry = manual_entries.create_entry(workspace=request.workspace, actor=request.user, **fields)
    return 201, entry


class CostCsvIn(InputSchema):
    csv: str = Field(max_length=CSV_MAX, description="The CSV text, header line first.")
    filename: str = Field("", max_length=200)


class CostImportOut(Schema):
    added: int
    updated: int
    unchanged: int


@router.post("/cost-entries/import", response=responses(CostImportOut), auth=api_access(INTERNAL))
def import_cost_entries(request: WorkspaceRequest, payload: CostCsvIn) -> entry_csv.ImportResult:
    """All or nothing: any bad row is a 422 listing every problem by row; the same file again adds nothing."""

    try:
        return entry_csv.import_entries(
            workspace=request.workspace,
            actor=request.user,
            file=payload.csv,
            filename=payload.filename,
        )
    except CsvImportError as exc:
        raise ValidationError([str(e) for e in exc.errors[:100]]) from None


class FeePostOut(Schema):
    added: int
    updated: int
    removed: int
    unchanged: int


@router.post("/cost-entries/post-fees", response=responses(FeePostOut), auth=api_access(INTERNAL))
def post_fees(request: WorkspaceRequest) -> fee_posting.PostResult:
    """Fees from sent/paid invoices, else approved hours × rate or accepted milestones; idempotent."""
    return fee_posting.post_fees(workspace=request.workspace, actor=request.user)


@router.get(
    "/cost-entries/{entry_id}", response=responses(CostEntryOut), auth=api_access(INTERNAL, {"entry_id": CostEntry})
)
def get_cost_entry(request: WorkspaceRequest, entry_id: int = path_id()) -> CostEntry:
    return scoped_object(request, CostEntry, entry_id)


@router.put(
    "/cost-entries/{entry_id}", response=responses(CostEntryOut), auth=api_access(INTERNAL, {"entry_id": CostEntry})
)
def update_cost_entry(request: WorkspaceRequest, payload: CostEntryIn, entry_id: int = path_id()) -> CostEntry:
    entry = scoped_object(request, CostEntry, entry_id)
    fields = _entry_fields(request, payload)
    if payload.amount is not None and not payload.currency:
        raise ValidationError({"currency": "Give the currency of the amount."})
    return manual_entries.update_entry(entry=entry, actor=request.user, **fields)


@router.delete(
    "/cost-entries/{entry_id}", response=responses(None, 204), auth=api_access(INTERNAL, {"entry_id": CostEntry})
)
def delete_cost_entry(request: WorkspaceRequest, entry_id: int = path_id()) -> tuple[int, None]:
    manual_entries.delete_entry(entry=scoped_object(request, CostEntry, entry_id), actor=request.user)
    return 204, None


# -- reports --------------------------------------------------------------------------------


class CostRateOut(Schema):
    currency: str
    rate: str = Field(description="The owner rate; for ECB rates, the one of the latest day used.")
    valid_from: datetime.date | None = Field(description="The owner rate's start, or the first ECB day used.")
    origin: str = Field(description='"owner" or "ecb" (daily ECB reference rates, summed up per currency).')
    rate_date: datetime.date | None = Field(description="The owner rate's start, or the last ECB day used.")
    text: str


class CostSavingsOut(Schema):
    tco: str
    months: str
    baseline: str | None
    expected: str | None
    actual: str | None
    roi: str | None


class CostMonthOut(Schema):
    month: str
    by_category: dict[str, str]
    tco: str
    baseline: str | None
    expected: str | None
    actual: str | None


class CostTaskOut(Schema):
    task_id: int | None
    task: str
    savings: CostSavingsOut


class EngagementCostOut(Schema):
    engagement_id: int
    label: str
    fees: str
    overhead: str
    savings: CostSavingsOut


class SpendShareOut(Schema):
    freelancer_id: int
    name: str
    spend: str
    share: str


class SpendConcentrationOut(Schema):
    start: datetime.date
    end: datetime.date
    total: str
    hhi: str
    shares: list[SpendShareOut]


class CostReportOut(Schema):
    currency: str = Field(description="The workspace currency every amount is converted to.")
    start: datetime.date
    end: datetime.date
    totals: CostSavingsOut
    months: list[CostMonthOut]
    tasks: list[CostTaskOut]
    engagements: list[EngagementCostOut]
    concentration: SpendConcentrationOut
    exchange_rates_used: list[CostRateOut]


class CostReportParams(Schema):
    months: int = Field(6, ge=1, le=60, description="The last N calendar months, this one included.")


def _savings(s: savings.Savings) -> dict[str, object]:
    return {
        "tco": exact(s.tco.quantize(Decimal("0.01"))),
        "months": f"{s.months.quantize(Decimal('0.0001')):f}",
        "baseline": _money(s.baseline),
        "expected": _money(s.expected),
        "actual": _money(s.actual),
        "roi": None if s.roi is None else f"{s.roi.quantize(Decimal('0.0001')):f}",
    }


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(Decimal('0.01')):f}"


@router.get("/costs/report", response=responses(CostReportOut), auth=api_access(INTERNAL))
def cost_report(request: WorkspaceRequest, params: Query[CostReportParams]) -> dict[str, object]:
    """TCO per month, task and engagement, savings, ROI and spend concentration, in the workspace
    currency (each amount at the rate valid on its date). A missing exchange rate is a 422 naming it."""
    workspace = request.workspace
    today = workspace.today()
    start, end = periods.report_period(today, params.months)
    report = reports.cost_report(workspace, start, end, today)
    if report.missing:
        raise ValidationError([m.messages[0] for m in report.missing])
    c = report.concentration
    return {
        "currency": report.base_currency,
        "start": start,
        "end": end,
        "totals": _savings(report.totals),
        "months": [
            {
                "month": f"{m.month:%Y-%m}",
                "by_category": {k: _money(v) for k, v in m.by_category.items()},
                "tco": _money(m.tco),
                "baseline": _money(m.baseline),
                "expected": _money(m.expected),
                "actual": _money(m.actual),
            }
            for m in report.months
        ],
        "tasks": [
            {
                "task_id": t.task.pk if t.task else None,
                "task": str(t.task or "Whole workspace"),
                "savings": _savings(t.savings),
            }
            for t in report.tasks
        ],
        "engagements": [
            {
                "engagement_id": r.engagement.pk,
                "label": str(r.engagement),
                "fees": _money(r.fees),
                "overhead": _money(r.overhead),
                "savings": _savings(r.savings),
            }
            for r in report.engagements
        ],
        "concentration": {
            "start": c.start,
            "end": c.end,
            "total": _money(c.total),
            "hhi": f"{c.hhi.quantize(Decimal('0.01')):f}",
            "shares": [
                {
                    "freelancer_id": s.freelancer_id,
                    "name": s.name,
                    "spend": _money(s.spend),
                    "share": f"{s.share.quantize(Decimal('0.0001')):f}",
                }
                for s in c.shares
            ],
        },
        "exchange_rates_used": [
            {
                "currency": r.currency,
                "rate": exact(r.rate),
                "valid_from": r.valid_from,
                "origin": r.origin,
                "rate_date": r.rate_date,
                "text": r.describe(),
            }
            for r in report.ledger.describe_rates()
        ],
    }


# -- invoices ---------------------------------------------------------------------------------


class InvoiceLineOut(Schema):
    description: str
    quantity: str | None
    unit_price: str | None
    amount: str


class InvoiceOut(Schema):
    id: int
    number: str
    engagement_id: int
    month: str
    currency: str
    state: str
    total: str
    sent_on: datetime.date | None
    paid_on: datetime.date | None
    amount_paid: str | None


def _invoice_out(invoice: Invoice) -> dict[str, object]:
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "engagement_id": invoice.engagement_id,
        "month": f"{invoice.month:%Y-%m}",
        "currency": invoice.currency,
        "state": invoice.state,
        "total": exact(invoice.total),
        "sent_on": invoice.sent_on,
        "paid_on": invoice.paid_on,
        "amount_paid": _text(invoice.amount_paid),
    }


class InvoiceDetailOut(InvoiceOut):
    lines: list[InvoiceLineOut]


class InvoiceIn(InputSchema):
    engagement_id: Id
    month: Annotated[str, Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", examples=["2026-03"])]
    extra_description: str = Field("", max_length=300)
    extra_amount: Amount | None = None


class InvoiceSendIn(InputSchema):
    sent_on: Day | None = None


class InvoicePaidIn(InputSchema):
    paid_on: Day
    amount_paid: Amount


class InvoiceFilter(PageParams):
    state: Literal["draft", "sent", "paid"] | None = None
    engagement_id: Id | None = None


def _detail(request: WorkspaceRequest, invoice: Invoice) -> dict[str, object]:
    lines = scoped_queryset(request, InvoiceLine).filter(invoice=invoice)
    return {
        **_invoice_out(invoice),
        "lines": [
            {
                "description": line.description,
                "quantity": _text(line.quantity),
                "unit_price": _text(line.unit_price),
                "amount": exact(line.amount),
            }
            for line in lines
        ],
    }


@router.get("/invoices", response=responses(Page[InvoiceOut]), auth=api_access(EVERYONE))
def list_invoices(request: WorkspaceRequest, params: Query[InvoiceFilter]) -> dict[str, object]:
    """Owners and managers: every invoice; a freelancer: their own."""
    rows = scoped_queryset(request, Invoice)
    if params.state:
        rows = rows.filter(state=params.state)
    if params.engagement_id:
        rows = rows.filter(engagement_id=params.engagement_id)
    page = keyset_page(rows, params.cursor, params.limit)
    page["items"] = [_invoice_out(i) for i in page["items"]]
    return page


@router.post("/invoices", response=responses(InvoiceDetailOut, 201), auth=api_access([OWNER]))
def create_invoice(request: WorkspaceRequest, payload: InvoiceIn) -> tuple[int, dict[str, object]]:
    engagement = scoped_queryset(request, Engagement).filter(pk=payload.engagement_id).first()
    if engagement is None:
        raise ValidationError({"engagement_id": f"Unknown engagement id {payload.engagement_id} in this workspace."})
    year, month = (int(x) for x in payload.month.split("-"))
    invoice = invoicing.create_invoice(
        workspace=request.workspace,
        actor=request.user,
        engagement=engagement,
        month=datetime.date(year, month, 1),
        extra_description=payload.extra_description,
        extra_amount=payload.extra_amount,
    )
    return 201, _detail(request, invoice)


@router.get(
    "/invoices/{invoice_id}",
    response=responses(InvoiceDetailOut),
    auth=api_access(EVERYONE, {"invoice_id": Invoice}),
)
def get_invoice(request: WorkspaceRequest, invoice_id: int = path_id()) -> dict[str, object]:
    return _detail(request, scoped_object(request, Invoice, invoice_id))


@router.post(
    "/invoices/{invoice_id}/send",
    response=responses(InvoiceDetailOut),
    auth=api_access([OWNER], {"invoice_id": Invoice}),
)
def send_invoice(request: WorkspaceRequest, payload: InvoiceSendIn, invoice_id: int = path_id()) -> dict[str, object]:
    invoice = invoicing.send_invoice(
        invoice=scoped_object(request, Invoice, invoice_id), actor=request.user, sent_on=payload.sent_on
    )
    return _detail(request, invoice)


@router.post(
    "/invoices/{invoice_id}/pay",
    response=responses(InvoiceDetailOut),
    auth=api_access([OWNER], {"invoice_id": Invoice}),
)
def pay_invoice(request: WorkspaceRequest, payload: InvoicePaidIn, invoice_id: int = path_id()) -> dict[str, object]:
    """Record the payment: the date and the amount actually paid, in the invoice currency."""
    invoice = invoicing.mark_paid(
        invoice=scoped_object(request, Invoice, invoice_id),
        actor=request.user,
        paid_on=payload.paid_on,
        amount_paid=payload.amount_paid,
    )
    return _detail(request, invoice)


@router.delete(
    "/invoices/{invoice_id}", response=responses(None, 204), auth=api_access([OWNER], {"invoice_id": Invoice})
)
def delete_invoice(request: WorkspaceRequest, invoice_id: int = path_id()) -> tuple[int, None]:
    invoicing.delete_invoice(invoice=scoped_object(request, Invoice, invoice_id), actor=request.user)
    return 204, None


# -- internal hourly cost (billing setting: owner only) --------------------------------------------


class MemberCostOut(Schema):
    membership_id: int
    email: str
    role: str
    internal_hourly_cost: str | None
    currency: str


class MemberCostIn(InputSchema):
    internal_hourly_cost: HourlyCost | None = Field(None, description="Leave null to clear.")
    currency: CurrencyCode | None = None


def _member_out(m: Membership) -> dict[str, object]:
    return {
        "membership_id": m.pk,
        "email": m.user.email,
        "role": m.role,
        "internal_hourly_cost": _text(m.internal_hourly_cost),
        "currency": m.internal_cost_currency,
    }


@router.get("/members/costs", response=responses(list[MemberCostOut]), auth=api_access([OWNER]))
def list_member_costs(request: WorkspaceRequest) -> list[dict[str, object]]:
    members = (
        Membership.objects.filter(workspace=request.workspace, role__in=INTERNAL).select_related("user").order_by("pk")
    )
    return [_member_out(m) for m in members]


@router.put(
    "/members/{membership_id}/internal-cost",
    response=responses(MemberCostOut),
    auth=api_access([OWNER], {"membership_id": Membership}),
)
def set_member_cost(
    request: WorkspaceRequest, payload: MemberCostIn, membership_id: int = path_id()
) -> dict[str, object]:
    member = (
        Membership.objects.filter(workspace=request.workspace, pk=membership_id)
        .select_related("user", "workspace")
        .first()
    )
    if member is None:
        from django.http import Http404

        raise Http404("No such member in this workspace.")
    if payload.internal_hourly_cost is not None and not payload.currency:
        raise ValidationError({"currency": "Give the currency of the internal hourly cost."})
    manual_entries.set_internal_cost(
        membership=member, actor=request.user, hourly_cost=payload.internal_hourly_cost, currency=payload.currency or ""
    )
    return _member_out(member)

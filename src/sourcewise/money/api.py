"""Money over the API: exchange rates, rate benchmarks, conversions and the fair band.

Amounts go in as decimal numbers or strings and come out as strings holding the exact
decimal value (never a float).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema

from sourcewise.api.access import api_access
from sourcewise.api.pagination import PageParams, keyset_page
from sourcewise.api.schemas import Id, InputSchema, Page, path_id, responses
from sourcewise.core.access import INTERNAL, OWNER
from sourcewise.core.dates import server_today
from sourcewise.core.http import WorkspaceRequest
from sourcewise.core.schemas import CountryCode, CurrencyCode
from sourcewise.money import services
from sourcewise.money.agreed_rates import (
    SkillBand,
    bands_for,
    task_skills,
)
from sourcewise.money.conversion import Conversion, RateUsed, builtin_rates, convert, exact, load_rates
from sourcewise.money.ecb import SOURCE as ECB_SOURCE
from sourcewise.money.fairband import FairBand, Market, classify_rate, load_rate_book
from sourcewise.money.models import MONEY_DIGITS, MONEY_PLACES, RATE_DIGITS, RATE_PLACES, ExchangeRate, RateBenchmark
from sourcewise.talent.models import Freelancer, Skill
from sourcewise.tasks.models import Task
from sourcewise.workspaces.access import scoped_object, scoped_queryset

router = Router(tags=["money"])

MIN_DATE, MAX_DATE = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)
Money = Annotated[Decimal, Field(gt=0, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, examples=["25.00"])]
Rate = Annotated[Decimal, Field(gt=0, max_digits=RATE_DIGITS, decimal_places=RATE_PLACES, examples=["0.0094"])]
Day = Annotated[datetime.date, Field(ge=MIN_DATE, le=MAX_DATE, examples=["2026-03-01"])]
Source = Annotated[str, Field(max_length=200)]
CSV_MAX = 5 * 1024 * 1024


# -- exchange rates ---------------------------------------------------------------------


class ExchangeRateIn(InputSchema):
    currency: CurrencyCode
    rate: Rate = Field(description="What 1 unit of the currency is worth in the workspace currency.")
    valid_from: Day
    source: Source = ""


class ExchangeRateOut(Schema):
    id: int
    currency: str
    base_currency: str
    rate: str = Field(description="Exact decimal as a string.")
    valid_from: datetime.date
    source: str
    origin: str = Field("owner", description='Always "owner": a rate of this workspace (wins over the ECB).')

    @staticmethod
    def resolve_rate(obj: ExchangeRate) -> str:
        return exact(obj.rate)


class CsvIn(InputSchema):
    csv: str = Field(max_length=CSV_MAX, description="The CSV text, header line first.")
    filename: str = Field("", max_length=200)


class ImportOut(Schema):
    added: int
    updated: int
    unchanged: int


class RateFilter(PageParams):
    currency: CurrencyCode | None = None


@router.get("/exchange-rates", response=responses(Page[ExchangeRateOut]), auth=api_access(INTERNAL))
def list_exchange_rates(request: WorkspaceRequest, params: Query[RateFilter]) -> dict[str, object]:
    rates = scoped_queryset(request, ExchangeRate).filter(base_currency=request.workspace.base_currency)
    if params.currency:
        rates = rates.filter(currency=params.currency)
    return keyset_page(rates, params.cursor, params.limit)


@router.post("/exchange-rates", response=responses(ExchangeRateOut, 201), auth=api_access([OWNER]))
def create_exchange_rate(request: WorkspaceRequest, payload: ExchangeRateIn) -> tuple[int, ExchangeRate]:
    row = services.create_exchange_rate(workspace=request.workspace, actor=request.user, **payload.dict())
    return 201, row


@router.post("/exchange-rates/import", response=responses(ImportOut), auth=api_access([OWNER]))
def import_exchange_rates(request: WorkspaceRequest, payload: CsvIn) -> services.ImportResult:
    """All or nothing: any bad line is a 422 listing every problem by line; the same file again adds nothing."""
    return services.import_exchange_rates(
        workspace=request.workspace,
        actor=request.user,
        source=payload.csv,
        filename=payload.filename,
    )


class RateUsedOut(Schema):
    currency: str
    base_currency: str
    rate: str
    valid_from: datetime.date | None
    source: str
    origin: str = Field(description='"owner" (a rate of this workspace), "ecb" (ECB reference rate) or "workspace".')
    rate_date: datetime.date | None = Field(description="The owner rate's start, or the ECB publication day used.")
    text: str


def rate_used_out(rate: RateUsed) -> dict[str, object]:
    return {
        "currency": rate.currency,
        "base_currency": rate.base_currency,
        "rate": exact(rate.rate),
        "valid_from": rate.valid_from,
        "source": rate.source,
        "origin": rate.origin,
        "rate_date": rate.rate_date,
        "text": rate.describe(),
    }


class BuiltinRatesOut(Schema):
    source: str = Field(description="The citation of the built-in rates.")
    label: str = Field(description='How a built-in rate is labelled: "ECB reference rate".')
    first: datetime.date = Field(description="The first day of the bundled ECB history.")
    last: datetime.date = Field(description="The last day of the bundled ECB history.")
    age_days: int = Field(description="Days from the last bundled day to the workspace's today.")
    stale: bool = Field(description="Whether the history is old enough for the pages to say so.")
    notice: str
    currencies: list[str] = Field(description="Currencies the ECB still published on the last bundled day.")


@router.get("/exchange-rates/builtin", response=responses(BuiltinRatesOut), auth=api_access(INTERNAL))
def builtin_exchange_rates(request: WorkspaceRequest) -> dict[str, object]:
    """The built-in ECB reference rates: their source, the bundled history's dates and age."""
    builtin = builtin_rates(request.workspace.today())
    return {
        "source": builtin.citation,
        "label": ECB_SOURCE,
        "first": builtin.first,
        "last": builtin.last,
        "age_days": builtin.freshness.age_days,
        "stale": builtin.freshness.stale,
        "notice": builtin.freshness.notice(),
        "currencies": builtin.currencies,
    }


class RateLookupParams(Schema):
    currency: CurrencyCode
    on: Day | None = Field(None, description="The date; the workspace's today when left out.")


@router.get("/exchange-rates/lookup", response=responses(RateUsedOut), auth=api_access(INTERNAL))
def lookup_exchange_rate(request: WorkspaceRequest, params: Query[RateLookupParams]) -> dict[str, object]:
    """The rate a conversion of `currency` on `on` uses: the owner's when valid, else the ECB's; 422 when none."""
    workspace = request.workspace
    return rate_used_out(load_rates(workspace).rate_on(params.currency, params.on or workspace.today()))


@router.get(
    "/exchange-rates/{rate_id}",
    response=responses(ExchangeRateOut),
    auth=api_access(INTERNAL, {"rate_id": ExchangeRate}),
)
def get_exchange_rate(request: WorkspaceRequest, rate_id: int = path_id()) -> ExchangeRate:
    return scoped_object(request, ExchangeRate, rate_id)


@router.delete(
    "/exchange-rates/{rate_id}", response=responses(None, 204), auth=api_access([OWNER], {"rate_id": ExchangeRate})
)
def delete_exchange_rate(request: WorkspaceRequest, rate_id: int = path_id()) -> tuple[int, None]:
    services.delete_exchange_rate(exchange_rate=scoped_object(request, ExchangeRate, rate_id), actor=request.user)
    return 204, None


class ConversionOut(Schema):
    amount: str
    currency: str
    on: datetime.date
    converted: str
    base_currency: str
    rate_used: RateUsedOut
    text: str


def conversion_out(c: Conversion) -> dict[str, object]:
    return {
        "amount": exact(c.amount),
        "currency": c.currency,
        "on": c.on_date,
        "converted": exact(c.converted),
        "base_currency": c.base_currency,
        "rate_used": rate_used_out(c.rate),
        "text": c.describe(),
    }


class ConvertParams(Schema):
    amount: Money
    currency: CurrencyCode
    on: Day | None = Field(None, description="Date of the amount; today when left out.")


@router.get("/convert", response=responses(ConversionOut), auth=api_access(INTERNAL))
def convert_amount(request: WorkspaceRequest, params: Query[ConvertParams]) -> dict[str, object]:
    """The amount in the workspace currency with the rate valid on the date; 422 when no rate is."""
    on = params.on or server_today()
    return conversion_out(convert(request.workspace, params.amount, params.currency, on))


# -- rate benchmarks --------------------------------------------------------------------


class BenchmarkIn(InputSchema):
    skill_id: Id
    country: CountryCode
    hourly_rate: Money
    currency: CurrencyCode
    as_of: Day
    source: Source = Field(min_length=1)


class BenchmarkOut(Schema):
    id: int
    skill_id: int
    skill: str
    country: str
    hourly_rate: str
    currency: str
    as_of: datetime.date
    source: str

    @staticmethod
    def resolve_skill(obj: RateBenchmark) -> str:
        return obj.skill.name

    @staticmethod
    def resolve_hourly_rate(obj: RateBenchmark) -> str:
        return exact(obj.hourly_rate)


class BenchmarkFilter(PageParams):
    skill_id: Id | None = None
    country: CountryCode | None = None


def _skill(request: WorkspaceRequest, skill_id: int) -> Skill:
    skill = scoped_queryset(request, Skill).filter(pk=skill_id).first()
    if skill is None:
        raise ValidationError({"skill_id": f"Unknown skill id {skill_id} in this workspace."})
    return skill


@router.get("/rate-benchmarks", response=responses(Page[BenchmarkOut]), auth=api_access(INTERNAL))
def list_rate_benchmarks(request: WorkspaceRequest, params: Query[BenchmarkFilter]) -> dict[str, object]:
    rows = scoped_queryset(request, RateBenchmark).select_related("skill")
    if params.skill_id:
        rows = rows.filter(skill_id=params.skill_id)
    if params.country:
        rows = rows.filter(country=params.country)
    return keyset_page(rows, params.cursor, params.limit)


@router.post("/rate-benchmarks", response=responses(BenchmarkOut, 201), auth=api_access([OWNER]))
def create_rate_benchmark(request: WorkspaceRequest, payload: BenchmarkIn) -> tuple[int, RateBenchmark]:
    data = payload.dict(exclude={"skill_id"})
    row = services.create_rate_benchmark(
        workspace=request.workspace,
        actor=request.user,
        skill=_skill(request, payload.skill_id),
        **data,
    )
    return 201, row


@router.post("/rate-benchmarks/import", response=responses(ImportOut), auth=api_access([OWNER]))
def import_rate_benchmarks(request: WorkspaceRequest, payload: CsvIn) -> services.ImportResult:
    """All or nothing: skills by name, countries by ISO code; any bad line is a 422 listing every problem."""
    return services.import_rate_benchmarks(
        workspace=request.workspace,
        actor=request.user,
        source=payload.csv,
        filename=payload.filename,
    )


@router.get(
    "/rate-benchmarks/{benchmark_id}",
    response=responses(BenchmarkOut),
    auth=api_access(INTERNAL, {"benchmark_id": RateBenchmark}),
)
def get_rate_benchmark(request: WorkspaceRequest, benchmark_id: int = path_id()) -> RateBenchmark:
    return scoped_object(
        request, RateBenchmark, benchmark_id, scoped_queryset(request, RateBenchmark).select_related("skill")
    )


@router.delete(
    "/rate-benchmarks/{benchmark_id}",
    response=responses(None, 204),
    auth=api_access([OWNER], {"benchmark_id": RateBenchmark}),
)
def delete_rate_benchmark(request: WorkspaceRequest, benchmark_id: int = path_id()) -> tuple[int, None]:
    services.delete_rate_benchmark(benchmark=scoped_object(request, RateBenchmark, benchmark_id), actor=request.user)
    return 204, None


# -- the fair band ----------------------------------------------------------------------


class MarketOut(Schema):
    amount: str
    estimated: bool
    text: str
    benchmark_id: int
    benchmark_country: str
    benchmark_rate: str
    benchmark_currency: str
    benchmark_as_of: datetime.date
    benchmark_source: str
    estimate_source: str | None
    estimate_years: str | None


class FairBandOut(Schema):
    classification: str = Field(description="below_market, under_floor, fair, above_home or unknown.")
    label: str
    finding_code: str | None
    severity: str | None
    skill_id: int
    skill: str
    country: str
    home_country: str
    currency: str = Field(description="The workspace currency every amount below is in.")
    on: datetime.date
    premium_pct: int
    rate: ConversionOut
    market: MarketOut | None
    home_market: MarketOut | None
    floor: str | None
    floor_capped: bool
    ceiling: str | None
    estimated: bool
    exchange_rates_used: list[RateUsedOut]
    explanation: str
    notes: list[str]


def _market_out(m: Market | None) -> dict[str, object] | None:
    if m is None:
        return None
    b = m.benchmark
    return {
        "amount": exact(m.amount),
        "estimated": m.estimated,
        "text": m.describe(),
        "benchmark_id": b.pk,
        "benchmark_country": b.country,
        "benchmark_rate": exact(b.hourly_rate),
        "benchmark_currency": b.currency,
        "benchmark_as_of": b.as_of,
        "benchmark_source": b.source,
        "estimate_source": m.estimate.source if m.estimate else None,
        "estimate_years": m.estimate.years if m.estimate else None,
    }


def fair_band_out(band: FairBand) -> dict[str, object]:
    return {
        "classification": str(band.classification),
        "label": band.label,
        "finding_code": band.finding_code,
        "severity": str(band.severity) if band.severity else None,
        "skill_id": band.skill_id,
        "skill": band.skill_name,
        "country": band.country,
        "home_country": band.home_country,
        "currency": band.base_currency,
        "on": band.on_date,
        "premium_pct": band.premium_pct,
        "rate": conversion_out(band.rate),
        "market": _market_out(band.market),
        "home_market": _market_out(band.home_market),
        "floor": exact(band.floor) if band.floor is not None else None,
        "floor_capped": band.floor_capped,
        "ceiling": exact(band.ceiling) if band.ceiling is not None else None,
        "estimated": band.estimated,
        "exchange_rates_used": [rate_used_out(r) for r in band.rates_used],
        "explanation": band.explanation,
        "notes": band.notes,
    }


class FairBandParams(Schema):
    skill_id: Id
    country: CountryCode
    rate: Money = Field(description="The agreed hourly rate.")
    currency: CurrencyCode
    on: Day | None = Field(None, description="Date the rate applies; today when left out.")


@router.get("/fair-band", response=responses(FairBandOut), auth=api_access(INTERNAL))
def fair_band(request: WorkspaceRequest, params: Query[FairBandParams]) -> dict[str, object]:
    """Classify an hourly rate against the fair band of SPEC G4 (422 when an exchange rate is missing)."""
    band = classify_rate(
        request.workspace,
        skill=_skill(request, params.skill_id),
        country=params.country,
        rate=params.rate,
        currency=params.currency,
        on_date=params.on or server_today(),
    )
    return fair_band_out(band)


# -- the fair band of an agreed rate: per skill of the task (SPEC G4) ----------------------


class SkillBandOut(Schema):
    skill_id: int
    skill: str
    classification: str = Field(
        description="below_market, under_floor, fair, above_home, unknown, or missing_exchange_rate."
    )
    benchmark_id: int | None = Field(description="The benchmark the local market comes from (home one if estimated).")
    band: FairBandOut | None
    error: str | None = Field(description="Why there is no band: the exchange rate that is missing.")


class AgreedRateBandsOut(Schema):
    freelancer_id: int
    task_id: int
    country: str
    on: datetime.date = Field(description="Date of the exchange rates and benchmarks used.")
    rate: str
    currency: str
    bands: list[SkillBandOut] = Field(description="One per skill the task needs, by skill name.")


def skill_band_out(sb: SkillBand) -> dict[str, object]:
    benchmark = sb.benchmark
    return {
        "skill_id": sb.skill.pk,
        "skill": sb.skill.name,
        "classification": sb.classification,
        "benchmark_id": benchmark.pk if benchmark is not None else None,
        "band": fair_band_out(sb.band) if sb.band is not None else None,
        "error": sb.error.messages[0] if sb.error is not None else None,
    }


def agreed_rate_bands_out(
    *, freelancer: Freelancer, task: Task, bands: list[SkillBand], rate: Decimal, currency: str, on: datetime.date
) -> dict[str, object]:
    return {
        "freelancer_id": freelancer.pk,
        "task_id": task.pk,
        "country": freelancer.country,
        "on": on,
        "rate": exact(rate),
        "currency": currency,
        "bands": [skill_band_out(sb) for sb in bands],
    }


class AgreedRateParams(Schema):
    freelancer_id: Id
    task_id: Id
    rate: Money = Field(description="The hourly rate to agree.")
    currency: CurrencyCode
    on: Day | None = Field(None, description="The start date; today (in the workspace's time zone) when left out.")


@router.get("/fair-band/engagement", response=responses(AgreedRateBandsOut), auth=api_access(INTERNAL))
def agreed_rate_fair_band(request: WorkspaceRequest, params: Query[AgreedRateParams]) -> dict[str, object]:
    """The fair band of a rate before an engagement is saved: one per skill of the task.

    Another workspace's freelancer or task is a 404. A missing exchange rate is reported
    per skill (`error`), not as a failure.
    """
    workspace = request.workspace
    freelancer = scoped_object(request, Freelancer, params.freelancer_id)
    task = scoped_object(request, Task, params.task_id)
    skills = task_skills(task)
    on = params.on or workspace.today()
    book = load_rate_book(workspace, skill_ids=[s.pk for s in skills])
    bands = bands_for(
        book, skills=skills, country=freelancer.country, rate=params.rate, currency=params.currency, on_date=on
    )
    return agreed_rate_bands_out(
        freelancer=freelancer, task=task, bands=bands, rate=params.rate, currency=params.currency, on=on
    )

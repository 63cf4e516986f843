"""The cost ledger of a period, converted to the workspace currency (`load_ledger`), and its exchange rates.

Reports read the monthly summary (`CostMonth`), never the million entries:

* a calendar month wholly inside the period comes from the summary, converted with the
  rate valid in that month — exact, because when no rate of that currency starts inside
  the month the same rate is valid on every day of it;
* a month cut by the period (the first days of a 90-day window), or in which a rate of the
  currency starts after the 1st (or none is valid on the 1st), is summed from the entries
  per day, each day converted with the rate valid on that day.

Rates: the owner's rate valid on a date wins; else the ECB reference rate of that date
(`money.conversion`). Only owner rates are steady over a month, so a whole month comes from the
summary only when an owner rate covers all of it; days converted with ECB rates are read from the
entries summed per day (in the same query as the owner-rated days) and converted in Python,
one in-memory bisect per (currency, day), never a query per day.

So a report is: exchange rates (1 query), summary (1), the cut days if any (1), the
engagements and tasks named (2). An amount whose rate is missing is not guessed: the
`Ledger` lists it in `missing` and pages show the error instead of a wrong total.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from django.db.models import Case, DateField, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncMonth

from sourcewise.costs import formulas
from sourcewise.costs.formulas import ZERO
from sourcewise.costs.models import CostEntry, CostMonth, month_end, month_start
from sourcewise.costs.periods import months_between
from sourcewise.money.conversion import EcbRatesUsed, MissingExchangeRate, Rates, RateUsed, owner_rates
from sourcewise.money.models import ExchangeRate
from sourcewise.workspaces.models import Workspace

K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class Slice:
    """Costs of one (period part, category, engagement, task, currency), in both currencies."""

    start: datetime.date  # a whole month (start = 1st) or a single day (start = end)
    end: datetime.date
    category: str
    engagement_id: int | None
    task_id: int | None
    currency: str
    amount: Decimal
    converted: Decimal  # 0 when the rate is missing (then `rated` is False and Ledger.missing says why)
    rated: bool = True

    @property
    def month(self) -> datetime.date:
        return month_start(self.start)


@dataclass(frozen=True, slots=True)
class MonthSlice:
    """Costs of one (month, category, currency): the exact monthly view (charts, totals)."""

    month: datetime.date
    category: str
    currency: str
    amount: Decimal
    converted: Decimal


@dataclass
class Ledger:
    """The ledger of a period, converted, in two views of the same money:

    * `monthly` — per (month, category, currency), converted exactly in Python: totals, charts;
    * `slices` — per (category, engagement, task, currency) over the whole period, converted in
      SQL month by month (day by day where read from the entries): who and what the money was for.
    """

    base_currency: str
    start: datetime.date
    end: datetime.date
    slices: list[Slice] = field(default_factory=list)
    monthly: list[MonthSlice] = field(default_factory=list)
    rates_used: dict[tuple[str, datetime.date | None], RateUsed] = field(default_factory=dict)
    missing: dict[str, MissingExchangeRate] = field(default_factory=dict)
    queries: int = 0

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def used_ecb(self) -> bool:
        """Whether any amount was converted with a built-in ECB rate."""
        return any(r.is_ecb for r in self.rates_used.values())

    def within(self, start: datetime.date, end: datetime.date) -> list[Slice]:
        return [s for s in self.slices if s.start >= start and s.end <= end]

    def total(self, slices: Iterable[Slice] | None = None) -> Decimal:
        if slices is None:
            return formulas.tco(m.converted for m in self.monthly)
        return formulas.tco(s.converted for s in slices)

    def by(self, key: Callable[[Slice], K], slices: Iterable[Slice] | None = None) -> dict[K, Decimal]:
        totals: dict[K, Decimal] = defaultdict(Decimal)
        for s in self.slices if slices is None else slices:
            totals[key(s)] += s.converted
        return dict(totals)

    def by_month(self) -> dict[tuple[datetime.date, str], Decimal]:
        totals: dict[tuple[datetime.date, str], Decimal] = defaultdict(Decimal)
        for m in self.monthly:
            totals[(m.month, m.category)] += m.converted
        return dict(totals)

    def original_totals(self) -> dict[str, Decimal]:
        """Per currency, before conversion (what the raw SQL sums)."""
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for m in self.monthly:
            totals[m.currency] += m.amount
        return dict(totals)

    def describe_rates(self) -> list[RateUsed | EcbRatesUsed]:
        """The owner rates used, and per currency one summary of the daily ECB rates used."""
        owner: list[RateUsed | EcbRatesUsed] = []
        ecb: dict[str, list[RateUsed]] = defaultdict(list)
        for r in self.rates_used.values():
            if r.is_identity:
                continue
            if r.is_ecb:
                ecb[r.currency].append(r)
            else:
                owner.append(r)
        owner += [EcbRatesUsed.of(used) for used in ecb.values()]
        return sorted(owner, key=lambda r: (r.currency, r.is_ecb, r.valid_from or datetime.date.min))


class ExchangeRatePeriods(Rates):
    """`money.conversion.Rates` plus each currency's owner rate periods, for converting inside SQL."""

    def __init__(self, base_currency: str, rows: list[ExchangeRate], *, builtin: bool = True) -> None:
        super().__init__(base_currency, rows, builtin=builtin)
        by_currency: dict[str, list[ExchangeRate]] = defaultdict(list)
        for row in rows:
            if row.base_currency == base_currency and row.currency != base_currency:
                by_currency[row.currency].append(row)
        self._periods: dict[str, list[tuple[ExchangeRate, datetime.date | None]]] = {}
        for currency, found in by_currency.items():
            found.sort(key=lambda r: r.valid_from)
            untils: list[datetime.date | None] = [r.valid_from for r in found[1:]]
            self._periods[currency] = list(zip(found, [*untils, None], strict=True))

    def periods(self) -> dict[str, list[tuple[ExchangeRate, datetime.date | None]]]:
        """Per currency: (rate row, the day the next one starts or None), oldest first."""
        return self._periods


def load_rates(workspace: Workspace) -> tuple[ExchangeRatePeriods, dict[str, list[datetime.date]]]:
    """Every owner rate of the workspace (1 query), the ECB's behind them, and the days on which each
    currency's owner rate changes."""
    return rates_of(workspace, list(owner_rates(workspace)))


def rates_of(
    workspace: Workspace, rows: list[ExchangeRate]
) -> tuple[ExchangeRatePeriods, dict[str, list[datetime.date]]]:
    """`load_rates` over rows already read."""
    starts: dict[str, list[datetime.date]] = defaultdict(list)
    for row in rows:
        starts[row.currency].append(row.valid_from)
    return ExchangeRatePeriods(workspace.base_currency, rows), starts


def _changes_inside(starts: list[datetime.date], month: datetime.date) -> bool:
    last = month_end(month)
    return any(month < d <= last for d in starts)


def _owner_rated(rates: Rates, currency: str, on: datetime.date) -> bool:
    return rates.owner_rate_on(currency, on) is not None


RATE_OUT = DecimalField(max_digits=24, decimal_places=12)
SUM_OUT = DecimalField(max_digits=40, decimal_places=14)
NO_RATE = Value(None, output_field=RATE_OUT)


def load_ledger(
    workspace: Workspace,
    start: datetime.date,
    end: datetime.date,
    *,
    rates: tuple[ExchangeRatePeriods, dict[str, list[datetime.date]]] | None = None,
    categories: Iterable[str] | None = None,
    engagements: Iterable[int] | None = None,
) -> Ledger:
    """The ledger between start and end (both included), converted, mostly read from the summary.

    `engagements`: only the costs of these engagements (a scoped findings refresh judges a few
    engagements; reading the whole workspace's 90 days for them took seconds at 1,000,000 entries).

    Queries: the summary per (month, category, currency) and per (category, engagement, task,
    currency); one over the entries of the days the summary cannot answer, if any.
    """
    rates_, starts = rates if rates is not None else load_rates(workspace)
    ledger = Ledger(base_currency=workspace.base_currency, start=start, end=end, queries=0 if rates else 1)
    if end < start:
        return ledger
    base = workspace.base_currency
    whole = [m for m in months_between(start, end) if m >= start and month_end(m) <= end]
    only = sorted(engagements) if engagements is not None else None
    if only is None:
        summary = CostMonth.objects.filter(workspace=workspace, month__in=whole)
    else:
        # By the engagements' index, not every summary row of the workspace's months (40 ms, not 1).
        summary = CostMonth.objects.in_workspace_unindexed(workspace.pk).filter(month__in=whole, engagement_id__in=only)
    if categories is not None:
        summary = summary.filter(category__in=list(categories))
    rows = list(summary.values_list("month", "category", "currency").annotate(total=Sum("total")).order_by())
    ledger.queries += 1
    split: set[tuple[datetime.date, str]] = set()
    decided: dict[tuple[datetime.date, str], RateUsed | None] = {}
    for month, category, currency, total in rows:
        key = (month, currency)
        if key not in decided:
            # An owner rate starting inside the month, or none valid on its first day (ECB rates
            # change daily): read that month's days so each is converted (or reported missing)
            # with its own date.
            whole_month = currency == base or (
                not _changes_inside(starts.get(currency, []), month) and _owner_rated(rates_, currency, month)
            )
            found = rates_.rate_on(currency, month) if whole_month else None
            decided[key] = found
            if found is None:
                split.add(key)
            else:
                ledger.rates_used[(currency, found.valid_from)] = found
        used = decided[key]
        if used is None:
            continue
        amount = total if isinstance(total, Decimal) else Decimal(total)
        ledger.monthly.append(MonthSlice(month, category, currency, amount, amount * used.rate))
    rated = {k: v for k, v in decided.items() if v is not None}
    if rated:
        # The rate of a row's (month, currency), chosen month first: SQLite then tests a few conditions
        # a row, not each (month, currency) pair in turn (6 months of 4 currencies: 24 pairs).
        currencies: dict[datetime.date, list[When]] = defaultdict(list)
        for (m, c), u in rated.items():
            currencies[m].append(When(currency=c, then=Value(u.rate, output_field=RATE_OUT)))
        per_month = Case(
            *[
                When(month=m, then=Case(*whens, default=NO_RATE, output_field=RATE_OUT))
                for m, whens in currencies.items()
            ],
            default=NO_RATE,
            output_field=RATE_OUT,
        )
        detail = summary
        if split:
            detail = detail.exclude(_any(Q(month=m, currency=c) for m, c in split))
        for category, engagement_id, task_id, currency, amount, converted in (
            detail.values_list("category", "engagement_id", "task_id", "currency")
            .annotate(amt=Sum("total"), conv=Sum(F("total") * per_month, output_field=SUM_OUT))
            .order_by()
        ):
            ledger.slices.append(
                Slice(start, end, category, engagement_id, task_id, currency, _dec(amount), _dec(converted))
            )
        ledger.queries += 1
    # Days read from the entries: the cut months at both ends, and split (month, currency) pairs.
    days = Q()
    if whole:
        if start < whole[0]:
            days |= Q(date__gte=start, date__lt=whole[0])
        if month_end(whole[-1]) < end:
            days |= Q(date__gt=month_end(whole[-1]), date__lte=end)
    else:
        days |= Q(date__gte=start, date__lte=end)
    for month, currency in sorted(split):
        days |= Q(date__gte=month, date__lte=month_end(month), currency=currency)
    if days:
        if only is None:
            raw = CostEntry.objects.filter(workspace=workspace)
        else:
            # Scoped through the engagement's own workspace, not the entry's: SQLite (no ANALYZE)
            # would otherwise walk every entry of the workspace by its workspace index rather than
            # these engagements' entries by theirs (3 s, not 3 ms, at 1,000,000 entries).
            raw = CostEntry.objects.filter(engagement_id__in=only, engagement__workspace=workspace)
        raw = raw.filter(days)
        if categories is not None:
            raw = raw.filter(category__in=list(categories))
        _load_days(ledger, raw, rates_, base, start, end)
    return ledger


def _any(conditions: Iterable[Q]) -> Q:
    combined = Q()
    for condition in conditions:
        combined |= condition
    return combined


def _dec(value: object) -> Decimal:
    if value is None:
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _load_days(
    ledger: Ledger,
    raw: QuerySet[CostEntry],
    rates: ExchangeRatePeriods,
    base: str,
    start: datetime.date,
    end: datetime.date,
) -> None:
    """Entries of single days (1 query): converted in SQL where an owner rate is valid on the day;
    the other days are summed per day and converted in Python with the ECB rate of each day
    (or reported missing)."""
    periods = rates.periods()
    whens = [When(currency=base, then=Value(Decimal(1), output_field=RATE_OUT))]
    uncovered = ~Q(currency=base) & ~Q(currency__in=list(periods))
    for currency, spans in periods.items():
        first = spans[0][0]
        uncovered |= Q(currency=currency, date__lt=first.valid_from)
        for row, until in spans:
            if (until is not None and until <= start) or row.valid_from > end:
                continue  # a rate that is valid on none of these days
            condition = Q(currency=currency, date__gte=row.valid_from)
            if until is not None:
                condition &= Q(date__lt=until)
            whens.append(When(condition, then=Value(row.rate, output_field=RATE_OUT)))
    per_day = Case(*whens, default=Value(None, output_field=RATE_OUT), output_field=RATE_OUT)
    # Owner-rated days group as before (day = NULL); the others group per day.
    day = Case(When(uncovered, then=F("date")), default=Value(None), output_field=DateField())
    converted = Sum(F("amount") * per_day, output_field=SUM_OUT)
    monthly: dict[tuple[datetime.date, str, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    detail: dict[tuple[str, int | None, int | None, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    for month, category, engagement_id, task_id, currency, on, amount, value in (
        raw.annotate(m=TruncMonth("date"), day=day)
        .values_list("m", "category", "engagement_id", "task_id", "currency", "day")
        .annotate(amt=Sum("amount"), conv=converted)
        .order_by()
    ):
        month = month.date() if isinstance(month, datetime.datetime) else month
        amount = _dec(amount)
        unrated = 0
        if on is not None:
            on = on if isinstance(on, datetime.date) else datetime.date.fromisoformat(str(on))
            try:
                used = rates.rate_on(currency, on)
            except MissingExchangeRate as exc:
                unrated, value = 1, ZERO
                known = ledger.missing.get(currency)
                if known is None or on < known.on_date:
                    ledger.missing[currency] = exc
            else:
                value = amount * used.rate
                ledger.rates_used[(currency, used.valid_from)] = used
        elif currency != base:
            last = month_end(month)  # once a row, not once a rate of the currency
            for row, until in periods.get(currency, []):
                if row.valid_from <= last and (until is None or until > month):
                    ledger.rates_used[(currency, row.valid_from)] = RateUsed(
                        currency, base, row.rate, row.valid_from, row.source
                    )
        by_month = monthly[(month, category, currency)]
        by_month[0] += amount
        by_month[1] += _dec(value)
        by_subject = detail[(category, engagement_id, task_id, currency)]
        by_subject[0] += amount
        by_subject[1] += _dec(value)
        by_subject[2] += unrated
    for (month, category, currency), (amount, value) in monthly.items():
        ledger.monthly.append(MonthSlice(month, category, currency, amount, value))
    for (category, engagement_id, task_id, currency), (amount, value, unrated_days) in detail.items():
        ledger.slices.append(
            Slice(start, end, category, engagement_id, task_id, currency, amount, value, rated=not unrated_days)
        )
    ledger.queries += 1


def convert_on(
    rates: Rates, amount: Decimal, currency: str, on: datetime.date, ledger: Ledger | None = None
) -> Decimal | None:
    """An amount that is not a ledger entry (baseline, expected saving) on one date; None if no rate."""
    rate = noted_rate(rates, currency, on, ledger)
    return None if rate is None else amount * rate


def noted_rate(rates: Rates, currency: str, on: datetime.date, ledger: Ledger | None = None) -> Decimal | None:
    """The rate `convert_on` multiplies by, noted on the ledger (used, or missing); None if no rate."""
    try:
        used = rates.rate_on(currency, on)
    except MissingExchangeRate as exc:
        if ledger is not None:
            ledger.missing.setdefault(currency, exc)
        return None
    if ledger is not None:
        ledger.rates_used[(used.currency, used.valid_from)] = used
    return used.rate


class RatesOn:
    """`convert_on` with one lookup per (currency, day): a report converts thousands of amounts on a
    few days. Asking again would note the same rate (or the same currency missing) on the ledger."""

    def __init__(self, rates: Rates, ledger: Ledger | None = None) -> None:
        self.rates, self.ledger = rates, ledger
        self._found: dict[tuple[str, datetime.date], Decimal | None] = {}

    def convert(self, amount: Decimal, currency: str, on: datetime.date) -> Decimal | None:
        key = (currency, on)
        if key not in self._found:
            self._found[key] = noted_rate(self.rates, currency, on, self.ledger)
        rate = self._found[key]
        return None if rate is None else amount * rate

"""The cost dashboard's report, kept per workspace and period until a write changes what it sums.

Computing the report reads every engagement that ran in the period (thousands: the in-house
baseline is per engagement's active days) and every summary row of its months, which at a
million entries takes seconds. The figures only change when the data under them does, so the
report is stored (`StoredCostReport`, JSON, one per length of period and currency) with the
inputs it was computed at:

* the workspace's `CostReportStamp` version, bumped in the transaction of every ledger write
  (`ledger.apply`, `ledger.rebuild`) and every engagement save or delete (`receivers.py`);
* a digest of the period and the day (tomorrow's report replaces today's), and of the owner's
  exchange rates and the tasks (their in-house cost and hours), which
  the report reads anyway (2 small queries), so a rate or task changed by any path — even a
  bulk import that sends no signal — is seen.

A read whose inputs match returns the stored figures (5 queries: the rates' values, the tasks,
the stored report with the stamp, the listed engagements and the listed freelancers' names — labels are
always read fresh). Otherwise the report is computed (`reports.cost_report`) and stored. The
version is read before the data, so a write committed while a report is computed leaves it
stored under the old version: the next read computes it again, never shows it stale.

Only the top engagements and freelancers are kept (what the page shows, the costliest first);
totals, the HHI and the counts are over all of them. A report with a missing exchange rate is
not stored (the page shows the error).
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.db.models import JSONField, Subquery, Value
from django.utils import timezone

from sourcewise.costs import reports, stamp
from sourcewise.costs.concentration import Concentration, Share
from sourcewise.costs.converted_ledger import Ledger, rates_of
from sourcewise.costs.models import CostReportStamp, StoredCostReport
from sourcewise.costs.reports import ENGAGEMENT_FIELDS, CostReport, EngagementRow, MonthRow, TaskRow
from sourcewise.costs.savings import Savings
from sourcewise.engagements.models import Engagement
from sourcewise.money.conversion import RateUsed, owner_rates
from sourcewise.money.models import ExchangeRate
from sourcewise.talent.models import Freelancer
from sourcewise.tasks.models import Task
from sourcewise.workspaces.models import Workspace

# What the stored report reads of the tasks (their names, and what makes their baseline).
TASK_VALUES = ("id", "name", "hours", "frequency", "inhouse_hourly_cost", "inhouse_cost_currency")
# Freelancers listed by spend (the chart shows the first 12); the HHI is over all of them.
TOP_FREELANCERS = 50
FORMAT = 2  # bump when the payload's shape changes: older stored reports are then recomputed


def cost_report(
    workspace: Workspace,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
    *,
    engagements_page: int = 1,
    _stored_now: bool = False,
) -> CostReport:
    """The dashboard's report over whole months [start, end]: stored, or computed and stored. Its
    engagements are the `engagements_page`th page of the costliest (`reports.TOP_ENGAGEMENTS` a page)."""
    rate_rows = list(
        owner_rates(workspace)
        .order_by("currency", "valid_from")
        .values_list("currency", "valid_from", "rate", "source")
    )
    task_rows = list(Task.objects.in_workspace(workspace).order_by("name", "pk").values_list(*TASK_VALUES))
    # One row per length of period: the next day's report replaces the day's (its inputs differ).
    key = f"{(end.year - start.year) * 12 + end.month - start.month + 1} months|{workspace.base_currency}"
    stored = StoredCostReport.objects.filter(workspace=workspace, key=key)
    found = (
        CostReportStamp.objects.filter(workspace=workspace)
        .annotate(
            inputs=Subquery(stored.values("inputs")[:1]),
            payload=Subquery(stored.values("payload")[:1]),
            # Later pages of engagements only: every engagement's row, a long list.
            ranked=Subquery(stored.values("ranked")[:1]) if engagements_page > 1 else Value(None, JSONField()),
        )
        .values_list("version", "inputs", "payload", "ranked")
        .first()
    )
    if found is None:  # the first report of the workspace: its stamp exists before any is stored
        stamp.ensure(workspace.pk)
        version, inputs, payload, ranked = 0, None, None, None
    else:
        version, inputs, payload, ranked = found
    current = f"{version}|{_digest(f'{start}|{end}|{today}', rate_rows, task_rows)}"
    if inputs == current and isinstance(payload, dict) and payload.get("format") == FORMAT:
        return _from_payload(workspace, payload, ranked, engagements_page, start, end, task_rows)
    tasks = {
        pk: Task(id=pk, workspace=workspace, name=name, hours=hours, frequency=frequency,
                 inhouse_hourly_cost=cost, inhouse_cost_currency=currency)
        for pk, name, hours, frequency, cost, currency in task_rows
    }  # fmt: skip
    rates = rates_of(
        workspace,
        [
            ExchangeRate(
                workspace=workspace, base_currency=workspace.base_currency, currency=c, valid_from=v, rate=r, source=src
            )
            for c, v, r, src in rate_rows
        ],
    )
    report = reports.cost_report(workspace, start, end, today, rates=rates, tasks=tasks, top=reports.TOP_ENGAGEMENTS)
    if not report.ledger.complete:
        return report
    payload = _to_payload(report)
    _store(workspace, key, current, payload, [[pk, str(f), str(o), _savings_out(s)] for pk, f, o, s in report.ranked])
    if engagements_page > 1 and report.engagement_count > reports.TOP_ENGAGEMENTS and not _stored_now:
        # A later page: read as just stored (once; a write in between leaves the first page).
        return cost_report(workspace, start, end, today, engagements_page=engagements_page, _stored_now=True)
    return _shortened(report)


def _digest(period: str, rates: list[tuple[str, datetime.date, Decimal, str]], tasks: list[tuple[Any, ...]]) -> str:
    """The period and day, and what the report reads of the rates and tasks, hashed (a change to
    any of them changes it)."""
    parts = [period] + [f"{currency}:{valid_from}:{rate}:{source}" for currency, valid_from, rate, source in rates]
    parts += [f"{pk}:{hours}:{frequency}:{cost}:{currency}" for pk, _name, hours, frequency, cost, currency in tasks]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]


def _store(workspace: Workspace, key: str, inputs: str, payload: dict[str, Any], ranked: list[Any]) -> None:
    """Insert or replace (1 statement), without signals: derived data (the findings' write tracking
    would take a saved row for a change of the costs). Two readers storing at once: the last wins,
    and both computed it from the inputs each names."""
    StoredCostReport.objects.bulk_create(
        [
            StoredCostReport(
                workspace=workspace, key=key, inputs=inputs, payload=payload, ranked=ranked, computed_at=timezone.now()
            )
        ],
        update_conflicts=True,
        unique_fields=["workspace", "key"],
        update_fields=["inputs", "payload", "ranked", "computed_at"],
    )


def _shortened(report: CostReport) -> CostReport:
    """The report as the stored one reads: the top engagements and freelancers, counts of all."""
    c = report.concentration
    report.engagements = report.engagements[: reports.TOP_ENGAGEMENTS]
    report.ranked = []
    report.concentration = Concentration(c.start, c.end, c.total, c.hhi, c.shares[:TOP_FREELANCERS], c.freelancers)
    report.ledger.slices = []
    return report


# -- the payload: numbers and ids only, as text (exact Decimals) -------------------------------


def _d(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _n(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _savings_out(s: Savings) -> list[str | None]:
    return [str(s.tco), str(s.months), _d(s.baseline), _d(s.expected)]


def _savings_in(v: list[str | None]) -> Savings:
    return Savings(tco=Decimal(v[0] or 0), months=Decimal(v[1] or 0), baseline=_n(v[2]), expected=_n(v[3]))


def _to_payload(report: CostReport) -> dict[str, Any]:
    c = report.concentration
    return {
        "format": FORMAT,
        "months": [
            [f"{m.month}", {k: str(v) for k, v in m.by_category.items()}, _d(m.baseline), _d(m.expected)]
            for m in report.months
        ],
        "tasks": [
            [t.task.pk if t.task else None, {k: str(v) for k, v in t.by_category.items()}, _savings_out(t.savings)]
            for t in report.tasks
        ],
        "engagements": [
            [r.engagement.pk, str(r.fees), str(r.overhead), _savings_out(r.savings)]
            for r in report.engagements[: reports.TOP_ENGAGEMENTS]
        ],
        "engagement_count": report.engagement_count,
        "concentration": {
            "total": str(c.total),
            "hhi": str(c.hhi),
            "count": c.freelancers,
            "shares": [[s.freelancer_id, str(s.spend), str(s.share)] for s in c.shares[:TOP_FREELANCERS]],
        },
        "totals": _savings_out(report.totals),
        "rates_used": [
            [
                r.currency,
                r.base_currency,
                str(r.rate),
                None if r.valid_from is None else f"{r.valid_from}",
                r.source,
                r.origin,
            ]
            for r in report.ledger.rates_used.values()
        ],
    }


def _from_payload(
    workspace: Workspace,
    payload: dict[str, Any],
    ranked: list[Any] | None,
    page: int,
    start: datetime.date,
    end: datetime.date,
    task_values: list[tuple[Any, ...]],
) -> CostReport:
    names = {row[0]: row[1] for row in task_values}
    labels = {pk: TaskLabel(pk, name) for pk, name in names.items()}
    ledger = Ledger(base_currency=workspace.base_currency, start=start, end=end)
    for currency, base, rate, valid_from, source, origin in payload["rates_used"]:
        on = None if valid_from is None else datetime.date.fromisoformat(valid_from)
        ledger.rates_used[(currency, on)] = RateUsed(currency, base, Decimal(rate), on, source, origin)
    months = [
        MonthRow(datetime.date.fromisoformat(m), {k: Decimal(v) for k, v in cats.items()}, _n(b), _n(e))
        for m, cats, b, e in payload["months"]
    ]
    task_rows = [
        TaskRow(
            None if pk is None else cast(Task, labels[pk]), {k: Decimal(v) for k, v in cats.items()}, _savings_in(s)
        )
        for pk, cats, s in payload["tasks"]
    ]
    count = payload["engagement_count"]
    page = max(1, min(page, -(-count // reports.TOP_ENGAGEMENTS)))
    size = reports.TOP_ENGAGEMENTS
    rows = payload["engagements"] if page == 1 or ranked is None else ranked[(page - 1) * size : page * size]
    # Labels are read fresh: a renamed freelancer or an engagement's new state shows at once.
    listed = {e.pk: e for e in _engagements(workspace, [row[0] for row in rows], names)}
    engagement_rows = [
        EngagementRow(listed[pk], Decimal(fees), Decimal(overhead), _savings_in(s))
        for pk, fees, overhead, s in rows
        if pk in listed
    ]
    c = payload["concentration"]
    ids = [row[0] for row in c["shares"]]
    names = dict(Freelancer.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    shares = [
        Share(fid, names.get(fid, f"#{fid}"), Decimal(spend), Decimal(share)) for fid, spend, share in c["shares"]
    ]
    concentration = Concentration(start, end, Decimal(c["total"]), Decimal(c["hhi"]), shares, c["count"])
    return CostReport(
        workspace=workspace,
        start=start,
        end=end,
        ledger=ledger,
        months=months,
        tasks=task_rows,
        engagements=engagement_rows,
        concentration=concentration,
        totals=_savings_in(payload["totals"]),
        engagement_count=count,
        engagements_page=page if page == 1 or ranked is not None else 1,
    )


def _engagements(workspace: Workspace, ids: list[int], task_names: dict[int, str]) -> list[Engagement]:
    """The listed engagements by id (an index lookup each; the workspace is checked on the rows, as
    SQLite would otherwise scan the workspace's engagements), their tasks labelled from memory."""
    if not ids:
        return []
    found = [
        e
        for e in Engagement.objects.filter(pk__in=ids)
        .select_related("freelancer")
        .only(*ENGAGEMENT_FIELDS, "freelancer__id", "freelancer__name")
        if e.workspace_id == workspace.pk
    ]
    for e in found:
        e.workspace = workspace
        if e.task_id in task_names:
            e.task = Task(id=e.task_id, workspace=workspace, name=task_names[e.task_id])
    return found


@dataclass(frozen=True, slots=True)
class TaskLabel:
    """What a stored report's task row shows of its task: its id (the link) and name."""

    pk: int
    name: str

    def __str__(self) -> str:
        return self.name

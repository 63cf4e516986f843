"""Findings of the true cost (G5) and of spend concentration (G8).

All of them look at the last 90 days (today and the 89 before), read through the monthly
summary (`converted_ledger.load_ledger`), converted to the workspace currency with the rate valid
on each day. An amount without an exchange rate is never guessed: a subject whose costs
cannot all be converted is left out until the rate is added (the cost pages say which).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from sourcewise.costs import concentration, converted_ledger
from sourcewise.costs.formulas import ZERO, shortfall
from sourcewise.costs.models import OVERHEAD, SPEND_CATEGORIES, Category, CostMonth
from sourcewise.costs.savings import Savings, engagement_savings
from sourcewise.engagements.models import Engagement
from sourcewise.findings.codes import Severity
from sourcewise.findings.registry import CheckContext, Finding, check
from sourcewise.money.conversion import Rates, money

WINDOW_DAYS = 90
# Savings and ROI need at least a month of work inside the window to mean anything.
MIN_MONTHS = 1


@dataclass
class Window:
    start: datetime.date
    end: datetime.date
    ledger: converted_ledger.Ledger
    rates: Rates
    engagements: list[Engagement]
    unrated_engagements: set[int]


def _window_start(ctx: CheckContext) -> datetime.date:
    """The first of the window's days (today is the last)."""
    return ctx.today - datetime.timedelta(days=WINDOW_DAYS - 1)


def _ledger(ctx: CheckContext) -> tuple[converted_ledger.Ledger, Rates]:
    """The window's ledger and the exchange rates behind it, loaded once per run: concentration
    reads them without the engagements the local checks need."""

    def compute() -> tuple[converted_ledger.Ledger, Rates]:
        rates = converted_ledger.load_rates(ctx.workspace)
        # Only the scope's engagements and their costs in a scoped run (concentration, the one
        # check that needs everyone's spend, is wide: never scoped).
        only = sorted(ctx.scope.ids("engagement")) if ctx.scope is not None else None
        ledger = converted_ledger.load_ledger(
            ctx.workspace, _window_start(ctx), ctx.today, rates=rates, engagements=only
        )
        return ledger, rates[0]

    return ctx.memo("costs.ledger", compute)


def window(ctx: CheckContext) -> Window:
    def compute() -> Window:
        ledger, rates = _ledger(ctx)
        engagements = list(
            ctx.limit(Engagement.objects.filter(workspace=ctx.workspace), "engagement")
            .select_related("task", "freelancer")
            .order_by("pk")
        )
        unrated = {s.engagement_id for s in ledger.slices if not s.rated and s.engagement_id is not None}
        return Window(_window_start(ctx), ctx.today, ledger, rates, engagements, unrated)

    return ctx.memo("costs.window", compute)


def _active(w: Window) -> list[Engagement]:
    return [e for e in w.engagements if e.state == Engagement.State.ACTIVE]


@check("HIDDEN_COSTS_UNTRACKED")
def hidden_costs(ctx: CheckContext) -> Iterator[Finding]:
    """Subject: each active engagement running for more than N days with fees recorded and not
    one overhead cost (on the engagement or its task). Drafts and ended ones are not judged."""
    after = ctx.workspace.hidden_costs_after_days
    old = [e for e in _active(window(ctx)) if (ctx.today - e.start_date).days > after]
    if not old:
        return
    summaries = [CostMonth.objects.filter(workspace=ctx.workspace, entries__gt=0)]
    if ctx.scope is not None:
        # Only the rows these engagements can be judged by: theirs, and their tasks' own. Scoped
        # through the engagement's and the task's workspace so that SQLite (no ANALYZE) reads
        # them by their engagement and task indexes, not every summary row of the workspace.
        summaries = [
            CostMonth.objects.filter(
                entries__gt=0, engagement_id__in=[e.pk for e in old], engagement__workspace=ctx.workspace
            ),
            CostMonth.objects.filter(
                entries__gt=0,
                engagement__isnull=True,
                task_id__in=sorted({e.task_id for e in old}),
                task__workspace=ctx.workspace,
            ),
        ]
    # No ordering: the model's default one would enter the DISTINCT and return every row.
    rows = {
        row
        for summary in summaries
        for row in summary.values_list("engagement_id", "task_id", "category").order_by().distinct()
    }
    with_fees = {eng for eng, _task, cat in rows if eng is not None and cat == Category.FEES}
    overhead_engagements = {eng for eng, _task, cat in rows if eng is not None and cat in OVERHEAD}
    overhead_tasks = {task for eng, task, cat in rows if eng is None and task is not None and cat in OVERHEAD}
    for e in old:
        if e.pk not in with_fees or e.pk in overhead_engagements or e.task_id in overhead_tasks:
            continue
        yield Finding(
            code="HIDDEN_COSTS_UNTRACKED",
            severity=Severity.INFO,
            subject_type="engagement",
            subject_id=e.pk,
            subject_label=str(e),
            message=(
                f"{e.freelancer} has worked on {e.task} for {(ctx.today - e.start_date).days} days and only fees "
                "are in the ledger: platform fees, tools, licences, training and your managers' time are missing."
            ),
            fix="Add the other costs of this engagement under Costs → Add a cost (management time: "
            "hours × the manager's internal hourly cost).",
        )


def _measured(ctx: CheckContext) -> list[tuple[Engagement, Savings]]:
    def compute() -> list[tuple[Engagement, Savings]]:
        w = window(ctx)
        tco = w.ledger.by(lambda s: s.engagement_id)
        result = []
        for e in _active(w):
            if e.pk in w.unrated_engagements:
                continue
            savings = engagement_savings(e, w.ledger, w.rates, w.start, w.end, tco=tco.get(e.pk, ZERO))
            if savings.months < MIN_MONTHS or savings.baseline is None:
                continue
            result.append((e, savings))
        return result

    return ctx.memo("costs.measured", compute)


@check("SAVINGS_OVERESTIMATED")
def savings_overestimated(ctx: CheckContext) -> Iterator[Finding]:
    """Subject: each active engagement with a month of work in the window and an expected
    saving, whose actual saving (baseline − TCO) over the last 90 days is below N % of it."""
    pct = ctx.workspace.savings_shortfall_pct
    currency = ctx.workspace.base_currency
    for e, s in _measured(ctx):
        if s.expected is None or s.actual is None or not shortfall(s.actual, s.expected, pct):
            continue
        yield Finding(
            code="SAVINGS_OVERESTIMATED",
            severity=Severity.WARNING,
            subject_type="engagement",
            subject_id=e.pk,
            subject_label=str(e),
            message=(
                f"Over the last {WINDOW_DAYS} days {e.freelancer} on {e.task} "
                f"{'saved ' + money(s.actual, currency) if s.actual >= 0 else 'lost ' + money(-s.actual, currency)} "
                f"against {money(s.expected, currency)} expected "
                f"(in-house {money(s.baseline or Decimal(0), currency)} − cost {money(s.tco, currency)}): "
                f"less than {pct} % of the plan."
            ),
            fix="Look at the cost breakdown of this engagement; renegotiate, cut overhead, or correct the "
            "expected saving so plans rest on measured numbers.",
        )


@check("NEGATIVE_ROI")
def negative_roi(ctx: CheckContext) -> Iterator[Finding]:
    """Subject: each active engagement with a month of work in the window and an in-house
    baseline whose ROI = (baseline − TCO) / TCO is below zero over the last 90 days."""
    currency = ctx.workspace.base_currency
    for e, s in _measured(ctx):
        roi = s.roi
        if roi is None or roi >= 0:
            continue
        yield Finding(
            code="NEGATIVE_ROI",
            severity=Severity.WARNING,
            subject_type="engagement",
            subject_id=e.pk,
            subject_label=str(e),
            message=(
                f"Over the last {WINDOW_DAYS} days {e.task} cost {money(s.tco, currency)} outsourced against "
                f"{money(s.baseline or Decimal(0), currency)} in-house: a return of {roi * 100:.1f} %."
            ),
            fix="Compare the hours billed with the task's monthly hours, and the overhead with the fees; "
            "if the numbers stay negative, bring the task back in-house.",
        )


@check("HIGH_CONCENTRATION", wide=True)
def spend_concentration(ctx: CheckContext) -> Iterator[Finding]:
    """Subject: the workspace's freelancer spend over 90 days. HHI across freelancers above the
    warning level → warning on the workspace, from the notice level up to the warning level →
    info; any one freelancer above N % of spend → warning on that freelancer.

    One freelancer holding all the spend is one risk, reported once (on them), not as an
    HHI of 10 000 as well. Workspace-wide: every engagement's spend moves the shares."""
    ledger, _ = _ledger(ctx)
    ws = ctx.workspace
    spend_unrated = any(not s.rated and s.category in SPEND_CATEGORIES for s in ledger.slices)
    if spend_unrated:
        return
    # Only whose each engagement is, and their names: not the window's engagements as models
    # (100,000 of them in a large workspace; the local checks load those).
    freelancer_of: dict[int, int] = {}
    names: dict[int, str] = {}
    rows = ctx.limit(Engagement.objects.filter(workspace=ctx.workspace), "engagement").values_list(
        "pk", "freelancer_id", "freelancer__name"
    )
    for pk, freelancer_id, name in rows.order_by("pk"):
        freelancer_of[pk] = freelancer_id
        names[freelancer_id] = name
    c = concentration.concentration_of(ledger, freelancer_of, names, _window_start(ctx), ctx.today)
    if not c.shares:
        return
    index = c.hhi.quantize(Decimal(1))
    top = ", ".join(f"{s.name} {s.pct:.0f} %" for s in c.shares[:3])
    over = [share for share in c.shares if share.share * 100 > ws.max_single_share_pct]
    alone = len(c.shares) == 1 and bool(over)
    if (c.hhi > ws.hhi_warning or c.hhi >= ws.hhi_info) and not alone:
        warning = c.hhi > ws.hhi_warning
        yield Finding(
            code="HIGH_CONCENTRATION",
            severity=Severity.WARNING if warning else Severity.INFO,
            subject_type="workspace",
            subject_id=ws.pk,
            subject_label=ws.name,
            message=(
                f"Spend over the last {WINDOW_DAYS} days is {'highly' if warning else 'moderately'} concentrated: "
                f"{index} of 10 000 (notice from {ws.hhi_info}, warning above {ws.hhi_warning}). Largest: {top}."
            ),
            fix="Give work to more freelancers: bring a backup onto the biggest engagements "
            "(Talent → Bench shows who has the skills).",
        )
    for share in over:
        received = "all" if alone else f"{share.pct:.1f} %"
        yield Finding(
            code="HIGH_CONCENTRATION",
            severity=Severity.WARNING,
            subject_type="freelancer",
            subject_id=share.freelancer_id,
            subject_label=share.name,
            message=(
                f"{share.name} received {received} of your freelancer spend over the last "
                f"{WINDOW_DAYS} days (more than {ws.max_single_share_pct} %)."
            ),
            fix=f"Find and trial a backup for {share.name}'s work so the business does not depend on one person.",
        )

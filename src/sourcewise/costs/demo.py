"""Demo: six months of Lumen Studio's true costs, in pounds and in the freelancers' currencies.

The story, built through the services (so the summary table, the audit log and the fee rule
are real):

* the team's internal hourly costs, so management time is priced;
* monthly invoices from the five long-running freelancers: paid for older months, sent for
  last month, a draft for this month; Maria's recent months come from her approved hours;
* overheads: licences, platform fees, management time, a headset, training, vetting, the
  studio's chat and docs subscriptions.

What it shows: An's video editing costs more than doing it in-house (NEGATIVE_ROI, and
SAVINGS_OVERESTIMATED), Ana's PPC saves far less than planned (SAVINGS_OVERESTIMATED),
Amani's bookkeeping has only fees in the ledger (HIDDEN_COSTS_UNTRACKED), and Priya takes
the largest share of the spend (HIGH_CONCENTRATION).

That is the "Every classic mistake" workspace. In Lumen Studio (`MAIN_FEES`) An's video
editing and Amani's bookkeeping are priced to save money, as planned; Amani's overheads are
still missing from the ledger (HIDDEN_COSTS_UNTRACKED, info).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from sourcewise.costs import fee_posting, invoicing, manual_entries
from sourcewise.costs.models import Category, Invoice, cents, month_end, month_start
from sourcewise.engagements.models import Engagement, TimeEntry
from sourcewise.workspaces.models import Membership

D = Decimal
# key: (monthly fee in the engagement currency, what the line says)
MONTHLY_FEES = {
    "maria": (D("560.00"), "40 h of support at 14.00 USD"),
    "priya": (D("2100.00"), "60 h of web development at 35.00 USD"),
    "ana": (D("540.00"), "18 h of campaign management at 30.00 EUR"),
    "an": (D("1000.00"), "50 h of video editing at 20.00 USD"),
    "amani": (D("600.00"), "Monthly bookkeeping (fixed price)"),
}
MAIN_FEES = {
    "priya": (D("1575.00"), "45 h of web development at 35.00 USD"),
    "an": (D("600.00"), "30 h of video editing at 20.00 USD"),
    "amani": (D("300.00"), "Monthly bookkeeping (fixed price)"),
}
# key: [(category, amount, currency, description) or (MANAGEMENT, hours, manager key, description)]
MONTHLY_OVERHEAD: dict[str, list[tuple[str, str, str, str]]] = {
    "maria": [
        (Category.LICENCES, "45.00", "GBP", "Helpdesk seat"),
        (Category.MANAGEMENT, "3", "sam", "Reviewing tickets and the weekly call"),
    ],
    "priya": [
        (Category.PLATFORM_FEES, "63.00", "USD", "Payment platform fee (3 %)"),
        (Category.LICENCES, "15.00", "USD", "Design tool seat"),
        (Category.MANAGEMENT, "4", "jordan", "Release reviews"),
    ],
    "ana": [
        (Category.PLATFORM_FEES, "25.00", "EUR", "Transfer fees"),
        (Category.TOOLS, "29.00", "USD", "Ads reporting tool"),
        (Category.MANAGEMENT, "2", "sam", "Monthly campaign review"),
    ],
    "an": [
        (Category.LICENCES, "55.00", "GBP", "Video editing licence"),
        (Category.MANAGEMENT, "4", "jordan", "Briefing and feedback rounds"),
    ],
}
INTERNAL_COSTS = {"owner": D("65.00"), "sam": D("40.00"), "jordan": D("42.00")}


def build(ctx: Any) -> None:
    ws = ctx.workspace
    owner = ctx.users["owner"]
    today = ctx.today
    this_month = month_start(today)
    first_month = ctx.extra["money"]["months"][0]  # the first month with exchange rates
    members = {key: Membership.objects.get(workspace=ws, user=ctx.users[key]) for key in INTERNAL_COSTS}
    for key, cost in INTERNAL_COSTS.items():
        manual_entries.set_internal_cost(
            membership=members[key], actor=owner, hourly_cost=cost, currency=ws.base_currency
        )

    long_running = {
        key: Engagement.objects.get(workspace=ws, freelancer=ctx.freelancers[key], kind="full", state="active")
        for key in MONTHLY_FEES
    }

    def entry(**fields: Any) -> None:
        manual_entries.create_entry(workspace=ws, actor=owner, **fields)

    # -- overheads on the 1st of every month the engagement ran (its start day in the first) --
    for key, items in MONTHLY_OVERHEAD.items():
        e = long_running[key]
        for month in _months(max(month_start(e.start_date), first_month), this_month):
            day = max(month, e.start_date)
            for category, value, currency_or_manager, description in items:
                if category == Category.MANAGEMENT:
                    entry(
                        category=category, date=day, engagement=e, manager=members[currency_or_manager],
                        hours=D(value), description=description,
                    )  # fmt: skip
                else:
                    entry(
                        category=category, date=day, engagement=e, amount=D(value), currency=currency_or_manager,
                        description=description,
                    )  # fmt: skip

    # -- the studio's own costs of outsourcing (whole workspace) --
    for month in _months(first_month, this_month):
        entry(category=Category.COMMUNICATION, date=month, amount=D("38.00"), currency="GBP",
              description="Team chat and shared docs (freelancer seats)")  # fmt: skip
    months = _months(first_month, this_month)
    entry(category=Category.RECRUITING, date=months[1] + datetime.timedelta(days=9), amount=D("240.00"),
          currency="GBP", description="Paid test tasks for three video editors")  # fmt: skip
    entry(category=Category.MANAGEMENT, date=months[2] + datetime.timedelta(days=3), manager=members["owner"],
          hours=D("6"), description="Reference calls and interviews", task=ctx.tasks["video"])  # fmt: skip
    entry(category=Category.TRAINING, date=months[3] + datetime.timedelta(days=11), amount=D("350.00"),
          currency="GBP", description="Managing remote freelancers — course for Sam")  # fmt: skip
    entry(category=Category.HARDWARE, date=months[4] + datetime.timedelta(days=6), amount=D("89.00"),
          currency="USD", description="Headset for Maria", engagement=long_running["maria"])  # fmt: skip

    # -- invoices: one per engagement and finished month; paid, then sent for last month --
    last_month = _add(this_month, -1)
    fees = MONTHLY_FEES if ctx.mistakes else {**MONTHLY_FEES, **MAIN_FEES}
    for key, (fee, what) in fees.items():
        e = long_running[key]
        for month in _months(max(month_start(e.start_date), first_month), last_month):
            _invoice(ws, owner, e, month, fee, what, paid=month < last_month, today=today)
    # This month's work in progress: a draft.
    invoicing.create_invoice(
        workspace=ws, actor=owner, engagement=long_running["priya"], month=this_month,
        extra_description="Spring campaign landing page (so far)", extra_amount=D("700.00"),
    )  # fmt: skip
    # Fees from approved hours for the months without an invoice (Maria, Emily's trial).
    fee_posting.post_fees(workspace=ws, actor=owner)
    ctx.extra["costs"] = {"engagements": long_running}


def _invoice(
    ws: Any, owner: Any, e: Engagement, month: datetime.date, fee: Decimal, what: str, *, paid: bool, today: Any
) -> Invoice:
    hours = TimeEntry.objects.filter(
        engagement=e, status=TimeEntry.Status.APPROVED, date__gte=month, date__lte=month_end(month)
    ).exists()
    extra: dict[str, Any] = {}
    if not hours:
        days = month_end(month).day
        active = (month_end(month) - max(month, e.start_date)).days + 1
        amount = cents(fee * active / days)
        extra = {"extra_description": what if active == days else f"{what} ({active} of {days} days)",
                 "extra_amount": amount}  # fmt: skip
    invoice = invoicing.create_invoice(workspace=ws, actor=owner, engagement=e, month=month, **extra)
    invoicing.send_invoice(
        invoice=invoice, actor=owner, sent_on=min(month_end(month) + datetime.timedelta(days=1), today)
    )
    if paid:
        # The bank took its charges out of one payment: the ledger keeps what was actually paid.
        charges = D("12.50") if e.freelancer.name.startswith("Priya") and month.month % 2 == 0 else D(0)
        invoicing.mark_paid(
            invoice=invoice, actor=owner, paid_on=min(month_end(month) + datetime.timedelta(days=10), today),
            amount_paid=invoice.total - charges,
        )  # fmt: skip
    return invoice


def _add(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, current = [], first
    while current <= last:
        months.append(current)
        current = _add(current, 1)
    return months

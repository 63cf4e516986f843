"""Benchmark SPEC P2: the cost dashboard and reports over 1 000 000 cost entries.

    python bench/costs_report.py [ENTRIES]        # default 1 000 000

Builds a throwaway SQLite database in a temporary folder (deleted at the end; set
DATABASE_URL to measure PostgreSQL instead, on a database you can throw away), with one
workspace, 60 engagements, 20 tasks, monthly USD and EUR rates (one of them starting mid-
month) and ENTRIES cost entries over five years in GBP, USD and EUR (each engagement in its
currency; 10 % of the costs are the workspace's or a task's own, in GBP), inserted in bulk.
The monthly summary is then built from the entries, and a few writes go through the
services to show the summary staying equal to the entries.

Prints, for each workload: queries, p50/p95 over warm runs, the raw SQL doing the same
work over the entries (and the ratio), and whether the totals equal the raw SQL to the cent.
"""

from __future__ import annotations

import datetime
import os
import random
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

TMP = Path(tempfile.mkdtemp(prefix="sourcewise-bench-costs-"))
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sourcewise.config.settings.test")
os.environ.setdefault("SOURCEWISE_DATA_DIR", str(TMP))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RUNS = 40
CENT = Decimal("0.01")
CATEGORIES = [
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
WEIGHTS = [40, 8, 8, 8, 2, 3, 5, 3, 15, 8]


def timed(fn, runs=RUNS):
    fn()  # warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.95))]


def queries_of(fn):
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def main(total: int) -> None:
    call_command("migrate", verbosity=0)
    from sourcewise.accounts.models import User
    from sourcewise.costs import converted_ledger, entry_csv, ledger, manual_entries, periods, reports, rules
    from sourcewise.costs.models import CostEntry, CostMonth
    from sourcewise.engagements.models import Engagement
    from sourcewise.findings.registry import CheckContext
    from sourcewise.money.models import ExchangeRate
    from sourcewise.talent.models import Freelancer
    from sourcewise.tasks.models import Task
    from sourcewise.workspaces.models import Membership, Workspace

    rng = random.Random(11)
    ws = Workspace.objects.create(name="Bench", home_country="GB", base_currency="GBP", timezone="Europe/London")
    user = User.objects.create_user("owner@bench.example", "bench-password-123", full_name="Owner")
    owner = Membership.objects.create(
        user=user, workspace=ws, role="owner", internal_hourly_cost=Decimal("60"), internal_cost_currency="GBP"
    )
    today = ws.today()
    first_month = add_months(today.replace(day=1), -59)
    rates = []
    for i in range(62):
        month = add_months(first_month, i - 1)
        rates.append(
            ExchangeRate(
                workspace=ws,
                base_currency="GBP",
                currency="USD",
                valid_from=month,
                rate=Decimal("0.78") + Decimal(i % 7) / 100,
                source="bench",
            )
        )
        rates.append(
            ExchangeRate(
                workspace=ws,
                base_currency="GBP",
                currency="EUR",
                valid_from=month,
                rate=Decimal("0.85") + Decimal(i % 5) / 100,
                source="bench",
            )
        )
    # A USD rate that starts mid-month two months ago: those days are converted one by one.
    rates.append(
        ExchangeRate(
            workspace=ws,
            base_currency="GBP",
            currency="USD",
            valid_from=add_months(today.replace(day=1), -2) + datetime.timedelta(days=14),
            rate=Decimal("0.7123"),
            source="bench",
        )
    )
    ExchangeRate.objects.bulk_create(rates)
    tasks = [
        Task.objects.create(
            workspace=ws,
            name=f"Task {i}",
            hours=Decimal(10 + i),
            inhouse_hourly_cost=Decimal(40),
            inhouse_cost_currency="GBP",
            sourcing="outsource",
        )
        for i in range(20)
    ]
    freelancers = [
        Freelancer.objects.create(
            workspace=ws, name=f"Freelancer {i}", email=f"f{i}@bench.example", country="PH", timezone="Asia/Manila"
        )
        for i in range(40)
    ]
    currencies = ["GBP", "USD", "EUR"]
    engagements = [
        Engagement.objects.create(
            workspace=ws,
            freelancer=freelancers[i % 40],
            task=tasks[i % 20],
            manager=owner,
            kind="full",
            state="active",
            rate=Decimal(20),
            currency=currencies[i % 3],
            start_date=first_month,
            expected_monthly_saving=Decimal(300),
        )
        for i in range(60)
    ]

    print(f"Generating {total:,} cost entries over 60 months …", flush=True)
    started = time.perf_counter()
    span = (today - first_month).days + 1
    now = "2026-01-01 00:00:00"
    sql = (
        "INSERT INTO costs_costentry (workspace_id, engagement_id, task_id, category, date, amount, currency, "
        "description, source, manager_id, hours, created_by_id, created_at, updated_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, '', %s, NULL, NULL, NULL, %s, %s)"
    )
    batch = []
    with transaction.atomic(), connection.cursor() as cursor:
        for n in range(total):
            e = engagements[n % 60] if n % 10 else None
            category = rng.choices(CATEGORIES, WEIGHTS)[0]
            source = ""
            if category == "fees" and e is not None:
                source = f"bench:{n}"  # like posted fees: keyed
            day = first_month + datetime.timedelta(days=rng.randrange(span))
            currency = e.currency if e is not None else "GBP"  # the studio's own costs are in pounds
            amount = f"{rng.randrange(100, 500000) / 100:.2f}"
            batch.append(
                (
                    ws.pk,
                    e.pk if e else None,
                    e.task_id if e else tasks[n % 20].pk if n % 3 else None,
                    category,
                    day.isoformat(),
                    amount,
                    currency,
                    source,
                    now,
                    now,
                )
            )
            if len(batch) == 20000:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    rows = ledger.rebuild(ws)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
        else:
            cursor.execute("ANALYZE costs_costentry; ANALYZE costs_costmonth")
    print(f"  inserted in {generated:.1f} s; summary built in {time.perf_counter() - started:.1f} s: {rows:,} rows")

    # Writes through the services keep the summary equal to the entries.
    e = engagements[1]
    entry = manual_entries.create_entry(
        workspace=ws,
        actor=user,
        category="tools",
        date=today,
        amount=Decimal("12.34"),
        currency=e.currency,
        engagement=e,
    )
    manual_entries.update_entry(
        entry=entry, actor=user, amount=Decimal("43.21"), date=today - datetime.timedelta(days=40)
    )
    other = CostEntry.objects.filter(workspace=ws, source="").order_by("pk").first()
    manual_entries.delete_entry(entry=other, actor=user)
    entry_csv.import_entries(
        workspace=ws, actor=user, file="date,category,amount,currency\n" + f"{today},training,99.99,EUR\n"
    )

    def raw_summary() -> dict[tuple[str, str, str], int]:
        month = "strftime('%Y-%m', date)" if connection.vendor == "sqlite" else "to_char(date, 'YYYY-MM')"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {month}, category, currency, SUM(CAST(ROUND(amount * 100) AS INTEGER)) "  # noqa: S608
                "FROM costs_costentry WHERE workspace_id = %s GROUP BY 1, 2, 3",
                [ws.pk],
            )
            return {(m, c, cur): int(cents) for m, c, cur, cents in cursor.fetchall()}

    kept: dict[tuple[str, str, str], int] = {}
    for m, c, cur, total_ in CostMonth.objects.filter(workspace=ws).values_list(
        "month", "category", "currency", "total"
    ):
        key = (f"{m:%Y-%m}", c, cur)
        kept[key] = kept.get(key, 0) + int((Decimal(total_) * 100).to_integral_value())
    started = time.perf_counter()
    raw = raw_summary()
    raw_ms = (time.perf_counter() - started) * 1000
    print(
        f"Summary after service writes equals the entries (raw SQL, to the cent): {kept == raw} "
        f"({len(raw):,} month×category×currency totals; raw GROUP BY over all entries {raw_ms:.0f} ms)"
    )

    def raw_converted(start: datetime.date, end: datetime.date) -> Decimal:
        """The raw SQL doing the report's work: every entry of the period, summed per currency and day,
        each day converted with the rate valid on it."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT currency, date, SUM(CAST(ROUND(amount * 100) AS INTEGER)) FROM costs_costentry "
                "WHERE workspace_id = %s AND date >= %s AND date <= %s GROUP BY currency, date",
                [ws.pk, start, end],
            )
            found = cursor.fetchall()
        r, _ = converted_ledger.load_rates(ws)
        total_ = Decimal(0)
        for currency, day, cents in found:
            day = day if isinstance(day, datetime.date) else datetime.date.fromisoformat(day)
            total_ += Decimal(int(cents)) / 100 * r.rate_on(currency, day).rate
        return total_

    print(f"\nP2 on {connection.vendor}, {CostEntry.objects.count():,} cost entries, {RUNS} warm runs each:")
    print(f"{'workload':<44}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}{'raw SQL ms':>12}{'ratio':>7}  totals = raw SQL")
    for months in (6, 24):
        start, end = periods.report_period(today, months)

        def report(start=start, end=end):
            return reports.cost_report(ws, start, end, today)

        q = queries_of(report)
        p50, p95 = timed(report)
        t0 = time.perf_counter()
        expected = raw_converted(start, end)
        raw_ms = (time.perf_counter() - t0) * 1000
        got = report().totals.tco
        same = got.quantize(CENT) == expected.quantize(CENT)
        print(
            f"{f'cost report, last {months} months':<44}{q:>8}{p50:>9.1f}{p95:>9.1f}{raw_ms:>12.0f}"
            f"{p95 / raw_ms:>7.2f}  {same} ({got.quantize(CENT):,} GBP)"
        )

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    def page():
        response = client.get("/costs/")
        assert response.status_code == 200, response.status_code

    q = queries_of(page)
    p50, p95 = timed(page)
    print(f"{'cost dashboard page (HTTP, 6 months, 4 charts)':<44}{q:>8}{p50:>9.1f}{p95:>9.1f}")

    def checks():
        ctx = CheckContext(workspace=ws, today=today)
        found = []
        for check in (rules.hidden_costs, rules.savings_overestimated, rules.negative_roi, rules.spend_concentration):
            found.extend(check(ctx))
        return found

    q = queries_of(checks)
    p50, p95 = timed(checks, runs=20)
    window_start = today - datetime.timedelta(days=89)
    t0 = time.perf_counter()
    expected = raw_converted(window_start, today)
    raw_ms = (time.perf_counter() - t0) * 1000
    got = converted_ledger.load_ledger(ws, window_start, today).total()
    same = got.quantize(CENT) == expected.quantize(CENT)
    print(
        f"{'cost findings (90-day window, 4 checks)':<44}{q:>8}{p50:>9.1f}{p95:>9.1f}{raw_ms:>12.0f}"
        f"{p95 / raw_ms:>7.2f}  {same} ({got.quantize(CENT):,} GBP)"
    )


if __name__ == "__main__":
    try:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
    finally:
        connection.close()
        shutil.rmtree(TMP, ignore_errors=True)

"""SPEC P2: the 6-month cost report over 1,000,000 cost entries (issue 14 item 5, issue 15 item 1).

    python bench/costs_report.py [--db sqlite|postgres] [--scale F] [--runs N]

On the standard dataset (`harness.standard_data`: 100,000 freelancers and engagements, 500
tasks, 1,000,000 cost entries over five years in GBP, USD, EUR and PLN with the owner's monthly
rates, one starting mid-month, and invoices), signed in as nobody: the report is the service
the cost dashboard calls (`costs.stored_reports.cost_report`, the last 6 months): computed by
`costs.reports.cost_report` on the first read after a write, then stored until the next write.
Both are timed: the warm read (the SPEC's budget) and the first read after a write (a cost
entry added through the ledger's service in a transaction rolled back afterwards; no SPEC budget,
reported as it is).

Like with like: the reference is raw SQL doing the same totals over the same entries — per
month and category, per engagement (fees and the rest), per task and category, per freelancer
(spend, for the concentration) — each entry converted in SQL with the owner's rate valid on its
date, summed exactly in integers (cents × micro-units of the rate). Both are warmed the same and
timed in turns (`harness.interleave`). The report's totals must equal the reference's to the
cent (the listed engagements and freelancers each to the cent, none left out costing more, the
counts, the spend total and the HHI over all of them); the monthly summary must equal the entries
it sums. Budget (SPEC §6 P2): p95 ≤ 50 ms,
≤ 10 queries for the report; the dashboard page that shows it p95 ≤ 50 ms too, with the page's
query budget (15: the session, the membership and the page's findings come on top of the report).
Exit 1 on any miss.
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
import harness

CENT = Decimal("0.01")
SCALE = 10**8  # cents (10^2) × micro-units of a rate (10^6): every product is an exact integer


def main() -> int:
    args = harness.arguments(__doc__).parse_args()
    run = harness.Run("P2 cost report", db=args.db)
    url, info = harness.standard_data(args.db, args.scale)
    harness.setup_django(url)

    from django.db import connection, transaction

    from sourcewise.costs import manual_entries, periods, stored_reports
    from sourcewise.costs.models import SPEND_CATEGORIES, Category, CostEntry
    from sourcewise.money.models import ExchangeRate
    from sourcewise.workspaces.models import Workspace

    workspace = Workspace.objects.get(pk=info["workspace_id"])
    today = workspace.today()
    start, end = periods.report_period(today, 6)
    base = workspace.base_currency
    entries = CostEntry.objects.filter(workspace=workspace).count()
    in_period = CostEntry.objects.filter(workspace=workspace, date__range=(start, end)).count()
    print(f"  {entries:,} cost entries, {in_period:,} in {start} – {end}", file=sys.stderr)
    for rate in ExchangeRate.objects.filter(workspace=workspace).values_list("rate", flat=True):
        assert rate == rate.quantize(Decimal("0.000001")), f"rate {rate} has more than 6 places: not exact in SQL"

    month = "strftime('%%Y-%%m', e.date)" if connection.vendor == "sqlite" else "to_char(e.date, 'YYYY-MM')"
    # Each entry's rate: the owner's rate valid on its date (the latest that starts on or before it),
    # found through the rates' index; the workspace's own currency is worth 1.
    rated = f"""
        WITH x AS (
            SELECT e.engagement_id, e.task_id, e.category, {month} AS month,
                   CAST(ROUND(e.amount * 100) AS BIGINT) * CASE WHEN e.currency = %s THEN 1000000 ELSE (
                       SELECT CAST(ROUND(r.rate * 1000000) AS BIGINT) FROM money_exchangerate r
                       WHERE r.workspace_id = e.workspace_id AND r.base_currency = %s
                         AND r.currency = e.currency AND r.valid_from <= e.date
                       ORDER BY r.valid_from DESC LIMIT 1) END AS value
            FROM costs_costentry e
            WHERE e.workspace_id = %s AND e.date >= %s AND e.date <= %s
        )"""  # noqa: S608
    params = [base, base, workspace.pk, start, end]
    spend = ", ".join(f"'{c}'" for c in SPEND_CATEGORIES)
    # No value from outside in these strings: the period and the ids are parameters.
    statements = {
        "months": rated + " SELECT month, category, SUM(value), COUNT(*) - COUNT(value) FROM x GROUP BY 1, 2",  # noqa: S608
        "engagements": rated + " SELECT engagement_id, category = 'fees', SUM(value) FROM x "  # noqa: S608
        "WHERE engagement_id IS NOT NULL GROUP BY 1, 2",
        "tasks": rated + " SELECT task_id, category, SUM(value) FROM x GROUP BY 1, 2",  # noqa: S608
        "freelancers": rated + " SELECT g.freelancer_id, SUM(value) FROM x "  # noqa: S608
        "JOIN engagements_engagement g ON g.id = x.engagement_id WHERE x.category IN (" + spend + ") GROUP BY 1",
    }

    def raw() -> dict[str, list[tuple[object, ...]]]:
        found = {}
        with connection.cursor() as cursor:
            for name, sql in statements.items():
                cursor.execute(sql, params)
                found[name] = cursor.fetchall()
        return found

    def product() -> stored_reports.CostReport:
        return stored_reports.cost_report(workspace, start, end, today)

    with harness.counting() as first:
        report = product()  # computed and stored (or stored by an earlier run, unchanged since)
    with harness.counting() as counter:
        report = product()  # read as stored
    reference = raw()

    # -- the same totals, to the cent -----------------------------------------------------------
    def cents(value: object) -> Decimal:
        return (Decimal(int(value or 0)) / SCALE).quantize(CENT)  # type: ignore[call-overload]

    unrated = sum(int(row[3]) for row in reference["months"])
    assert unrated == 0, f"{unrated} entries without an owner rate: the reference cannot convert them"
    want_months: dict[tuple[str, str], Decimal] = {}
    for m, category, value, _ in reference["months"]:
        want_months[(str(m), category)] = cents(value)
    got_months = {
        (f"{row.month:%Y-%m}", c): v.quantize(CENT) for row in report.months for c, v in row.by_category.items() if v
    }
    want_total = (Decimal(sum(int(v or 0) for _, _, v, _ in reference["months"])) / SCALE).quantize(CENT)
    got_total = report.totals.tco.quantize(CENT)
    want_eng: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for pk, is_fees, value in reference["engagements"]:
        want_eng[int(pk)][0 if is_fees else 1] += Decimal(int(value or 0)) / SCALE
    got_eng = {r.engagement.pk: [r.fees.quantize(CENT), r.overhead.quantize(CENT)] for r in report.engagements}
    want_eng_c = {pk: [a.quantize(CENT), b.quantize(CENT)] for pk, (a, b) in want_eng.items()}
    want_tasks = {(pk, c): cents(v) for pk, c, v in reference["tasks"]}
    got_tasks = {
        (t.task.pk if t.task else None, c): v.quantize(CENT)
        for t in report.tasks
        for c, v in t.by_category.items()
        if v
    }
    want_spend = {int(pk): cents(v) for pk, v in reference["freelancers"]}
    got_spend = {s.freelancer_id: s.spend.quantize(CENT) for s in report.concentration.shares}
    # The HHI over every freelancer, from the reference's exact spends.
    spend_total = (Decimal(sum(int(v or 0) for _, v in reference["freelancers"])) / SCALE).quantize(CENT)
    want_hhi = sum(((v / spend_total) ** 2 for v in want_spend.values()), Decimal(0)) * 10_000 if spend_total else 0
    checks = {
        "TCO": got_total == want_total,
        "month × category": got_months == want_months,
        "engagements": _top_equal(got_eng, want_eng_c) and report.engagement_count == len(want_eng_c),
        "tasks": got_tasks == want_tasks,
        "freelancer spend": _top_equal({k: [v] for k, v in got_spend.items()}, {k: [v] for k, v in want_spend.items()})
        and report.concentration.freelancers == len(want_spend)
        and report.concentration.total.quantize(CENT) == spend_total,
        "HHI": abs(report.concentration.hhi - want_hhi) < Decimal("0.01"),
    }
    wrong = [name for name, ok in checks.items() if not ok]
    run.add(
        "6-month report totals = raw SQL over the entries, to the cent",
        budget="equal to the cent",
        measured=f"TCO {got_total:,} {base} (raw SQL {want_total:,}); "
        + (f"different: {', '.join(wrong)}" if wrong else "months, categories, engagements, tasks, spend, HHI equal"),
        met=not wrong,
    )

    # -- the summary equals the entries it sums ----------------------------------------------------
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT category, currency, SUM(CAST(ROUND(amount * 100) AS BIGINT)), COUNT(*) FROM costs_costentry "
            "WHERE workspace_id = %s GROUP BY 1, 2",
            [workspace.pk],
        )
        from_entries = {(c, cur): (int(s), int(n)) for c, cur, s, n in cursor.fetchall()}
        cursor.execute(
            "SELECT category, currency, SUM(CAST(ROUND(total * 100) AS BIGINT)), SUM(entries) FROM costs_costmonth "
            "WHERE workspace_id = %s GROUP BY 1, 2",
            [workspace.pk],
        )
        from_summary = {(c, cur): (int(s), int(n)) for c, cur, s, n in cursor.fetchall()}
    run.add(
        "monthly summary = the entries (all years)",
        budget="equal to the cent",
        measured=f"{sum(n for _, n in from_summary.values()):,} entries summed of {entries:,}",
        met=from_entries == from_summary,
    )

    # -- time, interleaved ---------------------------------------------------------------------
    samples = harness.interleave({"product": product, "raw SQL": raw}, runs=args.runs)
    run.check(
        f"cost report, last 6 months, warm ({in_period:,} of {entries:,} entries, "
        f"{report.engagement_count:,} engagements)",
        samples["product"],
        budget_ms=50,
        queries=counter.count,
        max_queries=10,
        reference=samples["raw SQL"],
        note=f"{len(Category.values)} categories",
    )

    # -- the first read after a write: the report computed again (no SPEC budget: reported) ----------
    owner_user = workspace.memberships.select_related("user").get(role="owner").user
    cold: list[float] = []
    cold_queries = 0
    for i in range(max(2, min(args.runs, 5))):
        with transaction.atomic():
            manual_entries.create_entry(
                workspace=workspace,
                actor=owner_user,
                category=Category.OTHER,
                date=today,
                amount=Decimal(i + 1),
                currency=base,
                description="bench: a write",
            )
            with harness.counting() as after:
                started = time.perf_counter()
                product()
                cold.append(time.perf_counter() - started)
            cold_queries = after.count
            transaction.set_rollback(True)  # the dataset stays as generated
    run.add(
        "cost report, first read after a write (computed and stored)",
        budget="none in SPEC §6 (reported)",
        measured=f"p50 {harness.p50(cold):.1f} ms, p95 {harness.p95(cold):.1f} ms, {cold_queries} queries "
        f"(first read of the run: {first.count} queries)",
        met=True,
    )
    # -- the dashboard that shows it, over HTTP as the owner ----------------------------------------
    from sourcewise.workspaces.models import Membership

    owner = Membership.objects.select_related("user").get(workspace=workspace, role="owner")
    harness.check_page(
        run, "costs dashboard /costs/ (6 months, 4 charts)", harness.signed_in(owner.user), lambda: "/costs/",
        runs=args.runs, budget_ms=50, max_queries=harness.PAGE_QUERIES,
    )  # fmt: skip
    return run.finish()


def _top_equal(got: dict[int, list[Decimal]], want: dict[int, list[Decimal]]) -> bool:
    """When the report lists only the top engagements: each listed one equals the reference, and
    none left out costs more than the last one listed."""
    if any(want.get(pk) != v for pk, v in got.items()):
        return False
    smallest = min((sum(v) for v in got.values()), default=Decimal(0))
    return all(sum(v) <= smallest for pk, v in want.items() if pk not in got)


if __name__ == "__main__":
    sys.exit(main())

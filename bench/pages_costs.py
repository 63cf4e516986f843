"""SPEC P6 for the cost and money pages at 1,000,000 cost entries (issue 14 item 2).

    python bench/pages_costs.py [--db sqlite|postgres] [--scale F] [--runs N]

On the standard dataset (`harness.standard_data`: 100,000 freelancers and engagements, 500
tasks, 1,000,000 cost entries and their invoices), signed in as the owner, each page a person
opens: the costs dashboard, the ledger (unfiltered, with each filter it offers, and later
pages), the invoices (list, a filter, later pages, one invoice), a member's cost page, and the
money pages (fair band, exchange rates, benchmarks). Pages that vary (later pages, an invoice,
an engagement's costs) take a different one on every request. Budget: p95 ≤ 150 ms and
≤ 15 queries each (`harness.check_page`). Exit 1 on any miss.
"""

from __future__ import annotations

import datetime
import itertools
import os
import random
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness


def main() -> int:
    args = harness.arguments(__doc__).parse_args()
    run = harness.Run("P6 cost and money pages", db=args.db)
    url, info = harness.standard_data(args.db, args.scale)
    harness.setup_django(url)

    from sourcewise.costs.models import CostEntry, Invoice
    from sourcewise.workspaces.models import Membership, Workspace

    workspace = Workspace.objects.get(pk=info["workspace_id"])
    owner = Membership.objects.select_related("user").get(workspace=workspace, role="owner")
    member = Membership.objects.filter(workspace=workspace).exclude(pk=owner.pk).order_by("pk").first() or owner
    client = harness.signed_in(owner.user)
    rng = random.Random(14)
    entries = CostEntry.objects.filter(workspace=workspace)
    engagement_ids = list(
        entries.exclude(engagement=None).order_by("-date").values_list("engagement_id", flat=True)[:2000]
    )
    task_ids = list(entries.exclude(task=None).order_by("-date").values_list("task_id", flat=True)[:500])
    invoice_ids = list(Invoice.objects.filter(workspace=workspace).values_list("pk", flat=True)[:5000])
    today = workspace.today()
    year_ago = today - datetime.timedelta(days=365)
    pages = itertools.cycle(range(2, 40))
    late = itertools.cycle(range(100, 200))

    def pick(ids: list[int]) -> int:
        return rng.choice(ids)

    ledger = "/costs/entries/"
    cases = {
        "costs dashboard (6 months)": lambda: "/costs/",
        "costs dashboard (24 months)": lambda: "/costs/?months=24",
        "ledger": lambda: ledger,
        "ledger, later pages (2–40)": lambda: f"{ledger}?page={next(pages)}",
        "ledger, pages 100–200": lambda: f"{ledger}?page={next(late)}",
        "ledger by category": lambda: f"{ledger}?category=tools&page={next(pages)}",
        "ledger by currency": lambda: f"{ledger}?currency=EUR&page={next(pages)}",
        "ledger by engagement": lambda: f"{ledger}?engagement={pick(engagement_ids)}",
        "ledger by task": lambda: f"{ledger}?task={pick(task_ids)}&page={next(pages) % 5 + 1}",
        "ledger by dates": lambda: f"{ledger}?date_from={today.replace(day=1)}&date_to={today}",
        "ledger, every filter": lambda: f"{ledger}?category=fees&currency=GBP&date_from={year_ago}",
        "ledger by description": lambda: f"{ledger}?q=Invoice",
        "invoices": lambda: "/costs/invoices/",
        "invoices, later pages": lambda: f"/costs/invoices/?page={next(pages)}",
        "invoices, paid": lambda: f"/costs/invoices/?state=paid&page={next(pages) % 10 + 1}",
        "an invoice": lambda: f"/costs/invoices/{pick(invoice_ids)}/",
        "a member's cost": lambda: f"/costs/team/{member.pk}/cost/",
        "fair band (/money/)": lambda: "/money/",
        "exchange rates": lambda: "/money/exchange-rates/",
        "exchange rates, later pages": lambda: f"/money/exchange-rates/?page={next(pages) % 4 + 1}",
        "benchmarks": lambda: "/money/benchmarks/",
    }
    for name, urls in cases.items():
        harness.check_page(run, name, client, urls, runs=args.runs)
    return run.finish()


if __name__ == "__main__":
    sys.exit(main())

"""The demo shows six months of costs in several currencies and invoices in every state (Lumen Studio),
and every cost finding ("Every classic mistake")."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from sourcewise.costs import ledger, periods, reports
from sourcewise.costs.models import CostEntry, CostMonth, Invoice
from sourcewise.demo.builder import build_demo
from sourcewise.findings.engine import evaluate

SHARED_DEMO = {"domain": "demo.test"}


@pytest.fixture
def demo(shared_demo):
    """The demo, built once for this module (see tests/conftest.py)."""
    return shared_demo


def test_demo_costs_span_six_months_currencies_and_invoice_states(demo):
    ws = demo.workspace
    entries = CostEntry.objects.filter(workspace=ws)
    assert {"GBP", "USD"} <= set(entries.values_list("currency", flat=True))
    months = {e.date.replace(day=1) for e in entries}
    assert len(months) >= 7  # six months before this one, and this one
    assert set(Invoice.objects.filter(workspace=ws).values_list("state", flat=True)) == {"draft", "sent", "paid"}
    assert entries.filter(category="management").exists() and entries.filter(source__startswith="fees:hours:").exists()
    kept = set(CostMonth.objects.filter(workspace=ws).values_list("bucket", "total", "entries"))
    ledger.rebuild(ws)
    assert kept == set(CostMonth.objects.filter(workspace=ws).values_list("bucket", "total", "entries"))


def test_demo_dashboard_has_every_rate_it_needs(demo):
    today = demo.workspace.today()
    report = reports.cost_report(demo.workspace, *periods.report_period(today, 6), today=today)
    assert report.missing == [] and report.totals.tco > 0 and report.concentration.shares


# The 90-day window cuts the ledger's monthly lumps (invoices at month end, overheads on the 1st)
# differently on every day of the month: the story must hold on all of them.
STORY_DAYS = [
    datetime.datetime(2026, 12, 2, 9, tzinfo=datetime.UTC),  # early in a month (the day this test once failed)
    datetime.datetime(2026, 11, 30, 23, 30, tzinfo=datetime.UTC),  # the last minutes of a month
    datetime.datetime(2027, 3, 28, 0, 30, tzinfo=datetime.UTC),  # the night the clocks go forward in London
    datetime.datetime(2028, 2, 29, 12, tzinfo=datetime.UTC),  # 29 February
    datetime.datetime(2026, 12, 31, 23, 59, tzinfo=datetime.UTC),  # New Year's Eve
    datetime.datetime(2027, 1, 15, 12, tzinfo=datetime.UTC),  # mid-month
]


@pytest.mark.own_clock
@pytest.mark.slow
@pytest.mark.parametrize("moment", STORY_DAYS, ids=lambda m: m.strftime("%Y-%m-%dT%H:%M"))
def test_demo_shows_every_cost_finding(db, moment):
    with time_machine.travel(moment, tick=False):
        demo = build_demo(domain="demo.test")
        findings = evaluate(demo.classic.workspace, today=demo.today).findings
        main = evaluate(demo.workspace, today=demo.today).findings
    by_code: dict[str, list[str]] = {}
    for f in findings:
        by_code.setdefault(f.code, []).append(f.subject_label)
    assert by_code["HIDDEN_COSTS_UNTRACKED"] == ["Amani Otieno — Bookkeeping (full engagement)"]
    assert "Ana Popescu — PPC campaign management (full engagement)" in by_code["SAVINGS_OVERESTIMATED"]
    assert by_code["NEGATIVE_ROI"] == ["Nguyen Van An — Campaign video editing (full engagement)"]
    assert "Every classic mistake" in by_code["HIGH_CONCENTRATION"]
    # Lumen Studio prices its engagements to save money as planned; Amani's overheads are the
    # one cost it still forgets (info), and spend is still concentrated on Priya (five payees).
    main_codes = {(f.code, f.subject_label) for f in main if f.guardrail == "G5"}
    assert main_codes == {("HIDDEN_COSTS_UNTRACKED", "Amani Otieno — Bookkeeping (full engagement)")}
    assert ("HIGH_CONCENTRATION", "Lumen Studio") in {(f.code, f.subject_label) for f in main}


# `sourcewise demo` then `health --json` on the classic workspace: tests/demo/test_demo.py checks it shows
# exactly every code of the catalogue (the cost codes among them), with one build of the demo for all apps.

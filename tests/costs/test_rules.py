"""The G5 and G8 cost findings, each at its threshold on both sides."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.costs import rules
from sourcewise.findings.engine import evaluate
from sourcewise.findings.registry import CheckContext
from sourcewise.tasks.models import Task
from tests.costs.helpers import active_engagement, cost, usd_rate

TODAY = datetime.date(2026, 3, 31)  # the 90-day window is 1 Jan – 31 Mar: exactly 3 months


def _codes(workspace, code):
    return [f for f in evaluate(workspace, today=TODAY).findings if f.code == code]


def _run(check, workspace):
    return list(check(CheckContext(workspace=workspace, today=TODAY)))


# -- HIDDEN_COSTS_UNTRACKED ---------------------------------------------------------------------


@pytest.mark.parametrize(("age", "flagged"), [(30, False), (31, True)])
def test_hidden_costs_after_thirty_days(workspace, age, flagged):
    e = active_engagement(workspace, start_date=TODAY - datetime.timedelta(days=age))
    cost(
        workspace, category="fees", amount="100", date=TODAY, engagement=None, task=e.task
    )  # task fee: not the engagement's
    from sourcewise.costs import ledger
    from sourcewise.costs.models import CostEntry

    CostEntry.objects.create(workspace=workspace, engagement=e, task=e.task, category="fees", date=TODAY,
                             amount=D("50"), currency="GBP", source="fees:test:1")  # fmt: skip
    ledger.rebuild(workspace)
    found = _run(rules.hidden_costs, workspace)
    assert [f.subject_id for f in found] == ([e.pk] if flagged else [])
    assert all(f.severity == "info" for f in found)


def test_hidden_costs_cleared_by_any_overhead_of_the_engagement_or_its_task(workspace):
    from sourcewise.costs import ledger
    from sourcewise.costs.models import CostEntry

    e = active_engagement(workspace, start_date=TODAY - datetime.timedelta(days=60))
    bare = active_engagement(workspace, start_date=TODAY - datetime.timedelta(days=60))  # no fees at all
    CostEntry.objects.create(workspace=workspace, engagement=e, task=e.task, category="fees", date=TODAY,
                             amount=D("50"), currency="GBP", source="fees:test:1")  # fmt: skip
    ledger.rebuild(workspace)
    assert [f.subject_id for f in _run(rules.hidden_costs, workspace)] == [e.pk]
    entry = cost(workspace, category="licences", amount="9", task=e.task)
    assert _run(rules.hidden_costs, workspace) == []
    entry.delete()
    ledger.rebuild(workspace)
    cost(workspace, category="management", amount="9", engagement=e)
    assert _run(rules.hidden_costs, workspace) == [] and bare.pk


# -- SAVINGS_OVERESTIMATED and NEGATIVE_ROI ---------------------------------------------------------


def _measured_engagement(workspace, *, expected="200.00", currency="GBP"):
    e = active_engagement(workspace, start_date=datetime.date(2025, 12, 1), expected_monthly_saving=D(expected),
                          currency=currency)  # fmt: skip
    Task.objects.filter(pk=e.task_id).update(hours=D("10"), inhouse_hourly_cost=D("30"), inhouse_cost_currency="GBP")
    return e  # baseline 10 h × 30 × 3 months = 900; expected 600


@pytest.mark.parametrize(("spent", "flagged"), [("600.00", False), ("600.01", True)])
def test_savings_overestimated_below_half_of_expected(workspace, spent, flagged):
    e = _measured_engagement(workspace)
    cost(workspace, category="tools", amount=spent, engagement=e, date=datetime.date(2026, 2, 10))
    found = _run(rules.savings_overestimated, workspace)
    assert [f.subject_id for f in found] == ([e.pk] if flagged else [])
    if flagged:
        assert found[0].severity == "warning" and "saved 299.99 GBP against 600.00 GBP expected" in found[0].message


def test_the_shortfall_threshold_is_a_workspace_setting(workspace):
    e = _measured_engagement(workspace)
    cost(workspace, category="tools", amount="500", engagement=e, date=datetime.date(2026, 2, 10))  # saved 400 of 600
    assert _run(rules.savings_overestimated, workspace) == []
    workspace.savings_shortfall_pct = 70
    assert len(_run(rules.savings_overestimated, workspace)) == 1


def test_expected_saving_in_another_currency_is_converted(workspace):
    usd_rate(workspace, "0.50", datetime.date(2025, 1, 1))
    e = _measured_engagement(workspace, expected="400.00", currency="USD")  # 400 USD = 200 GBP a month
    cost(workspace, category="tools", amount="600.01", engagement=e, date=datetime.date(2026, 1, 1))
    assert len(_run(rules.savings_overestimated, workspace)) == 1


@pytest.mark.parametrize(("spent", "flagged"), [("900.00", False), ("900.01", True)])
def test_negative_roi_when_outsourcing_costs_more_than_in_house(workspace, spent, flagged):
    e = _measured_engagement(workspace)
    cost(workspace, category="tools", amount=spent, engagement=e, date=datetime.date(2026, 3, 31))
    found = _run(rules.negative_roi, workspace)
    assert [f.subject_id for f in found] == ([e.pk] if flagged else [])


def test_no_baseline_or_too_short_means_no_saving_finding(workspace):
    e = _measured_engagement(workspace)
    Task.objects.filter(pk=e.task_id).update(inhouse_hourly_cost=None)
    cost(workspace, category="tools", amount="5000", engagement=e, date=datetime.date(2026, 2, 10))
    assert _run(rules.negative_roi, workspace) == [] and _run(rules.savings_overestimated, workspace) == []
    young = active_engagement(workspace, start_date=TODAY - datetime.timedelta(days=20), expected_monthly_saving=D(1))
    Task.objects.filter(pk=young.task_id).update(hours=D("1"), inhouse_hourly_cost=D("1"), inhouse_cost_currency="GBP")
    cost(workspace, category="tools", amount="5000", engagement=young, date=TODAY)
    assert _run(rules.negative_roi, workspace) == []


def test_a_missing_rate_leaves_the_engagement_out(workspace):
    e = _measured_engagement(workspace)
    # NGN: not published by the ECB, no owner rate.
    cost(workspace, category="tools", amount="5000", currency="NGN", engagement=e, date=datetime.date(2026, 2, 10))
    assert _run(rules.negative_roi, workspace) == []


# -- HIGH_CONCENTRATION -----------------------------------------------------------------------------


def _spend(workspace, amounts):
    for amount in amounts:
        e = active_engagement(workspace)
        cost(workspace, category="platform_fees", amount=amount, engagement=e, date=datetime.date(2026, 2, 1))


@pytest.mark.parametrize(
    ("amounts", "expected"),
    [
        (["1"] * 11, []),  # HHI 909
        (["1"] * 10, [("workspace", "info")]),  # HHI 1000 exactly: moderate
        (["12"] + ["1"] * 18, [("workspace", "info")]),  # HHI 1800 exactly: still moderate
        (["12.01"] + ["1"] * 18, [("workspace", "warning")]),  # just above 1800
    ],
)
def test_hhi_levels(workspace, amounts, expected):
    _spend(workspace, amounts)
    found = _run(rules.spend_concentration, workspace)
    assert [(f.subject_type, str(f.severity)) for f in found] == expected
    for f in found:  # the message speaks of concentration, not of an index's acronym
        assert "concentrated" in f.message and "of 10 000" in f.message and "HHI" not in f.message


@pytest.mark.parametrize(("top", "flagged"), [("50.00", False), ("50.01", True)])
def test_one_freelancer_above_half_of_spend(workspace, top, flagged):
    workspace.hhi_warning = workspace.hhi_info = 10000
    _spend(workspace, [top, "50.00"])
    found = _run(rules.spend_concentration, workspace)
    assert [(f.subject_type, str(f.severity)) for f in found] == ([("freelancer", "warning")] if flagged else [])


def test_concentration_adds_up_each_freelancers_engagements_and_names_them(workspace):
    from tests.talent.factories import FreelancerFactory

    workspace.max_single_share_pct = 30
    zed = FreelancerFactory(workspace=workspace, name="Zed", status="approved")  # the lower id
    abe = FreelancerFactory(workspace=workspace, name="Abe", status="approved")
    for who, amount in ((zed, "30"), (abe, "40"), (zed, "10"), (None, "20")):
        e = active_engagement(workspace, **({"freelancer": who} if who else {}))
        cost(workspace, category="platform_fees", amount=amount, engagement=e, date=datetime.date(2026, 2, 1))
    other = e.freelancer.name
    ctx = CheckContext(workspace=workspace, today=TODAY)
    with CaptureQueriesContext(connection) as queries:
        found = list(rules.spend_concentration(ctx))
    assert len(queries) <= 4  # rates, the ledger, whose each engagement is: not one per engagement
    assert [(f.subject_type, f.subject_label) for f in found] == [
        ("workspace", workspace.name),
        ("freelancer", "Abe"),  # 40 each: the first by name
        ("freelancer", "Zed"),
    ]
    assert found[0].message.endswith(f"Largest: Abe 40 %, Zed 40 %, {other} 20 %.")
    assert found[2].message.startswith("Zed received 40.0 % of your freelancer spend")


def test_spend_outside_the_90_days_does_not_count(workspace):
    e = active_engagement(workspace)
    cost(workspace, category="platform_fees", amount="100", engagement=e, date=datetime.date(2025, 12, 31))
    assert _run(rules.spend_concentration, workspace) == []
    cost(workspace, category="platform_fees", amount="100", engagement=e, date=datetime.date(2026, 1, 1))
    assert len(_run(rules.spend_concentration, workspace)) == 1  # one freelancer holds it all: one finding


def test_cost_checks_share_their_reads(workspace):
    for _ in range(5):
        e = _measured_engagement(workspace)
        cost(workspace, category="tools", amount="2000", engagement=e, date=datetime.date(2026, 2, 10))
    ctx = CheckContext(workspace=workspace, today=TODAY)
    with CaptureQueriesContext(connection) as queries:
        for check in (rules.hidden_costs, rules.savings_overestimated, rules.negative_roi, rules.spend_concentration):
            list(check(ctx))
    assert len(queries) <= 6

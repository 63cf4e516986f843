"""G4 findings on agreed rates: thresholds, currencies, dates, estimates, missing rates, queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.engagements.agreed_rates import engagement_bands, rate_date
from sourcewise.engagements.models import Engagement
from sourcewise.engagements.rules import agreed_rates_outside_the_fair_band
from sourcewise.findings.codes import Severity
from sourcewise.findings.engine import evaluate
from sourcewise.findings.registry import CheckContext
from sourcewise.money.fairband import load_rate_book
from tests.engagements.factories import EngagementFactory
from tests.money.factories import ExchangeRateFactory, RateBenchmarkFactory
from tests.talent.factories import FreelancerFactory, SkillFactory
from tests.tasks.factories import TaskFactory, TaskSkillFactory
from tests.workspaces.factories import WorkspaceFactory

D = datetime.date
TODAY = D(2026, 3, 20)
START = D(2026, 3, 2)
G4 = {"RATE_BELOW_MARKET", "RATE_UNDER_FAIR_FLOOR", "RATE_ABOVE_HOME", "NO_RATE_BENCHMARK"}


@pytest.fixture
def skill(workspace):
    return SkillFactory(workspace=workspace, name="Web development")


@pytest.fixture
def task(workspace, skill):
    task = TaskFactory(workspace=workspace, name="Website")
    TaskSkillFactory(task=task, skill=skill)
    return task


@pytest.fixture
def band(workspace, skill):
    """market(PH) = 20.00 GBP, floor = 22.00, ceiling = market(GB) = 50.00."""
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="PH", hourly_rate=Decimal("20.00"))
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="GB", hourly_rate=Decimal("50.00"))
    return workspace


def engage(workspace, task, rate, currency="GBP", country="PH", state=Engagement.State.DRAFT, **kw):
    freelancer = FreelancerFactory(workspace=workspace, country=country)
    return EngagementFactory(
        workspace=workspace, task=task, freelancer=freelancer, rate=Decimal(rate), currency=currency, state=state, **kw
    )


def findings(workspace, today=TODAY):
    return list(agreed_rates_outside_the_fair_band(CheckContext(workspace=workspace, today=today)))


@pytest.mark.parametrize(
    "rate, code, severity",
    [
        ("19.99", "RATE_BELOW_MARKET", Severity.WARNING),  # one cent below the market
        ("20.00", "RATE_UNDER_FAIR_FLOOR", Severity.INFO),  # exactly the market
        ("21.99", "RATE_UNDER_FAIR_FLOOR", Severity.INFO),  # one cent below the floor
        ("22.00", None, None),  # exactly the floor
        ("50.00", None, None),  # exactly the ceiling
        ("50.01", "RATE_ABOVE_HOME", Severity.WARNING),  # one cent above the ceiling
    ],
)
def test_agreed_rate_at_every_threshold(band, task, rate, code, severity):
    engagement = engage(band, task, rate)
    found = findings(band)
    assert [(f.code, f.severity) for f in found] == ([(code, severity)] if code else [])
    for f in found:
        assert (f.subject_type, f.subject_id, f.subject_label) == ("engagement", engagement.pk, str(engagement))
    [sb] = engagement_bands(load_rate_book(band), engagement, TODAY)
    assert sb.band.converted_rate == Decimal(rate)
    assert (sb.band.market_rate, sb.band.floor, sb.band.ceiling) == (Decimal("20.00"), Decimal("22.00"), Decimal("50"))


def test_messages_say_what_to_pay(band, task):
    engage(band, task, "19.99")
    [f] = findings(band)
    assert "19.99 GBP/h is below the local market rate for Web development in Philippines (20.00 GBP/h)" in f.message
    assert f.fix == "Raise the rate to at least the fair floor of 22.00 GBP/h."


def test_a_draft_is_converted_on_its_start_date_and_an_active_one_today(band, task):
    ExchangeRateFactory(workspace=band, currency="PHP", rate=Decimal("0.0135"), valid_from=D(2026, 1, 1))
    ExchangeRateFactory(workspace=band, currency="PHP", rate=Decimal("0.0150"), valid_from=D(2026, 3, 10))
    draft = engage(band, task, "1600", currency="PHP", start_date=START)
    active = engage(band, task, "1600", currency="PHP", state=Engagement.State.ACTIVE, start_date=START)
    assert rate_date(draft, TODAY) == START and rate_date(active, TODAY) == TODAY
    book = load_rate_book(band)
    [on_start] = engagement_bands(book, draft, TODAY)
    [on_today] = engagement_bands(book, active, TODAY)
    assert on_start.band.converted_rate == Decimal("21.6000") and on_start.band.on_date == START
    assert on_today.band.converted_rate == Decimal("24.0000") and on_today.band.on_date == TODAY
    codes = {f.subject_id: f.code for f in findings(band)}
    assert codes == {draft.pk: "RATE_UNDER_FAIR_FLOOR"}  # the active one is fair at today's rate


def test_benchmarks_in_other_currencies_are_converted(workspace, skill, task):
    ExchangeRateFactory(workspace=workspace, currency="PHP", rate=Decimal("0.0135"), valid_from=D(2026, 1, 1))
    ExchangeRateFactory(workspace=workspace, currency="EUR", rate=Decimal("0.85"), valid_from=D(2026, 1, 1))
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="PH", hourly_rate=Decimal("1000"), currency="PHP")
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="GB", hourly_rate=Decimal("40"), currency="EUR")
    # market 13.50 GBP, floor 14.85, ceiling 34.00; the rate is in EUR.
    engagement = engage(workspace, task, "17.47", currency="EUR")  # 14.8495 GBP: one hundredth under the floor
    [f] = findings(workspace)
    assert f.code == "RATE_UNDER_FAIR_FLOOR"
    engagement.rate = Decimal("17.48")  # 14.858 GBP
    engagement.save()
    assert findings(workspace) == []
    engagement.rate = Decimal("40.01")  # 34.0085 GBP: above the home market
    engagement.save()
    assert [f.code for f in findings(workspace)] == ["RATE_ABOVE_HOME"]


def test_estimate_fills_a_missing_local_benchmark_and_says_so(workspace, skill, task):
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="GB", hourly_rate=Decimal("50.00"))
    engagement = engage(workspace, task, "19.07", country="UA")  # estimate 17.34, floor 19.074
    [f] = findings(workspace)
    assert f.code == "RATE_UNDER_FAIR_FLOOR" and "estimate" in f.message and "World Bank" in f.message
    [sb] = engagement_bands(load_rate_book(workspace), engagement, TODAY)
    assert sb.band.estimated and sb.band.market_rate == Decimal("17.34") and sb.band.floor == Decimal("19.074")
    engagement.rate = Decimal("19.08")
    engagement.save()
    assert findings(workspace) == []
    # A real benchmark replaces the estimate.
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="UA", hourly_rate=Decimal("20.00"))
    [f] = findings(workspace)
    assert f.code == "RATE_BELOW_MARKET" and "estimate" not in f.message


def test_no_benchmark_is_reported(workspace, task):
    engage(workspace, task, "20.00")
    [f] = findings(workspace)
    assert (f.code, f.severity) == ("NO_RATE_BENCHMARK", Severity.INFO)
    assert "no market benchmark for Web development in Philippines or United Kingdom" in f.message


def test_a_task_without_skills_cannot_be_benchmarked(band):
    engagement = engage(band, TaskFactory(workspace=band, name="Odd jobs"), "20.00")
    [f] = findings(band)
    assert (f.code, f.subject_id) == ("NO_RATE_BENCHMARK", engagement.pk)
    assert "Odd jobs lists no skill" in f.message


def test_each_skill_the_task_needs_is_checked(band, skill, task):
    design = SkillFactory(workspace=band, name="Design")
    TaskSkillFactory(task=task, skill=design)
    RateBenchmarkFactory(workspace=band, skill=design, country="PH", hourly_rate=Decimal("30.00"))
    RateBenchmarkFactory(workspace=band, skill=design, country="GB", hourly_rate=Decimal("60.00"))
    engagement = engage(band, task, "25.00")  # fair for web development, below market for design
    assert [sb.skill.name for sb in engagement_bands(load_rate_book(band), engagement, TODAY)] == [
        "Design",
        "Web development",
    ]
    [f] = findings(band)
    assert f.code == "RATE_BELOW_MARKET" and "Design in Philippines (30.00 GBP/h)" in f.message


def test_missing_exchange_rate_is_a_clear_finding_not_a_crash(band, task):
    engagement = engage(band, task, "1000", currency="NGN", start_date=START)  # not published by the ECB
    report = evaluate(band, today=TODAY)  # every other check still runs
    [f] = [f for f in report.findings if f.code in G4]
    assert (f.code, f.subject_id) == ("NO_RATE_BENCHMARK", engagement.pk)
    assert "No exchange rate from NGN to GBP on 2026-03-02" in f.message
    assert f.fix == "Add a NGN exchange rate valid from 2026-03-02 or earlier under Money → Exchange rates."
    assert any(f.code not in G4 for f in report.findings)


def test_only_draft_and_active_engagements_of_the_workspace(band, task):
    engage(band, task, "1.00", state=Engagement.State.COMPLETED, trial_rating=4)
    for state in (Engagement.State.CANCELLED, Engagement.State.TERMINATED):
        engage(band, task, "1.00", state=state)
    other = WorkspaceFactory()
    other_skill = SkillFactory(workspace=other)
    other_task = TaskFactory(workspace=other)
    TaskSkillFactory(task=other_task, skill=other_skill)
    engage(other, other_task, "1.00")
    assert findings(band) == []
    assert len(findings(other)) == 1


def test_query_count_does_not_grow_with_engagements(band, task):
    ExchangeRateFactory(workspace=band, currency="EUR", rate=Decimal("0.85"), valid_from=D(2026, 1, 1))
    engage(band, task, "1.00")

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            produced = findings(band)
        return len(queries), len(produced)

    few = count()
    for i in range(6):
        other_task = TaskFactory(workspace=band)
        TaskSkillFactory(task=other_task, skill=SkillFactory(workspace=band))
        engage(band, other_task, f"{10 + i}.00", currency="EUR", state=Engagement.State.ACTIVE)
    many = count()
    assert few[0] == many[0] <= 4  # engagements, their task skills, exchange rates, benchmarks
    assert (few[1], many[1]) == (1, 7)


def test_the_rate_book_loads_once_per_evaluation(band, task, django_assert_max_num_queries):
    engage(band, task, "19.99")
    ctx = CheckContext(workspace=band, today=TODAY)
    list(agreed_rates_outside_the_fair_band(ctx))
    with django_assert_max_num_queries(0):
        assert [f.code for f in agreed_rates_outside_the_fair_band(ctx)] == ["RATE_BELOW_MARKET"]

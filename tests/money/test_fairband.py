from __future__ import annotations

import csv
import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.findings.codes import Severity
from sourcewise.money.conversion import MissingExchangeRate
from sourcewise.money.fairband import RateClass, band_of, classify_rate, load_rate_book, rate_finding
from sourcewise.money.price_levels import DATA_FILE, alpha2_of, alpha3_of, price_level
from tests.money.factories import ExchangeRateFactory, RateBenchmarkFactory
from tests.talent.factories import SkillFactory

D = datetime.date
ON = D(2026, 3, 1)


@pytest.fixture
def skill(workspace):
    return SkillFactory(workspace=workspace, name="Web development")


@pytest.fixture
def band(workspace, skill):
    """market(PH) = 20.00 GBP, floor = 22.00, ceiling = market(GB) = 50.00."""
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="PH", hourly_rate=Decimal("20.00"))
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="GB", hourly_rate=Decimal("50.00"))
    return workspace


def classify(workspace, skill, rate, country="PH", currency="GBP", on=ON):
    return classify_rate(workspace, skill=skill, country=country, rate=Decimal(rate), currency=currency, on_date=on)


@pytest.mark.parametrize(
    "rate, expected",
    [
        ("19.99", RateClass.BELOW_MARKET),
        ("20.00", RateClass.UNDER_FLOOR),  # exactly the market
        ("21.99", RateClass.UNDER_FLOOR),
        ("22.00", RateClass.FAIR),  # exactly the floor
        ("50.00", RateClass.FAIR),  # exactly the ceiling
        ("50.01", RateClass.ABOVE_HOME),  # one cent above
    ],
)
def test_classification_at_every_threshold(band, skill, rate, expected):
    result = classify(band, skill, rate)
    assert result.classification == expected
    assert (result.market_rate, result.floor, result.ceiling) == (Decimal("20.00"), Decimal("22.00"), Decimal("50.00"))
    assert result.converted_rate == Decimal(rate)
    assert not result.estimated and not result.floor_capped and result.rates_used == []


def test_premium_comes_from_the_workspace(band, skill):
    band.fair_premium_pct = 25
    band.save()
    result = classify(band, skill, "24.99")
    assert result.floor == Decimal("25.00") and result.classification == RateClass.UNDER_FLOOR
    assert classify(band, skill, "25.00").classification == RateClass.FAIR
    band.fair_premium_pct = 0
    band.save()
    assert classify(band, skill, "20.00").classification == RateClass.FAIR


def test_rates_in_other_currencies_are_converted_on_the_date(workspace, skill):
    ExchangeRateFactory(workspace=workspace, currency="PHP", rate=Decimal("0.0135"), valid_from=D(2026, 1, 1))
    ExchangeRateFactory(workspace=workspace, currency="PHP", rate=Decimal("0.0150"), valid_from=ON)
    ExchangeRateFactory(workspace=workspace, currency="EUR", rate=Decimal("0.85"), valid_from=D(2026, 1, 1))
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="PH", hourly_rate=Decimal("1000"), currency="PHP")
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="GB", hourly_rate=Decimal("40"), currency="EUR")
    before = classify(workspace, skill, "1000", currency="PHP", on=D(2026, 2, 28))
    assert before.market_rate == Decimal("13.5") and before.converted_rate == Decimal("13.5")
    assert before.classification == RateClass.UNDER_FLOOR  # exactly the market, in PHP
    assert before.floor == Decimal("14.85") and before.ceiling == Decimal("34.00")
    assert classify(workspace, skill, "1100", currency="PHP", on=D(2026, 2, 28)).classification == RateClass.FAIR
    on_the_day = classify(workspace, skill, "1000", currency="PHP", on=ON)
    assert on_the_day.market_rate == Decimal("15.0") and on_the_day.floor == Decimal("16.5")
    used = {(r.currency, r.valid_from, r.rate) for r in on_the_day.rates_used}
    assert used == {("PHP", ON, Decimal("0.0150")), ("EUR", D(2026, 1, 1), Decimal("0.85"))}


def test_missing_exchange_rate_is_raised_not_guessed(band, skill):
    with pytest.raises(MissingExchangeRate) as caught:
        classify(band, skill, "1000", currency="NGN")  # not published by the ECB, no owner rate
    assert caught.value.currency == "NGN" and caught.value.on_date == ON


def test_latest_benchmark_up_to_the_date_wins(band, skill):
    RateBenchmarkFactory(workspace=band, skill=skill, country="PH", hourly_rate=Decimal("24.00"), as_of=D(2026, 2, 1))
    RateBenchmarkFactory(workspace=band, skill=skill, country="PH", hourly_rate=Decimal("99.00"), as_of=D(2026, 4, 1))
    assert classify(band, skill, "22", on=D(2026, 1, 31)).market_rate == Decimal("20.00")
    assert classify(band, skill, "22", on=D(2026, 2, 1)).market_rate == Decimal("24.00")
    assert classify(band, skill, "22", on=D(2026, 3, 31)).market_rate == Decimal("24.00")
    assert classify(band, skill, "22", on=D(2025, 12, 31)).classification == RateClass.UNKNOWN


def _csv_ratio(iso3):
    with DATA_FILE.open(encoding="utf-8") as handle:
        return next(Decimal(r["price_level_ratio"]) for r in csv.DictReader(handle) if r["iso3"] == iso3)


def test_estimate_from_the_home_benchmark_and_price_levels(workspace, skill):
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="GB", hourly_rate=Decimal("50.00"))
    result = classify(workspace, skill, "19.00", country="UA")
    expected = (Decimal("50.00") * _csv_ratio("UKR") / _csv_ratio("GBR")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert expected == Decimal("17.34")
    assert result.market_rate == expected and result.estimated
    assert result.floor == Decimal("19.074")
    assert result.market.estimate.country.year == 2023 and "World Bank" in result.market.estimate.source
    assert result.classification == RateClass.UNDER_FLOOR
    assert "estimate" in " ".join(result.notes)
    # A real benchmark replaces the estimate.
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="UA", hourly_rate=Decimal("25.00"))
    assert not classify(workspace, skill, "20.00", country="UA").estimated


def test_no_benchmark_anywhere_is_unknown(workspace, skill):
    result = classify(workspace, skill, "20.00", country="UA")
    assert result.classification == RateClass.UNKNOWN and result.market is None and result.floor is None
    assert "no market benchmark for Web development in Ukraine or United Kingdom" in result.explanation


def test_local_benchmark_without_home_benchmark(workspace, skill):
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="PH", hourly_rate=Decimal("20.00"))
    assert classify(workspace, skill, "19.99").classification == RateClass.BELOW_MARKET
    assert classify(workspace, skill, "21.99").classification == RateClass.UNDER_FLOOR
    result = classify(workspace, skill, "22.00")
    assert result.classification == RateClass.UNKNOWN and result.ceiling is None and result.floor == Decimal("22.00")


def test_floor_above_ceiling_is_capped_at_the_ceiling(workspace, skill):
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="PH", hourly_rate=Decimal("20.00"))
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="GB", hourly_rate=Decimal("21.00"))
    result = classify(workspace, skill, "21.00")
    assert result.floor_capped and result.premium_floor == Decimal("22.00") and result.floor == Decimal("21.00")
    assert result.classification == RateClass.FAIR
    assert classify(workspace, skill, "20.99").classification == RateClass.UNDER_FLOOR
    assert classify(workspace, skill, "21.01").classification == RateClass.ABOVE_HOME


def test_home_market_below_local_market_has_no_fair_rate(workspace, skill):
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="PH", hourly_rate=Decimal("20.00"))
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="GB", hourly_rate=Decimal("15.00"))
    assert classify(workspace, skill, "19.99").classification == RateClass.BELOW_MARKET
    result = classify(workspace, skill, "20.00")
    assert result.classification == RateClass.ABOVE_HOME and "no rate is both fair and a saving" in result.notes[0]


def test_home_country_freelancer_is_fair_exactly_at_the_home_market(band, skill):
    assert classify(band, skill, "50.00", country="GB").classification == RateClass.FAIR
    assert classify(band, skill, "49.99", country="GB").classification == RateClass.BELOW_MARKET
    assert classify(band, skill, "50.01", country="GB").classification == RateClass.ABOVE_HOME
    RateBenchmarkFactory(workspace=band, skill=SkillFactory(workspace=band), country="PH")
    # The home market is never estimated.
    other = SkillFactory(workspace=band)
    assert classify(band, other, "50.00", country="GB").classification == RateClass.UNKNOWN


def test_classification_costs_two_queries_and_a_rate_book_none_after_loading(band, skill):
    ExchangeRateFactory(workspace=band, currency="PHP", rate=Decimal("0.0135"))
    with CaptureQueriesContext(connection) as queries:
        classify(band, skill, "1000", currency="PHP")
    assert len(queries) == 2
    book = load_rate_book(band)
    with CaptureQueriesContext(connection) as queries:
        for rate in ("10", "20", "30", "60"):
            book.classify(skill=skill, country="PH", rate=Decimal(rate), currency="GBP", on_date=ON)
    assert len(queries) == 0


@pytest.mark.parametrize(
    "rate, code, severity",
    [
        ("19.99", "RATE_BELOW_MARKET", Severity.WARNING),
        ("20.00", "RATE_UNDER_FAIR_FLOOR", Severity.INFO),
        ("50.01", "RATE_ABOVE_HOME", Severity.WARNING),
    ],
)
def test_findings_for_each_classification(band, skill, rate, code, severity):
    finding = rate_finding(
        classify(band, skill, rate), subject_type="talent.freelancer", subject_id=7, subject_label="Maria Santos"
    )
    assert (finding.code, finding.severity, finding.subject_type, finding.subject_id) == (
        code,
        severity,
        "talent.freelancer",
        7,
    )
    assert finding.message.startswith("Maria Santos: ") and finding.fix and finding.guardrail == "G4"


def test_fair_rates_have_no_finding_and_unknown_asks_for_a_benchmark(band, skill):
    assert rate_finding(classify(band, skill, "30"), subject_type="x", subject_id=1) is None
    other = SkillFactory(workspace=band, name="Illustration")
    finding = rate_finding(classify(band, other, "30"), subject_type="x", subject_id=1)
    assert (finding.code, finding.severity) == ("NO_RATE_BENCHMARK", Severity.INFO)
    assert "Add a market benchmark for Illustration in Philippines" in finding.fix


def test_price_level_table_maps_codes_both_ways():
    assert alpha2_of("XKX") == "XK" and alpha3_of("XK") == "XKX"
    assert alpha2_of("GBR") == "GB" and alpha3_of("gb") == "GBR"
    assert price_level("GB").ratio == Decimal("0.829565847485324") and price_level("GB").year == 2023
    assert price_level("XK").country == "Kosovo"
    assert price_level("US").ratio == Decimal(1)
    assert price_level("CU") is None  # no value in any year


def test_no_price_level_means_no_estimate(band, skill):
    result = classify(band, skill, "20.00", country="CU")  # Cuba: no value in the World Bank table
    assert result.classification == RateClass.UNKNOWN
    assert "no World Bank price level to estimate one from" in result.explanation


@pytest.mark.parametrize(
    "rate, market, home, cls, floor, ceiling, capped",
    [
        ("19.99", "20", "50", RateClass.BELOW_MARKET, "22.00", "50", False),
        ("21.99", "20", "50", RateClass.UNDER_FLOOR, "22.00", "50", False),
        ("22.00", "20", "50", RateClass.FAIR, "22.00", "50", False),
        ("50.01", "20", "50", RateClass.ABOVE_HOME, "22.00", "50", False),
        ("21.00", "20", "21", RateClass.FAIR, "21", "21", True),  # floor capped at the home market
        ("30.00", "20", None, RateClass.UNKNOWN, "22.00", None, False),  # no ceiling: cannot tell
        ("21.00", "20", None, RateClass.UNDER_FLOOR, "22.00", None, False),
        ("30.00", None, "50", RateClass.UNKNOWN, None, None, False),
    ],
)
def test_band_of_is_arithmetic_alone(rate, market, home, cls, floor, ceiling, capped):
    """The classification without a database or words: market 20, premium 10% → floor 22."""

    def dec(text):
        return None if text is None else Decimal(text)

    band = band_of(Decimal(rate), market=dec(market), home_market=dec(home), premium_pct=10)
    assert band.classification is cls
    assert band.floor == dec(floor)
    assert band.ceiling == dec(ceiling)
    assert band.floor_capped is capped

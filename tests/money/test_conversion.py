from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.money.conversion import MissingExchangeRate, Rates, convert, exact, rate_on
from sourcewise.money.models import ExchangeRate
from sourcewise.money.services import create_exchange_rate
from tests.money.factories import ExchangeRateFactory

D = datetime.date


def test_same_currency_converts_at_exactly_one_without_a_rate_row_or_query(workspace):
    with CaptureQueriesContext(connection) as queries:
        result = convert(workspace, Decimal("123.45"), "gbp", D(2026, 3, 1))
    assert len(queries) == 0
    assert result.converted == Decimal("123.45")
    assert result.rate.rate == Decimal(1) and result.rate.valid_from is None and result.rate.is_identity


def test_conversion_uses_the_rate_valid_on_the_date_and_says_so(workspace):
    ExchangeRateFactory(workspace=workspace, currency="INR", rate=Decimal("0.0094"), valid_from=D(2026, 1, 1))
    ExchangeRateFactory(
        workspace=workspace, currency="INR", rate=Decimal("0.0090"), valid_from=D(2026, 2, 1), source="ECB"
    )
    before = convert(workspace, Decimal("1500"), "INR", D(2026, 1, 31))
    on_the_day = convert(workspace, Decimal("1500"), "INR", D(2026, 2, 1))
    assert before.converted == Decimal("14.1") and before.rate.valid_from == D(2026, 1, 1)
    assert on_the_day.converted == Decimal("13.5") and on_the_day.rate.valid_from == D(2026, 2, 1)
    assert on_the_day.rate.rate == Decimal("0.0090")
    assert "valid from 2026-02-01" in on_the_day.describe() and "ECB" in on_the_day.describe()
    assert exact(on_the_day.converted) == "13.50"


def test_missing_rate_is_an_explicit_error_naming_currency_and_date(workspace):
    # KES and VND: currencies the ECB does not publish, so only the owner's rates count.
    ExchangeRateFactory(workspace=workspace, currency="KES", valid_from=D(2026, 2, 1))
    with pytest.raises(MissingExchangeRate) as caught:
        convert(workspace, Decimal("10"), "KES", D(2026, 1, 31))
    assert caught.value.currency == "KES" and caught.value.on_date == D(2026, 1, 31)
    assert "No exchange rate from KES to GBP on 2026-01-31" in caught.value.messages[0]
    assert isinstance(caught.value, ValidationError)
    with pytest.raises(MissingExchangeRate):
        rate_on(workspace, "VND", D(2030, 1, 1))


def test_rates_of_another_workspace_are_never_used(workspace):
    ExchangeRateFactory(currency="KES", valid_from=D(2026, 1, 1))  # another workspace
    with pytest.raises(MissingExchangeRate):
        convert(workspace, Decimal("10"), "KES", D(2026, 3, 1))


def test_rates_of_an_old_base_currency_are_not_used(workspace):
    ExchangeRateFactory(workspace=workspace, currency="KES", valid_from=D(2026, 1, 1))
    workspace.base_currency = "EUR"
    workspace.save()
    with pytest.raises(MissingExchangeRate):
        convert(workspace, Decimal("10"), "KES", D(2026, 3, 1))


def test_preloaded_rates_answer_like_the_query(workspace):
    ExchangeRateFactory(workspace=workspace, currency="KES", rate=Decimal("0.0135"), valid_from=D(2026, 1, 1))
    ExchangeRateFactory(workspace=workspace, currency="KES", rate=Decimal("0.0131"), valid_from=D(2026, 3, 1))
    rates = Rates.load(workspace)
    with CaptureQueriesContext(connection) as queries:
        for day in (D(2026, 1, 1), D(2026, 2, 28), D(2026, 3, 1), D(2026, 12, 1)):
            assert rates.convert(Decimal("450"), "KES", day) == convert(workspace, Decimal("450"), "KES", day)
    assert len(queries) == 4  # only the convert() calls
    assert rates.convert(Decimal("450"), "KES", D(2026, 3, 1)).converted == Decimal("5.8950")
    with pytest.raises(MissingExchangeRate):
        rates.rate_on("KES", D(2025, 12, 31))


def test_a_rate_for_the_workspace_currency_is_refused(workspace, owner):
    with pytest.raises(ValidationError) as caught:
        create_exchange_rate(
            workspace=workspace, actor=owner.user, currency="GBP", rate=Decimal("1"), valid_from=D(2026, 1, 1)
        )
    assert "always converts at exactly 1" in str(caught.value)
    assert not ExchangeRate.objects.exists()


def test_create_validates_and_audits(workspace, owner):
    row = create_exchange_rate(
        workspace=workspace, actor=owner.user, currency="eur", rate=Decimal("0.861234567891"), valid_from=D(2026, 1, 1)
    )
    row.refresh_from_db()
    assert (row.currency, row.base_currency, row.rate) == ("EUR", "GBP", Decimal("0.861234567891"))
    with pytest.raises(ValidationError) as caught:
        create_exchange_rate(
            workspace=workspace, actor=owner.user, currency="EUR", rate=Decimal("0.9"), valid_from=D(2026, 1, 1)
        )
    assert "already a rate" in str(caught.value)
    with pytest.raises(ValidationError):
        create_exchange_rate(
            workspace=workspace, actor=owner.user, currency="EUR", rate=Decimal("0"), valid_from=D(2026, 2, 1)
        )
    assert ExchangeRate.objects.count() == 1
    from sourcewise.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="exchangerate.create").count() == 1

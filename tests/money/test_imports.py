from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from sourcewise.audit.models import AuditEvent
from sourcewise.money.csv_import import CsvErrors
from sourcewise.money.models import ExchangeRate, RateBenchmark
from sourcewise.money.services import import_exchange_rates, import_rate_benchmarks
from tests.talent.factories import SkillFactory

RATES = (
    "currency,rate,valid_from,source\nEUR,0.86,2026-01-01,Bank\nINR,0.0094,2026-01-01,Bank\ninr,0.0090,2026-02-01,\n"
)


def test_rates_import_then_reimport_adds_nothing(workspace, owner):
    first = import_exchange_rates(workspace=workspace, actor=owner.user, source=RATES.encode(), filename="r.csv")
    assert (first.added, first.updated, first.unchanged) == (3, 0, 0)
    again = import_exchange_rates(workspace=workspace, actor=owner.user, source=RATES, filename="r.csv")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    assert ExchangeRate.objects.count() == 3
    assert ExchangeRate.objects.get(currency="INR", valid_from=datetime.date(2026, 2, 1)).rate == Decimal("0.009")
    changed = import_exchange_rates(
        workspace=workspace, actor=owner.user, source=RATES.replace("0.86", "0.87"), filename="r.csv"
    )
    assert (changed.added, changed.updated, changed.unchanged) == (0, 1, 2)
    assert ExchangeRate.objects.get(currency="EUR").rate == Decimal("0.87")
    assert AuditEvent.objects.filter(action="exchangerate.import").count() == 3


def test_a_bad_row_imports_nothing_and_every_problem_is_listed_by_line(workspace, owner):
    bad = (
        "currency,rate,valid_from\n"
        "EUR,0.86,2026-01-01\n"
        "XYZ,1,2026-01-01\n"
        "USD,-1,2026-01-01\n"
        "USD,abc,2026-01-01\n"
        "PHP,0.01,01/02/2026\n"
        "GBP,1,2026-01-01\n"
        "EUR,0.99,2026-01-01\n"
    )
    with pytest.raises(CsvErrors) as caught:
        import_exchange_rates(workspace=workspace, actor=owner.user, source=bad)
    messages = caught.value.messages
    assert messages[0].startswith("Line 3: Unknown currency 'XYZ'")
    assert messages[1] == "Line 4: rate '-1' must be a number above zero."
    assert messages[2].startswith("Line 5: rate 'abc' is not a number")
    assert messages[3].startswith("Line 6: valid_from '01/02/2026' is not a date")
    assert messages[4].startswith("Line 7: GBP is your workspace currency")
    assert messages[5] == "Line 8: EUR from 2026-01-01 is already on line 2 with other values."
    assert not ExchangeRate.objects.exists()
    assert not AuditEvent.objects.filter(action="exchangerate.import").exists()


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "The file is empty"),
        ("currency,rate\nEUR,1\n", "Missing column(s) valid_from"),
        ("currency,rate,valid_from,colour\n", "Unknown column(s) colour"),
        ("currency,rate,valid_from\n", "header but no rates"),
        (b"\xff\xfe\x00c", "not UTF-8"),
        ("currency,rate,valid_from\nEUR,1,2026-01-01,extra\n", "Line 2: 4 values but the header names 3 columns."),
    ],
)
def test_broken_files_are_refused_with_a_message(workspace, owner, content, message):
    with pytest.raises(CsvErrors) as caught:
        import_exchange_rates(workspace=workspace, actor=owner.user, source=content)
    assert message in " ".join(caught.value.messages)
    assert not ExchangeRate.objects.exists()


def test_benchmarks_import_by_skill_name_with_row_errors_naming_unknowns(workspace, owner):
    SkillFactory(workspace=workspace, name="Web development")
    SkillFactory(name="Juggling")  # another workspace's skill is unknown here
    good = (
        "skill,country,hourly_rate,currency,as_of,source\n"
        "web development,in,1500,INR,2026-01-15,Survey 2026\n"
        "Web development,GB,55.00,GBP,2026-01-15,Survey 2026\n"
    )
    bad = good + "Juggling,PH,10,USD,2026-01-15,Survey\nWeb development,ZZ,10,USD,2026-01-15,Survey\n"
    with pytest.raises(CsvErrors) as caught:
        import_rate_benchmarks(workspace=workspace, actor=owner.user, source=bad)
    assert caught.value.messages[0].startswith("Line 4: Unknown skill 'Juggling' in this workspace")
    assert caught.value.messages[1].startswith("Line 5: Unknown country 'ZZ'")
    assert not RateBenchmark.objects.exists()
    result = import_rate_benchmarks(workspace=workspace, actor=owner.user, source=good)
    assert (result.added, result.updated, result.unchanged) == (2, 0, 0)
    again = import_rate_benchmarks(workspace=workspace, actor=owner.user, source=good)
    assert (again.added, again.unchanged) == (0, 2)
    assert sorted(RateBenchmark.objects.values_list("country", "hourly_rate", "currency")) == [
        ("GB", Decimal("55.00"), "GBP"),
        ("IN", Decimal("1500.00"), "INR"),
    ]


def test_benchmark_rows_need_a_source_and_cents_at_most(workspace, owner):
    SkillFactory(workspace=workspace, name="SEO")
    bad = "skill,country,hourly_rate,currency,as_of,source\nSEO,IN,10.005,INR,2026-01-01,S\nSEO,IN,10,INR,2026-01-02,\n"
    with pytest.raises(CsvErrors) as caught:
        import_rate_benchmarks(workspace=workspace, actor=owner.user, source=bad)
    assert caught.value.messages == [
        "Line 2: hourly_rate '10.005' has more than 2 decimal places.",
        "Line 3: source is empty.",
    ]

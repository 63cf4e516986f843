"""The formulas of SPEC G5 and the HHI of G8, at exact values."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

from sourcewise.costs import formulas
from sourcewise.costs.fee_posting import milestone_shares
from sourcewise.costs.periods import month_fraction


def test_tco_is_the_exact_sum():
    assert formulas.tco([D("0.10"), D("0.20"), D("1234.565")]) == D("1234.865")
    assert formulas.tco([]) == D(0)


def test_baseline_actual_saving_and_roi():
    baseline = formulas.baseline(D("40"), D("30.00"), D("3"))
    assert baseline == D("3600.00")
    assert formulas.actual_saving(baseline, D("2400.00")) == D("1200.00")
    assert formulas.roi(baseline, D("2400.00")) == D("0.5")
    assert formulas.roi(D("1000"), D("1250")) == D("-0.2")
    assert formulas.roi(D("1000"), D("1000")) == D(0)
    assert formulas.roi(D("1000"), D("0")) is None


def test_expected_saving_and_shortfall_at_the_threshold():
    expected = formulas.expected_saving(D("400.00"), D("3"))
    assert expected == D("1200.00")
    assert not formulas.shortfall(D("600.00"), expected, 50)  # exactly 50 %: not short
    assert formulas.shortfall(D("599.99"), expected, 50)
    assert not formulas.shortfall(D("-5"), D("0"), 50)  # nothing expected: nothing to miss


def test_months_in_and_month_fraction():
    assert formulas.months_in(90) == D(3)
    assert month_fraction(datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)) == D(3)
    assert month_fraction(datetime.date(2026, 2, 15), datetime.date(2026, 2, 28)) == D(14) / D(28)
    assert month_fraction(datetime.date(2026, 3, 2), datetime.date(2026, 3, 1)) == D(0)


def test_hhi_and_shares_exact():
    assert formulas.hhi({"a": D(1)}) == D(10000)
    assert formulas.hhi({i: D(5) for i in range(10)}) == D(1000)
    spend = {"big": D(12), **{i: D(1) for i in range(18)}}  # 40 % + 18 × 3⅓ %
    assert formulas.hhi(spend) == D(1800)
    assert formulas.shares({"a": D(3), "b": D(1)}) == {"a": D("0.75"), "b": D("0.25")}
    assert formulas.hhi({}) == D(0) and formulas.shares({"a": D(0)}) == {}


def test_milestone_shares_sum_exactly_to_the_price():
    class M:
        def __init__(self, pk, due):
            self.pk, self.due_date = pk, due

    ms = [M(i, datetime.date(2026, 1, i)) for i in (1, 2, 3)]
    shares = milestone_shares(D("100.00"), ms)
    assert list(shares.values()) == [D("33.33"), D("33.34"), D("33.33")]
    assert sum(shares.values()) == D("100.00")

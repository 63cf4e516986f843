"""Small validators shared by forms, filters and the API."""

import pytest

from sourcewise.core.validators import currency_or_blank


@pytest.mark.parametrize(
    ("typed", "code"),
    [("eur", "EUR"), (" usd ", "USD"), ("XYZ", ""), ("", ""), (None, ""), ("EURO", ""), ("€", "")],
)
def test_a_currency_filter_takes_a_real_code_or_nothing(typed, code):
    assert currency_or_blank(typed) == code

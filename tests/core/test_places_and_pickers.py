"""Country defaults (currency, main time zone), the canonical zone list and the searchable pickers."""

from __future__ import annotations

import json
import re
import zoneinfo

import pycountry
import pytest
from django.test import Client

from sourcewise.core.forms import TimezoneField
from sourcewise.core.pickers import filter_options, option_values
from sourcewise.core.places import (
    canonical_timezones,
    country_currencies,
    country_currency,
    country_timezone,
    timezone_groups,
)
from sourcewise.core.validators import validate_currency, validate_timezone


@pytest.mark.parametrize(
    ("country", "currency", "zone"),
    [
        ("DE", "EUR", "Europe/Berlin"),
        ("US", "USD", "America/New_York"),
        ("IN", "INR", "Asia/Kolkata"),
        ("GB", "GBP", "Europe/London"),
        ("CH", "CHF", "Europe/Zurich"),  # not the CHE/CHW funds ISO lists first
        ("BR", "BRL", "America/Sao_Paulo"),  # zone.tab starts Brazil with Noronha
        ("AU", "AUD", "Australia/Sydney"),  # … and Australia with Lord Howe
        ("RU", "RUB", "Europe/Moscow"),  # … and Russia with Kaliningrad
        ("ph", "PHP", "Asia/Manila"),  # any case
    ],
)
def test_a_country_implies_its_currency_and_main_zone(country, currency, zone):
    assert (country_currency(country), country_timezone(country)) == (currency, zone)


def test_unknown_or_currencyless_countries_imply_nothing():
    assert country_currency("XX") is None and country_timezone("XX") is None
    assert country_currency("") is None and country_timezone("") is None
    assert country_currency("AQ") is None  # Antarctica: ISO 4217 lists no universal currency


def test_the_currency_table_covers_the_countries_with_valid_codes():
    table = country_currencies()
    for code in table.values():
        validate_currency(code)
    assert set(table) <= {c.alpha_2 for c in pycountry.countries}
    missing = {c.alpha_2 for c in pycountry.countries} - set(table)
    assert missing == {"AQ", "GS", "PS"}


def test_every_country_but_two_uninhabited_islands_has_a_main_zone():
    assert {c.alpha_2 for c in pycountry.countries if country_timezone(c.alpha_2) is None} == {"BV", "HM"}
    for code in (c.alpha_2 for c in pycountry.countries):
        zone = country_timezone(code)
        assert zone is None or zone in canonical_timezones()


def test_the_zone_list_is_canonical_names_only():
    zones = canonical_timezones()
    assert "Europe/Berlin" in zones and "Asia/Kolkata" in zones and zones[-1] == "UTC"
    for alias in ("US/Pacific", "Etc/GMT+5", "Asia/Calcutta", "GMT", "Europe/Kiev"):
        assert alias not in zones
    assert set(zones) <= zoneinfo.available_timezones()


def test_zones_are_grouped_by_region_with_utc_last():
    groups = dict(timezone_groups())
    assert list(groups)[-1] == "Other" and groups["Other"] == [("UTC", "UTC")]
    assert ("Europe/Berlin", "Berlin") in groups["Europe"]
    assert ("America/Argentina/Buenos_Aires", "Argentina / Buenos Aires") in groups["America"]
    assert {"Africa", "America", "Asia", "Europe", "Pacific"} <= set(groups)


def test_a_stored_alias_still_validates_and_is_shown_chosen():
    """The menu is canonical; the validator keeps accepting every IANA name (stored rows, the API)."""
    validate_timezone("US/Pacific")
    field = TimezoneField()
    assert field.clean("US/Pacific") == "US/Pacific"
    html = field.widget.render("timezone", "US/Pacific", attrs={"id": "id_timezone"})
    assert '<option value="US/Pacific" selected>US/Pacific</option>' in html
    assert '<optgroup label="Europe">' in html
    with pytest.raises(Exception, match="valid choice"):
        field.clean("Europe/Atlantis")


def _selected(shown) -> list[str]:
    return [value for group in shown for value, _, selected in group.options if selected]


def test_a_search_picks_the_best_match():
    shown = filter_options("timezones", query="kolk", selected=[""], blank="Choose")
    assert option_values(shown) == ["", "Asia/Kolkata"] and _selected(shown) == ["Asia/Kolkata"]
    # an exact code wins over the first match ("in" is in Argentina, Bahrain, …)
    assert _selected(filter_options("countries", query="in", selected=[])) == ["IN"]
    # the current choice stays when it still matches
    assert _selected(filter_options("currencies", query="eu", selected=["EUR"])) == ["EUR"]
    assert _selected(filter_options("currencies", query="dollar", selected=["EUR"]))[0] != "EUR"


def test_a_search_without_match_keeps_the_choice():
    shown = filter_options("countries", query="zzzz", selected=["DE"], blank="Choose a country")
    assert option_values(shown) == ["", "DE"] and _selected(shown) == ["DE"]


def test_a_multiple_picker_keeps_every_chosen_value():
    shown = filter_options("languages", query="span", selected=["en", "fr"], multiple=True)
    assert _selected(shown) == ["en", "fr"]
    assert "es" in option_values(shown) and "de" not in option_values(shown)


def test_the_options_endpoint_answers_options_for_htmx(db):
    response = Client().get(
        "/lookups/options",
        {"list": "timezones", "field": "timezone", "picker_search": "berl", "blank": "Choose a time zone"},
    )
    assert response.status_code == 200
    assert response.content.decode().strip() == (
        '<option value="">Choose a time zone</option><optgroup label="Europe">'
        '<option value="Europe/Berlin" selected>Berlin</option></optgroup>'
    )
    assert json.loads(response["HX-Trigger-After-Swap"]) == {"sw-picked": None, "change": None}
    none = Client().get("/lookups/options", {"list": "countries", "field": "country", "picker_search": "qqq"})
    assert "No match for “qqq”" in none.content.decode()


@pytest.mark.parametrize(
    "params",
    [{"list": "passwords", "field": "x"}, {"list": "countries", "field": "<script>"}, {"list": "countries"}],
)
def test_bad_lookups_are_refused_clearly(db, params):
    response = Client().get("/lookups/options", params)
    assert response.status_code == 400 and response.content


def _defaults(**values):
    """Ask for both fields as the two selects do; (currency chosen, zone chosen, country remembered)."""
    chosen, remembered = [], set()
    for kind, field in (("currency", "base_currency"), ("timezone", "timezone")):
        params = {"country_field": "home_country", "field": field, "kind": kind, "blank": "Choose", **values}
        response = Client().get("/lookups/country-defaults", params)
        assert response.status_code == 200
        page = response.content.decode()
        options, hidden = page.split("<input")
        selected = re.findall(r'value="([^"]*)" selected', options)
        assert len(selected) == 1  # exactly one option chosen
        chosen.append(selected[0])
        assert 'hx-swap-oob="true"' in hidden and 'name="home_country__defaults"' in hidden
        remembered.add(hidden.split('value="')[1].split('"')[0])
    assert len(remembered) == 1
    return chosen[0], chosen[1], remembered.pop()


def test_choosing_a_country_fills_empty_fields(db):
    assert _defaults(home_country="IN", base_currency="", timezone="") == ("INR", "Asia/Kolkata", "IN")


def test_changing_country_replaces_the_previous_countrys_defaults_only(db):
    # EUR and Berlin were Germany's defaults: France's replace them
    assert _defaults(home_country="FR", home_country__defaults="DE", base_currency="EUR", timezone="Europe/Berlin") == (
        "EUR",
        "Europe/Paris",
        "FR",
    )
    # a currency chosen on purpose (USD for a German business) stays; the untouched zone follows
    assert _defaults(home_country="FR", home_country__defaults="DE", base_currency="USD", timezone="Europe/Berlin") == (
        "USD",
        "Europe/Paris",
        "FR",
    )
    # with no record of the previous country, only blanks are filled
    assert _defaults(home_country="JP", base_currency="GBP", timezone="") == ("GBP", "Asia/Tokyo", "JP")


def test_an_unknown_country_changes_nothing(db):
    assert _defaults(home_country="XX", home_country__defaults="DE", base_currency="EUR", timezone="") == (
        "EUR",
        "",
        "DE",
    )


@pytest.mark.parametrize(
    "params",
    [
        {"country_field": "home_country", "field": "a b", "kind": "currency"},
        {"country_field": "", "field": "timezone", "kind": "timezone"},
        {"country_field": "home_country", "field": "timezone", "kind": "password"},
    ],
)
def test_country_defaults_refuse_bad_parameters(db, params):
    response = Client().get("/lookups/country-defaults", params)
    assert response.status_code == 400

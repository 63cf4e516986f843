"""Submitting a form with the currency or time zone left empty fills them from the country (no JavaScript needed)."""

from __future__ import annotations

import pytest
from django.test import Client

from sourcewise.talent.models import Freelancer
from sourcewise.workspaces.models import Workspace
from tests.accounts.test_login import _signup
from tests.talent.factories import FreelancerFactory
from tests.talent.test_talent_pages import HOURS
from tests.workspaces.test_workspaces import _settings_form


def test_sign_up_fills_currency_and_zone_from_the_country(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/accounts/signup/", _signup(home_country="IN", base_currency="", timezone=""))
    assert response.status_code == 302
    workspace = Workspace.objects.get(name="Lumen Studio")
    assert (workspace.home_country, workspace.base_currency, workspace.timezone) == ("IN", "INR", "Asia/Kolkata")


def test_sign_up_keeps_values_chosen_on_purpose(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/signup/", _signup(home_country="IN", base_currency="USD", timezone="Asia/Dubai"))
    workspace = Workspace.objects.get(name="Lumen Studio")
    assert (workspace.base_currency, workspace.timezone) == ("USD", "Asia/Dubai")


def test_a_country_without_a_currency_asks_for_one_and_creates_nothing(db):
    response = Client().post("/accounts/signup/", _signup(home_country="AQ", base_currency="", timezone="UTC"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose a currency. Antarctica has no single currency." in page
    assert not Workspace.objects.exists()


def test_sign_up_form_shows_the_htmx_wiring_and_grouped_zones(db):
    page = Client().get("/accounts/signup/").content.decode()
    assert page.count('hx-get="/lookups/country-defaults"') == 2  # the currency and the zone follow the country
    assert 'hx-trigger="change from:#id_home_country, sw-picked from:#id_home_country_filter"' in page
    assert 'id="id_home_country__defaults"' in page
    assert '<optgroup label="Europe">' in page and 'value="US/Pacific"' not in page
    assert 'id="id_timezone_filter"' in page and 'id="id_base_currency_filter"' in page
    assert "Filled in from the country when left empty." in page


def test_settings_fill_a_cleared_currency_from_the_country(owner_client, owner):
    data = _settings_form(owner.workspace, home_country="DE", base_currency="", timezone="")
    response = owner_client.post("/workspaces/settings/", data)
    assert response.status_code == 302
    owner.workspace.refresh_from_db()
    assert (owner.workspace.home_country, owner.workspace.base_currency, owner.workspace.timezone) == (
        "DE",
        "EUR",
        "Europe/Berlin",
    )


def test_settings_keep_a_stored_zone_alias(owner_client, owner):
    """A zone stored before the list became canonical is shown chosen and saved back unchanged."""
    Workspace.objects.filter(pk=owner.workspace.pk).update(timezone="US/Pacific")
    owner.workspace.refresh_from_db()
    page = owner_client.get("/workspaces/settings/").content.decode()
    assert '<option value="US/Pacific" selected>US/Pacific</option>' in page
    response = owner_client.post("/workspaces/settings/", _settings_form(owner.workspace))
    assert response.status_code == 302
    owner.workspace.refresh_from_db()
    assert owner.workspace.timezone == "US/Pacific"


def test_new_freelancer_gets_the_countrys_zone_and_rate_currency(owner_client, owner):
    response = owner_client.post(
        "/talent/freelancers/new/",
        {"name": "Amani", "email": "amani@example.org", "country": "KE", "timezone": "", "rate_currency": "",
         "hourly_rate": "12", **HOURS},
    )  # fmt: skip
    assert response.status_code == 302
    amani = Freelancer.objects.get()
    assert (amani.timezone, amani.rate_currency, amani.hourly_rate) == ("Africa/Nairobi", "KES", 12)


def test_a_freelancer_without_a_country_gets_no_guess(owner_client, owner):
    response = owner_client.post(
        "/talent/freelancers/new/", {"name": "A", "email": "a@example.org", "country": "", "timezone": "", **HOURS}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Choose a time zone." in page and "This field is required." in page
    assert not Freelancer.objects.exists()


@pytest.mark.parametrize("zone", ["Asia/Manila", "Europe/Lisbon"])
def test_editing_keeps_the_freelancers_zone(owner_client, owner, zone):
    f = FreelancerFactory(workspace=owner.workspace, country="PH", timezone=zone)
    response = owner_client.post(
        f"/talent/freelancers/{f.pk}/edit/",
        {"name": f.name, "email": f.email, "country": "PH", "timezone": zone, **HOURS},
    )
    assert response.status_code == 302
    f.refresh_from_db()
    assert f.timezone == zone

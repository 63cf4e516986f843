from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from sourcewise.accounts.models import User
from sourcewise.audit.models import AuditEvent
from sourcewise.workspaces.models import Membership, Workspace
from tests.accounts.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"


def attempt(client: Client, email: str, password: str):
    return client.post(LOGIN, {"username": email, "password": password})


@pytest.fixture
def person(db):
    return UserFactory(email="olivia@example.com")


def test_correct_password_signs_in(person):
    client = Client()
    response = attempt(client, "olivia@example.com", PASSWORD)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.login", actor=person).exists()


def test_email_is_case_insensitive_at_sign_up_and_login(db):
    client = Client()
    client.post("/accounts/signup/", _signup(email="Mixed.Case@Example.com"))
    assert User.objects.filter(email="mixed.case@example.com").exists()


def test_sixth_wrong_attempt_locks_the_account_even_with_the_right_password(person):
    client = Client()
    for _ in range(5):
        response = attempt(client, "olivia@example.com", "wrong-password")
        assert response.status_code in {200, 429}  # refused (the 5th answer already says why)
        assert "_auth_user_id" not in client.session
    response = attempt(client, "olivia@example.com", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_five_wrong_then_right_still_works(person):
    client = Client()
    for _ in range(4):
        attempt(client, "olivia@example.com", "wrong-password")
    response = attempt(client, "olivia@example.com", PASSWORD)
    assert response.status_code == 302


def test_lockout_answer_is_the_same_for_unknown_accounts(person):
    known, unknown = Client(), Client()
    for _ in range(5):
        attempt(known, "olivia@example.com", "wrong-password")
        attempt(unknown, "nobody@example.com", "wrong-password")
    locked_known = attempt(known, "olivia@example.com", PASSWORD)
    locked_unknown = attempt(unknown, "nobody@example.com", PASSWORD)
    assert locked_known.status_code == locked_unknown.status_code == 429
    assert _page(locked_known) == _page(locked_unknown)


def _page(response) -> str:
    """The page without what differs per request anyway (CSRF tokens)."""
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1", response.content.decode())


def test_wrong_password_answer_is_the_same_for_unknown_accounts(person):
    a = attempt(Client(), "olivia@example.com", "wrong-password")
    b = attempt(Client(), "nobody@example.com", "wrong-password")
    assert a.status_code == b.status_code == 200
    assert "correct email address and password" in a.content.decode()
    assert "correct email address and password" in b.content.decode()


def test_failed_login_is_audited(person):
    attempt(Client(), "olivia@example.com", "wrong-password")
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.changes == {"email": "olivia@example.com"}
    assert "password" not in str(event.changes)


def _signup(**overrides):
    data = {
        "full_name": "Olivia Hart",
        "email": "olivia@studio.example",
        "password": "a-long-enough-passphrase",
        "workspace_name": "Lumen Studio",
        "home_country": "GB",
        "base_currency": "GBP",
        "timezone": "Europe/London",
        "stage": "growth",
    }
    data.update(overrides)
    return data


def test_sign_up_creates_the_workspace_with_its_owner(db, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", _signup())
    assert response.status_code == 302 and response["Location"] == "/accounts/signup/sent/"
    workspace = Workspace.objects.get(name="Lumen Studio")
    assert (workspace.home_country, workspace.base_currency, workspace.timezone) == ("GB", "GBP", "Europe/London")
    membership = Membership.objects.get(workspace=workspace)
    assert membership.role == "owner" and membership.user.email == "olivia@studio.example"
    assert not membership.user.is_active  # usable once the emailed link is opened
    link = re.search(r"http\S+/accounts/signup/confirm/\S+", mail.outbox[0].body).group(0)
    path = link.removeprefix("http://127.0.0.1:8000")
    client.post(path, {"password": "a-long-enough-passphrase"})
    assert client.get("/").status_code == 302  # signed in: sent to the dashboard
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("timezone", "Mars/Olympus", "not one of the available choices"),
        ("home_country", "XX", "not one of the available choices"),
        ("base_currency", "ABC", "not one of the available choices"),
        ("password", "short", "too short"),
        ("email", "not-an-email", "valid email"),
    ],
)
def test_sign_up_refuses_bad_input_and_creates_nothing(db, field, value, message):
    response = Client().post("/accounts/signup/", _signup(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()
    assert not Workspace.objects.exists()


def test_password_reset_sends_a_link(person):
    response = Client().post("/accounts/password-reset/", {"email": "olivia@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_password_reset_for_unknown_email_looks_the_same(db):
    response = Client().post("/accounts/password-reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_logout(person):
    client = Client()
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session

"""Sign-up does not reveal whether an address has an account (SPEC §7).

The answer is the same page either way and one email goes to the address: a link to
confirm a new sign-up, or "someone tried to sign up with your address" for an account.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from sourcewise.accounts.models import User
from sourcewise.workspaces.models import Workspace
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.test_login import _signup

SIGNUP = "/accounts/signup/"


def _confirm_path(body: str) -> str:
    link = re.search(r"http\S+/accounts/signup/confirm/\S+", body)
    assert link, body
    return link.group(0).removeprefix("http://127.0.0.1:8000")


def _follow(response) -> tuple[int, str]:
    """Status and page after the redirect, without what differs per request anyway (CSRF tokens)."""
    page = re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1", response.content.decode())
    return response.status_code, page


@pytest.fixture(autouse=True)
def emails_after_commit(db, monkeypatch):
    """Emails go out after the commit; inside the test's transaction, send them at once."""
    from django.db import connection

    monkeypatch.setattr(connection, "on_commit", lambda func, robust=False: func())


@pytest.fixture
def olivia(db):
    return UserFactory(email="olivia@studio.example", full_name="Olivia Hart")


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(olivia):
    known = Client().post(SIGNUP, _signup(email="olivia@studio.example"), follow=True)
    unknown = Client().post(SIGNUP, _signup(email="noor@bakery.example"), follow=True)

    assert known.redirect_chain == unknown.redirect_chain == [("/accounts/signup/sent/", 302)]
    assert _follow(known) == _follow(unknown)
    assert "exists" not in known.content.decode()


def test_an_email_is_sent_either_way(olivia):
    Client().post(SIGNUP, _signup(email="Olivia@Studio.example", workspace_name="Hijack Ltd"))
    Client().post(SIGNUP, _signup(email="noor@bakery.example", workspace_name="Haddad Bakery"))

    to_olivia, to_noor = mail.outbox
    assert to_olivia.to == ["olivia@studio.example"]
    assert "Someone tried to sign up" in to_olivia.body
    assert "/accounts/login/" in to_olivia.body and "/accounts/password-reset/" in to_olivia.body
    assert to_noor.to == ["noor@bakery.example"]
    assert "/accounts/signup/confirm/" in to_noor.body
    # The existing account is untouched and no workspace was made for the attempt.
    olivia.refresh_from_db()
    assert olivia.check_password(PASSWORD) and olivia.is_active
    assert not Workspace.objects.filter(name="Hijack Ltd").exists()


def test_a_new_account_works_only_after_the_link_and_its_password(db):
    client = Client()
    client.post(SIGNUP, _signup(email="noor@bakery.example"))
    user = User.objects.get(email="noor@bakery.example")
    assert not user.is_active
    refused = client.post(
        "/accounts/login/", {"username": "noor@bakery.example", "password": "a-long-enough-passphrase"}
    )
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    path = _confirm_path(mail.outbox[0].body)

    wrong = client.post(path, {"password": "not-the-one-chosen"})
    assert wrong.status_code == 200 and "not the password" in wrong.content.decode()
    assert not User.objects.get(pk=user.pk).is_active

    right = client.post(path, {"password": "a-long-enough-passphrase"})
    assert right.status_code == 302
    assert User.objects.get(pk=user.pk).is_active
    assert client.get("/dashboard/").status_code == 200
    assert Client().get(path).status_code == 404  # used once


def test_signing_up_again_before_confirming_replaces_the_password_and_voids_the_old_link(db):
    Client().post(SIGNUP, _signup(email="noor@bakery.example", password="first-passphrase-123"))
    Client().post(SIGNUP, _signup(email="noor@bakery.example", password="second-passphrase-456"))

    first, second = (_confirm_path(m.body) for m in mail.outbox)
    assert User.objects.filter(email="noor@bakery.example").count() == 1
    assert Workspace.objects.count() == 1
    assert Client().post(first, {"password": "first-passphrase-123"}).status_code == 404
    assert Client().post(second, {"password": "second-passphrase-456"}).status_code == 302


def test_a_forged_link_is_refused(db):
    Client().post(SIGNUP, _signup(email="noor@bakery.example"))
    user = User.objects.get()
    response = Client().post(f"/accounts/signup/confirm/{user.pk}/made-up-token/", {"password": "x"})
    assert response.status_code == 404
    assert Client().get("/accounts/signup/confirm/OTk5OTk5OTk5OTk5OTk5OTk5OTk5/x-y/").status_code == 404
    assert not User.objects.get().is_active

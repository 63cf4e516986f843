"""Sign-up: a new person and their business in one step, confirmed by an emailed link (SPEC §7).

It lives with the workspaces because a sign-up creates one; the account itself (`User`,
`register()`) stays in `accounts`, below.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from sourcewise.accounts.models import User
from sourcewise.accounts.services import register
from sourcewise.audit.services import record
from sourcewise.core.links import site_url
from sourcewise.workspaces.models import Membership, Workspace
from sourcewise.workspaces.services import create_workspace, update_workspace


@transaction.atomic
def sign_up_with_workspace(
    *, email: str, password: str, full_name: str, is_active: bool = True, **workspace_fields: Any
) -> tuple[User, Workspace]:
    """Sign-up creates the person and their business in one step (nothing is kept if either fails)."""
    user = register(email=email, password=password, full_name=full_name, is_active=is_active)
    workspace = create_workspace(owner=user, **workspace_fields)
    return user, workspace


class SignupConfirmationTokens(PasswordResetTokenGenerator):
    """Links that confirm a sign-up: void once the account is active or its password changes."""

    key_salt = "sourcewise.accounts.signup_confirmation"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{user.pk}{user.password}{user.is_active}{timestamp}{user.email}"


signup_tokens = SignupConfirmationTokens()


def confirmation_link(user: User, base_url: str | None = None) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return (base_url or site_url()) + reverse("signup:confirm", args=[uid, signup_tokens.make_token(user)])


def request_signup(
    *, email: str, password: str, full_name: str, base_url: str | None = None, **workspace_fields: Any
) -> None:
    """Sign-up that does not tell anyone whether an address has an account (SPEC §7).

    Whatever the address, the caller shows the same "check your inbox" page, and one email
    goes to the address:
    - a new address gets an inactive account with its workspace and a link to confirm it
      (the link asks for the password again, so only the person who chose it can finish);
    - an address whose sign-up was never confirmed gets the new details and a fresh link
      (the earlier links stop working: they are bound to the password);
    - an address with an active account gets "someone tried to sign up with your address".

    `base_url` starts the emailed links (`core.links.site_url(request)` from a view).
    """
    base = base_url or site_url()
    email = email.strip().lower()
    with transaction.atomic():
        existing = User.objects.select_for_update().filter(email__iexact=email).first()
        if existing is None:
            try:
                user, _ = sign_up_with_workspace(
                    email=email, password=password, full_name=full_name, is_active=False, **workspace_fields
                )
            except IntegrityError:  # the same address signed up at the same moment: that one wins
                return
        elif not existing.is_active and existing.last_login is None:
            user = _renew_unconfirmed(existing, password=password, full_name=full_name, **workspace_fields)
        else:
            record(actor=None, workspace=None, action="auth.signup_existing", target=existing)
            transaction.on_commit(lambda: _send_existing_account_mail(existing, base))
            return
        transaction.on_commit(lambda: _send_confirmation_mail(user, base))


def _renew_unconfirmed(user: User, *, password: str, full_name: str, **workspace_fields: Any) -> User:
    user.full_name = full_name
    user.set_password(password)
    user.save(update_fields=["full_name", "password"])
    owned = Workspace.objects.filter(memberships__user=user, memberships__role=Membership.Role.OWNER).first()
    if owned is not None:
        update_workspace(workspace=owned, actor=user, **workspace_fields)
    else:
        create_workspace(owner=user, **workspace_fields)
    return user


@transaction.atomic
def confirm_signup(*, user: User) -> User:
    """The confirmation link was opened and the password given: the account becomes usable."""
    user.is_active = True
    user.save(update_fields=["is_active"])
    record(actor=user, workspace=None, action="auth.signup_confirmed", target=user)
    return user


def _send_confirmation_mail(user: User, base_url: str) -> None:
    body = (
        "Welcome to Sourcewise.\n\n"
        "Confirm your address and open your workspace here (you will be asked for the password "
        "you chose):\n"
        f"{confirmation_link(user, base_url)}\n\n"
        "If you did not sign up, ignore this email; nothing happens without the link.\n"
    )
    send_mail("Confirm your Sourcewise sign-up", body, None, [user.email])


def _send_existing_account_mail(user: User, base_url: str) -> None:
    body = (
        "Someone tried to sign up for Sourcewise with your address, which already has an account.\n\n"
        "If it was you, sign in instead:\n"
        f"{base_url}{reverse('accounts:login')}\n\n"
        "Forgot your password? Reset it here:\n"
        f"{base_url}{reverse('accounts:password_reset')}\n\n"
        "If it was not you, ignore this email; nothing was changed.\n"
    )
    send_mail("Someone tried to sign up with your address", body, None, [user.email])

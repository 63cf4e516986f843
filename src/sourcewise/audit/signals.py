from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from sourcewise.audit.services import record


@receiver(user_logged_in)
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(actor=user, workspace=None, action="auth.login", request=request)


@receiver(user_logged_out)
def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(actor=user, workspace=None, action="auth.logout", request=request)


@receiver(user_login_failed)
def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # The attempted address is kept (not the password) so an owner can see attacks.
    record(
        actor=None,
        workspace=None,
        action="auth.login_failed",
        changes={"email": str(credentials.get("username") or credentials.get("email") or "")[:254]},
        request=request,
    )

from __future__ import annotations

from django.db import transaction

from sourcewise.accounts.models import User
from sourcewise.audit.services import record


@transaction.atomic
def register(*, email: str, password: str, full_name: str, is_active: bool = True) -> User:
    user = User.objects.create_user(email=email, password=password, full_name=full_name, is_active=is_active)
    record(actor=user, workspace=None, action="auth.signup", target=user)
    return user

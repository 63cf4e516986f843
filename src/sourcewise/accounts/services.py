from __future__ import annotations

from typing import Any

from django.db import transaction

from sourcewise.accounts.models import User
from sourcewise.audit.services import record
from sourcewise.workspaces.models import Workspace
from sourcewise.workspaces.services import create_workspace


@transaction.atomic
def register(*, email: str, password: str, full_name: str) -> User:
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    record(actor=user, workspace=None, action="auth.signup", target=user)
    return user


@transaction.atomic
def sign_up_with_workspace(
    *, email: str, password: str, full_name: str, **workspace_fields: Any
) -> tuple[User, Workspace]:
    """Sign-up creates the person and their business in one step (nothing is kept if either fails)."""
    user = register(email=email, password=password, full_name=full_name)
    workspace = create_workspace(owner=user, **workspace_fields)
    return user, workspace

"""Demo: the studio, its owner, its two managers (the same three people in both demo workspaces)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from sourcewise.accounts.models import User
from sourcewise.core.access import MANAGER, OWNER
from sourcewise.workspaces.models import Membership, Workspace

if TYPE_CHECKING:
    from sourcewise.demo.builder import DemoContext  # the demo app runs these steps


def person(ctx: DemoContext, local: str, name: str) -> User:
    """The demo person with this address: created by the first workspace, reused by the second."""
    email = ctx.email(local)
    existing = User.objects.filter(email=email).first()
    return existing or User.objects.create_user(email, ctx.password, full_name=name)


def build(ctx: DemoContext) -> None:
    owner = person(ctx, "olivia", "Olivia Hart")
    workspace = Workspace(
        name=ctx.workspace_name,
        home_country="GB",
        base_currency="GBP",
        timezone="Europe/London",
        business_start=datetime.time(9, 0),
        business_end=datetime.time(17, 30),
        business_days=[0, 1, 2, 3, 4],
        working_languages=["en"],
        stage=Workspace.Stage.GROWTH,
    )
    workspace.full_clean()
    workspace.save()
    Membership.objects.create(user=owner, workspace=workspace, role=OWNER)
    ctx.workspace = workspace
    ctx.users["owner"] = owner
    ctx.logins.append((OWNER, owner.full_name, owner.email))
    for key, local, name in (("sam", "sam", "Sam Patel"), ("jordan", "jordan", "Jordan Lee")):
        user = person(ctx, local, name)
        Membership.objects.create(user=user, workspace=workspace, role=MANAGER)
        ctx.users[key] = user
        ctx.logins.append((MANAGER, name, user.email))

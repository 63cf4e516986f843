"""Demo: the studio, its owner, its two managers."""

from __future__ import annotations

import datetime

from sourcewise.accounts.models import User
from sourcewise.core.access import MANAGER, OWNER
from sourcewise.workspaces.models import Membership, Workspace


def build(ctx) -> None:  # type: ignore[no-untyped-def]
    owner = User.objects.create_user(ctx.email("olivia"), ctx.password, full_name="Olivia Hart")
    workspace = Workspace(
        name="Lumen Studio",
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
        user = User.objects.create_user(ctx.email(local), ctx.password, full_name=name)
        Membership.objects.create(user=user, workspace=workspace, role=MANAGER)
        ctx.users[key] = user
        ctx.logins.append((MANAGER, name, user.email))

"""Build the demo business of SPEC §5: two workspaces of the same owner.

* **Lumen Studio** — the main workspace, the one the demo logins land in: a studio in the
  middle of getting outsourcing right (a health score between 45 and 75, a few findings,
  at least one per guardrail G1–G8, every page populated).
* **Every classic mistake** — the same studio with every mistake of the spec made at once:
  every finding code appears. The owner and the managers are members of both (the
  workspace switcher goes from one to the other).

Each domain app adds its part in its own `demo.py` with a `build(ctx)` function; they
run in INSTALLED_APPS order inside one transaction, so a failed demo leaves nothing.
`ctx.mistakes` tells a step which of the two workspaces it is building.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.db import transaction

from sourcewise.core.access import OWNER
from sourcewise.core.dates import server_today
from sourcewise.findings.acceptance import finding_accept
from sourcewise.findings.demo_history import backfill_demo_history
from sourcewise.findings.models import FindingRecord
from sourcewise.findings.refresh import refresh_full
from sourcewise.workspaces.models import Membership

DEMO_PASSWORD = "lumen-demo-2026"  # noqa: S105 (the published demo login)
DEFAULT_DOMAIN = "lumen.example"
MAIN_NAME = "Lumen Studio"
MISTAKES_NAME = "Every classic mistake"


@dataclass
class DemoContext:
    domain: str
    today: datetime.date
    password: str = DEMO_PASSWORD
    mistakes: bool = False  # building the "Every classic mistake" workspace
    workspace: Any = None
    users: dict[str, Any] = field(default_factory=dict)
    skills: dict[str, Any] = field(default_factory=dict)
    freelancers: dict[str, Any] = field(default_factory=dict)
    tasks: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role, name, email)
    classic: DemoContext | None = None  # the "Every classic mistake" workspace's context

    @property
    def workspace_name(self) -> str:
        return MISTAKES_NAME if self.mistakes else MAIN_NAME

    def email(self, local: str) -> str:
        return f"{local}@{self.domain}"

    def days_ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)


def demo_steps() -> list[Any]:
    steps = []
    for config in apps.get_app_configs():
        if not config.name.startswith("sourcewise."):
            continue
        module_name = f"{config.name}.demo"
        if config.name != "sourcewise.demo" and find_spec(module_name) is not None:
            steps.append(import_module(module_name).build)
    return steps


@transaction.atomic
def build_demo(
    *, domain: str = DEFAULT_DOMAIN, today: datetime.date | None = None, classic: bool = True
) -> DemoContext:
    """Build both demo workspaces; returns the main one's context (`ctx.classic` is the other).

    `classic=False` builds Lumen Studio alone: half the time, for tests that only walk through it.
    """
    day = today or server_today()
    ctx = DemoContext(domain=domain, today=day)
    built = [ctx]
    if classic:
        built.append(DemoContext(domain=domain, today=day, mistakes=True))
    steps = demo_steps()
    for each in built:  # the main workspace first: its memberships are the logins' default
        for step in steps:
            step(each)

    for each in built:  # the demo opens with its findings stored, like a workspace the daily job has seen
        refresh_full(each.workspace, today=day)
    _accept_a_risk(ctx, day)
    if classic:
        ctx.classic = built[1]
    for each in built:  # today's findings, and a made-up past for the trend chart (see findings.history)
        backfill_demo_history(each.workspace, day)
    return ctx


def _accept_a_risk(ctx: DemoContext, day: datetime.date) -> None:
    """Lumen Studio has accepted one risk on the record: its website work, core but outsourced on purpose."""

    finding = FindingRecord.objects.filter(
        workspace=ctx.workspace, code="CORE_TASK_OUTSOURCED", subject_label="Client website builds"
    ).first()
    quarter = datetime.timedelta(days=90)
    owner = Membership.objects.filter(workspace=ctx.workspace, role=OWNER).order_by("pk").first()
    if finding is None or owner is None:
        return
    finding_accept(
        finding=finding,
        membership=owner,
        reason="Core, but our partner agency builds client sites better than we could in-house; reviewed quarterly.",
        # A quarter after the later of the demo's day and the real one: always in the future.
        review_on=max(day, ctx.workspace.today()) + quarter,
    )

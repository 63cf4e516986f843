"""Build the demo business of SPEC §5.

Each domain app adds its part in its own `demo.py` with a `build(ctx)` function; they
run in INSTALLED_APPS order inside one transaction, so a failed demo leaves nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

DEMO_PASSWORD = "lumen-demo-2026"  # noqa: S105 (the published demo login)
DEFAULT_DOMAIN = "lumen.example"


@dataclass
class DemoContext:
    domain: str
    today: datetime.date
    password: str = DEMO_PASSWORD
    workspace: Any = None
    users: dict[str, Any] = field(default_factory=dict)
    skills: dict[str, Any] = field(default_factory=dict)
    freelancers: dict[str, Any] = field(default_factory=dict)
    tasks: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role, name, email)

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
def build_demo(*, domain: str = DEFAULT_DOMAIN, today: datetime.date | None = None) -> DemoContext:
    ctx = DemoContext(domain=domain, today=today or timezone.localdate())
    for step in demo_steps():
        step(ctx)
    return ctx

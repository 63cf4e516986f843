from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sourcewise.accounts.models import User
from sourcewise.demo.builder import DEFAULT_DOMAIN, build_demo
from sourcewise.workspaces.models import Workspace


class Command(BaseCommand):
    help = (
        "Load the demo business (a 6-person design & marketing studio) in two workspaces — Lumen Studio and "
        "Every classic mistake — and print its logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--domain",
            default=DEFAULT_DOMAIN,
            help="Email domain of the demo people (load a second copy with another domain).",
        )
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when any workspace exists.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Workspace.objects.exists():
            self.stdout.write("The database already has data; the demo was not loaded.")
            return
        domain = options["domain"].strip().lower()
        if User.objects.filter(email__iendswith=f"@{domain}").exists():
            raise CommandError(f"The demo with domain {domain} is loaded already. Use --domain to load another copy.")
        self.stdout.write("Building the demo business…")
        ctx = build_demo(domain=domain)
        self.stdout.write(self.style.SUCCESS("Demo loaded: two workspaces."))
        self.stdout.write(f"  {ctx.workspace.name} (#{ctx.workspace.pk}): a studio getting outsourcing right.")
        if ctx.classic is not None:
            classic = ctx.classic.workspace
            self.stdout.write(
                f"  {classic.name} (#{classic.pk}): the same studio making every mistake — "
                "every finding code of the health check."
            )
        print_logins(self, ctx.logins, ctx.password)
        self.stdout.write(
            f"You land in {ctx.workspace.name}; the owner and the managers switch to the other workspace "
            "with the workspace switcher (click the workspace name at the top of any page, or open /workspaces/)."
        )


def print_logins(command: BaseCommand, logins: list[tuple[str, str, str]], password: str) -> None:
    command.stdout.write("Sign in with any of these (password for all: " + password + "):")
    for role, name, email in logins:
        command.stdout.write(f"  {role:<10} {name:<22} {email}")

"""`sourcewise post_fees [--workspace ID]`: post fees into the cost ledger (safe to run from cron).

Fees come from sent or paid invoices for the months they cover, otherwise from approved
hours × rate (hourly) or accepted milestones (fixed price). Running it again changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sourcewise.costs.fee_posting import post_fees
from sourcewise.costs.management.commands._workspace import workspace_named
from sourcewise.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Post engagement fees into the cost ledger from invoices, approved hours and accepted milestones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", help="Workspace id or exact name (default: every workspace).")

    def handle(self, *args: Any, **options: Any) -> None:

        workspaces = (
            [workspace_named(options["workspace"])] if options["workspace"] else Workspace.objects.order_by("pk")
        )
        for workspace in workspaces:
            result = post_fees(workspace=workspace, actor=None)
            self.stdout.write(f"{workspace.name} (#{workspace.pk}): {result.describe()}")

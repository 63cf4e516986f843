"""`sourcewise rebuild_cost_summary [--workspace ID] [--check]`: the monthly cost summary, from the entries.

Every write of the ledger keeps the summary (`CostMonth`) in its own transaction, so this is
never needed in normal use. It is the repair after something wrote entries behind the
services' back (a hand-made SQL fix, a bulk load): `--check` only compares and exits 1 when
the summary and the entries disagree; without it, the summary is rebuilt in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sourcewise.costs import ledger
from sourcewise.costs.management.commands._workspace import workspace_named
from sourcewise.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Check or rebuild the monthly cost summary from the cost entries."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", help="Workspace id or exact name (default: every workspace).")
        parser.add_argument("--check", action="store_true", help="Only compare; exit 1 when they disagree.")

    def handle(self, *args: Any, **options: Any) -> None:
        workspaces = (
            [workspace_named(options["workspace"])] if options["workspace"] else Workspace.objects.order_by("pk")
        )
        wrong = 0
        for workspace in workspaces:
            if options["check"]:
                found = ledger.differences(workspace)
                wrong += len(found)
                verdict = f"{len(found)} month buckets differ, e.g. {found[0]}" if found else "equal to the entries"
                self.stdout.write(f"{workspace.name} (#{workspace.pk}): summary {verdict}")
            else:
                rows = ledger.rebuild(workspace)
                self.stdout.write(f"{workspace.name} (#{workspace.pk}): summary rebuilt, {rows:,} rows")
        if wrong:
            raise CommandError(f"The cost summary differs from the entries in {wrong} buckets: run without --check.")

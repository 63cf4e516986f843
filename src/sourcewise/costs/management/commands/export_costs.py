"""`sourcewise export_costs --workspace ID [-o FILE]`: the ledger as the CSV `import_costs` reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sourcewise.costs.entry_csv import export_lines
from sourcewise.costs.management.commands._workspace import workspace_named
from sourcewise.costs.models import CostEntry


class Command(BaseCommand):
    help = "Export a workspace's cost ledger as CSV (to stdout, or to a file with -o)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", help="Workspace id or exact name (optional when there is only one).")
        parser.add_argument("-o", "--output", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:

        workspace = workspace_named(options["workspace"])
        lines = export_lines(CostEntry.objects.in_workspace(workspace))
        if options["output"]:
            with options["output"].open("w", encoding="utf-8", newline="") as out:
                out.writelines(lines)
        else:
            for line in lines:
                self.stdout.write(line, ending="")

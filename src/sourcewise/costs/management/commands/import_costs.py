"""`sourcewise import_costs FILE --workspace ID`: all-or-nothing CSV import into the cost ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sourcewise.core.csvio import CsvImportError
from sourcewise.costs.entry_csv import CSV_COLUMNS, import_entries
from sourcewise.costs.management.commands._workspace import workspace_named


class Command(BaseCommand):
    help = (
        f"Import costs from a CSV file (columns: {', '.join(CSV_COLUMNS)}). Nothing is written unless every row "
        "is valid; importing the same file again adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--workspace", help="Workspace id or exact name (optional when there is only one).")

    def handle(self, *args: Any, **options: Any) -> None:

        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        workspace = workspace_named(options["workspace"])
        try:
            result = import_entries(workspace=workspace, actor=None, file=path.read_bytes(), filename=path.name)
        except CsvImportError as exc:
            raise CommandError("Nothing was imported:\n" + "\n".join(f"  {e}" for e in exc.errors)) from None
        self.stdout.write(self.style.SUCCESS(result.describe()))

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sourcewise.core.csvio import CsvImportError
from sourcewise.tasks.importer import export_tasks, import_tasks
from sourcewise.tasks.models import Task
from sourcewise.tasks.selectors import active
from sourcewise.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Import tasks from a CSV file (all or nothing, re-import changes nothing) or export them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import", "export"])
        parser.add_argument("file", nargs="?", help="CSV file; export writes to standard output without it.")
        parser.add_argument("--workspace", required=True, help="Workspace id or exact name.")

    def handle(self, *args: Any, **options: Any) -> None:
        selector = options["workspace"]
        workspaces = Workspace.objects.filter(pk=int(selector)) if selector.isdigit() else None
        workspace = (workspaces if workspaces is not None else Workspace.objects.filter(name=selector)).first()
        if workspace is None:
            raise CommandError(f"No workspace {selector!r}. Run `sourcewise health` to list them.")
        if options["action"] == "export":
            lines = export_tasks(active(Task.objects.in_workspace(workspace)))
            if options["file"]:
                with Path(options["file"]).open("w", encoding="utf-8", newline="") as out:
                    out.writelines(lines)
            else:
                for line in lines:
                    sys.stdout.write(line)
            return
        if not options["file"]:
            raise CommandError("Name the CSV file to import.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            result = import_tasks(workspace=workspace, actor=None, file=path.read_bytes())
        except CsvImportError as exc:
            raise CommandError("Nothing was imported:\n" + "\n".join(f"  {e}" for e in exc.errors)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported: {result.created} added, {result.updated} updated, {result.unchanged} unchanged."
            )
        )

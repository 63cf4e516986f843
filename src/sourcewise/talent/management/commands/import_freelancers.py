"""`sourcewise import_freelancers FILE --workspace ID`: all-or-nothing CSV import with progress."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sourcewise.talent.csv_io import COLUMNS, ImportRefused, import_freelancers
from sourcewise.workspaces.models import Workspace


class Command(BaseCommand):
    help = (
        f"Import freelancers from a CSV file (columns: {', '.join(COLUMNS)}). "
        "Nothing is written unless every row is valid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--workspace", type=int, help="Workspace id (optional when there is only one).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        workspaces = Workspace.objects.all()
        if options["workspace"]:
            workspaces = workspaces.filter(pk=options["workspace"])
        if workspaces.count() != 1:
            raise CommandError("Name the workspace with --workspace ID (see `sourcewise health`).")
        workspace = workspaces.get()
        total = sum(1 for _ in path.open("rb")) - 1
        started = time.monotonic()

        def progress(phase: str, done: int) -> None:
            width = 30
            filled = int(width * done / total) if total else width
            bar = "#" * filled + "-" * (width - filled)
            self.stderr.write(f"\r{phase:<8} [{bar}] {done:>7}/{total} rows", ending="")
            self.stderr.flush()

        try:
            result = import_freelancers(lambda: path.open("rb"), workspace=workspace, actor=None, progress=progress)
        except ImportRefused as refused:
            self.stderr.write("")
            for line in refused.result.errors:
                self.stderr.write(line)
            raise CommandError(
                f"Nothing was imported: {len(refused.result.errors)} problem(s) in {path.name}."
            ) from None
        if sys.stderr.isatty():
            self.stderr.write("")
        self.stdout.write(
            f"\n{result.rows} rows in {time.monotonic() - started:.1f} s: {result.created} added, "
            f"{result.updated} updated, {result.unchanged} unchanged."
        )

"""`sourcewise export_freelancers --workspace ID [-o FILE]`: the CSV the import reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sourcewise.talent.csv_io import export_lines
from sourcewise.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Export a workspace's freelancers as CSV (to stdout, or to a file with -o)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", type=int)
        parser.add_argument("-o", "--output", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        workspaces = Workspace.objects.all()
        if options["workspace"]:
            workspaces = workspaces.filter(pk=options["workspace"])
        if workspaces.count() != 1:
            raise CommandError("Name the workspace with --workspace ID.")
        workspace = workspaces.get()
        if options["output"]:
            with options["output"].open("w", encoding="utf-8", newline="") as out:
                for line in export_lines(workspace):
                    out.write(line)
        else:
            for line in export_lines(workspace):
                self.stdout.write(line, ending="")

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from sourcewise.backups.export import export_workspace
from sourcewise.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Write a whole workspace (every row, the people, uploaded documents) to a JSON backup file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", help="Workspace id or exact name (needed when there are several).")
        parser.add_argument("-o", "--output", help="File to write; standard output when left out.")

    def handle(self, *args: Any, **options: Any) -> None:
        workspaces = Workspace.objects.order_by("id")
        selector = options.get("workspace")
        if selector:
            workspaces = workspaces.filter(pk=int(selector)) if selector.isdigit() else workspaces.filter(name=selector)
        found = list(workspaces[:2])
        if not found:
            raise CommandError(f"No workspace {selector!r}." if selector else "There is no workspace to back up.")
        if len(found) > 1:
            names = ", ".join(f"#{w.pk} {w.name}" for w in Workspace.objects.order_by("id"))
            raise CommandError(f"Several workspaces ({names}): choose one with --workspace.")
        document = export_workspace(found[0])
        text = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
        if options.get("output"):
            path = Path(options["output"])
            partial = path.with_name(path.name + ".partial")
            partial.write_text(text, encoding="utf-8")
            partial.replace(path)  # never leave half a backup under the real name
            rows = sum(len(rows) for rows in document["tables"].values())
            self.stderr.write(self.style.SUCCESS(f"Backed up {found[0].name}: {rows} rows to {path}."))
        else:
            sys.stdout.write(text + "\n")

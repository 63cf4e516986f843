from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sourcewise.backups.jobs import load_backup, restore_with_progress
from sourcewise.backups.services import BackupError, comparable_content, export_workspace
from sourcewise.core.progressbar import ProgressBar


class Command(BaseCommand):
    help = (
        "Restore a JSON backup as a new workspace (all or nothing). People in the file keep their "
        "passwords when their account does not exist yet; existing accounts are linked, not changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A file written by `sourcewise backup`.")
        parser.add_argument("--name", help="Name of the restored workspace (default: the name in the file).")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            document = load_backup(path)
        except BackupError as exc:
            raise CommandError(f"{path}: {exc}") from None
        bar = ProgressBar(self.stderr, label="restore")
        try:
            workspace = restore_with_progress(document, name=options.get("name"), trust_passwords=True, progress=bar)
        except BackupError as exc:
            bar.close()
            raise CommandError(f"Nothing was restored: {exc}") from None
        bar.close()
        # Prove the round trip: the restored workspace, backed up again, holds the file's content.
        again = export_workspace(workspace)
        again["workspace"]["name"] = document["workspace"].get("name")
        if comparable_content(again) != comparable_content(document):
            raise CommandError(f"Restored as workspace #{workspace.pk}, but its content differs from the file.")
        rows = sum(len(rows) for rows in document["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {workspace.name} as workspace #{workspace.pk}: {rows} rows, verified identical."
            )
        )

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sourcewise.backups.comparing import comparable_content
from sourcewise.backups.document import BackupError
from sourcewise.backups.export import export_workspace
from sourcewise.backups.parsing import parse_backup
from sourcewise.backups.restore import restore_backup
from sourcewise.core.progressbar import ProgressBar


class Command(BaseCommand):
    help = (
        "Restore a JSON backup as a new workspace (all or nothing). New people get an account without a "
        "password and an e-mail to choose one; people who already have an account are invited, unless "
        "--attach-existing-accounts makes them members directly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A file written by `sourcewise backup`.")
        parser.add_argument("--name", help="Name of the restored workspace (default: the name in the file).")
        parser.add_argument(
            "--attach-existing-accounts",
            action="store_true",
            help="Make people who already have an account on this instance members with their role in the file, "
            "without an invitation. Use only for a file you trust (e.g. moving your own instance).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            document = parse_backup(path.read_bytes(), limit=None)  # the operator's own file: no upload limit
        except BackupError as exc:
            raise CommandError(f"{path}: {exc}") from None
        bar = ProgressBar(self.stderr, label="restore")
        try:
            result = restore_backup(
                document,
                name=options.get("name"),
                attach_existing_accounts=options["attach_existing_accounts"],
                progress=bar,
            )
        except BackupError as exc:
            raise CommandError(f"Nothing was restored: {exc}") from None
        finally:
            bar.close()
        workspace = result.workspace
        if result.invited or result.left_out:
            # Invited people are not members yet, so the copy cannot equal the file.
            self.stdout.write(self.style.WARNING(f"{result.summary()} Workspace #{workspace.pk}; not verified."))
            return
        # Prove the round trip: the restored workspace, backed up again, holds the file's content.
        again = export_workspace(workspace)
        again["workspace"]["name"] = document["workspace"].get("name")
        if comparable_content(again) != comparable_content(document):
            raise CommandError(f"Restored as workspace #{workspace.pk}, but its content differs from the file.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {workspace.name} as workspace #{workspace.pk}: {result.rows} rows, verified identical."
            )
        )

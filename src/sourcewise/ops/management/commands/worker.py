from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from sourcewise.ops.startup import recover


class Command(BaseCommand):
    help = (
        "Run background jobs (imports, restores) from the queue in the database. Jobs a stopped "
        "server left running are marked failed first and their temporary files deleted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="Run the queued jobs, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        recovered = recover()
        if recovered:
            self.stdout.write(f"Marked {recovered} interrupted job(s) as failed.")
        worker_options: dict[str, Any] = {"reload": False, "interval": 0.5}
        if options["batch"]:
            worker_options["batch"] = True
        call_command("db_worker", **worker_options, verbosity=options.get("verbosity", 1))

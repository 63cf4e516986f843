from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import InterfaceError, OperationalError, connections

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
        run_until_stopped(
            lambda: call_command("db_worker", **worker_options, verbosity=options.get("verbosity", 1)),
            say=self.stderr.write,
            attempts=BATCH_ATTEMPTS if options["batch"] else None,
        )


# The queue's own transaction waits for SQLite's write lock (busy_timeout, 5 s) and gives up with
# "database is locked" when a burst of writes holds it longer; a lost connection to PostgreSQL
# ends it the same way. Either is passing: the worker starts again after a pause instead of
# dying (which stopped `sourcewise serve`, web server included).
PAUSES = (0.5, 1.0, 2.0, 5.0, 10.0)
BATCH_ATTEMPTS = 5
STEADY_SECONDS = 60.0


def run_until_stopped(
    work: Callable[[], object],
    *,
    say: Callable[[str], None],
    attempts: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Run `work` again after a database error, pausing longer each time in a row (`attempts`: at most)."""
    failures = 0
    while True:
        started = clock()
        try:
            work()
            return
        except (OperationalError, InterfaceError) as exc:
            if clock() - started > STEADY_SECONDS:
                failures = 0  # it had been working: this error starts a new row
            failures += 1
            if attempts is not None and failures >= attempts:
                raise
            pause = PAUSES[min(failures, len(PAUSES)) - 1]
            say(f"The jobs worker met a database error ({exc}); it starts again in {pause:g} s.")
            for connection in connections.all():  # a broken connection is opened afresh
                connection.close()
            sleep(pause)

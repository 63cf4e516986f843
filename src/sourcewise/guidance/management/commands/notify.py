"""`sourcewise notify`: send the emails that are due. Cron-able; running it twice sends nothing twice."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sourcewise.guidance.notifications import notification_sources, send_pending
from sourcewise.workspaces.models import Workspace


class Command(BaseCommand):
    help = (
        "Send due email notifications (SOPs to acknowledge, critical findings, and what other apps "
        "register). Idempotent: every email is logged and never sent twice. Run it from cron, e.g. every 15 minutes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", type=int, help="Only this workspace id.")
        parser.add_argument("--kind", action="append", help="Only this kind (repeatable).")
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, help="Pretend today is this date (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--retry-unconfirmed",
            action="store_true",
            help="Send again the emails a previous run claimed but could not confirm (it stopped mid-way). "
            "Check your mail server's log first: they may have gone out.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kinds = options["kind"]
        unknown = set(kinds or []) - set(notification_sources())
        if unknown:
            raise CommandError(f"Unknown kind(s) {sorted(unknown)}; known: {sorted(notification_sources())}.")
        workspaces = None
        if options["workspace"]:
            workspaces = list(Workspace.objects.filter(pk=options["workspace"]))
            if not workspaces:
                raise CommandError(f"No workspace with id {options['workspace']}.")
        report = send_pending(
            workspaces=workspaces, kinds=kinds, today=options["today"], retry_unconfirmed=options["retry_unconfirmed"]
        )
        self.stdout.write(f"Sent {len(report.sent)} email(s); {report.skipped} already sent before.")
        for email, error in report.failed:
            self.stderr.write(f"Could not send to {email}: {error} (will be tried again on the next run)")
        if report.unconfirmed:
            self.stderr.write(
                f"{len(report.unconfirmed)} email(s) were claimed by an earlier run that stopped before confirming "
                "them; they are not resent automatically. Use --retry-unconfirmed to send them again."
            )
        if report.failed:
            raise CommandError(f"{len(report.failed)} email(s) could not be sent.")

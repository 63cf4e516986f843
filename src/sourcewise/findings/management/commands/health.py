from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sourcewise.findings.engine import evaluate
from sourcewise.workspaces.models import Workspace

COLOURS = {"critical": "ERROR", "warning": "WARNING", "info": "NOTICE"}


class Command(BaseCommand):
    help = "Show the findings and health score of a workspace (all workspaces when there are several)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", help="Workspace id or exact name.")
        parser.add_argument("--json", action="store_true", help="Print JSON instead of text.")
        parser.add_argument(
            "--fail-on",
            choices=["info", "warning", "critical"],
            help="Exit with status 1 when a finding of this severity or worse exists.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspaces = Workspace.objects.order_by("id")
        selector = options.get("workspace")
        if selector:
            workspaces = workspaces.filter(pk=int(selector)) if selector.isdigit() else workspaces.filter(name=selector)
            if not workspaces.exists():
                raise CommandError(f"No workspace {selector!r}. Run `sourcewise health` to list them.")
        reports = [evaluate(ws) for ws in workspaces]
        if options["json"]:
            payload: Any = [r.as_dict() for r in reports]
            if selector or len(reports) == 1:
                payload = payload[0] if payload else {}
            self.stdout.write(json.dumps(payload, indent=2))
        else:
            if not reports:
                self.stdout.write("No workspaces yet. Run `sourcewise demo` to load the demo business.")
            for report in reports:
                health = (
                    f"health {report.score}/100"
                    if report.score is not None
                    else "health: not enough data yet (no outsourced work)"
                )
                self.stdout.write(
                    self.style.MIGRATE_HEADING(
                        f"{report.workspace.name} (#{report.workspace.pk}) — {health}, "
                        f"{report.counts['critical']} critical, {report.counts['warning']} warning, "
                        f"{report.counts['info']} info"
                    )
                )
                for finding in report.findings:
                    style = getattr(self.style, COLOURS[str(finding.severity)])
                    self.stdout.write(
                        style(
                            f"  [{finding.severity}] {finding.title} ({finding.code}) — {finding.subject_type} "
                            f"#{finding.subject_id} {finding.subject_label}"
                        )
                    )
                    self.stdout.write(f"      {finding.message}\n      Fix: {finding.fix}")
        fail_on = options.get("fail_on")
        if fail_on:
            order = ["info", "warning", "critical"]
            worst = {str(f.severity) for r in reports for f in r.findings}
            if any(order.index(s) >= order.index(fail_on) for s in worst):
                raise SystemExit(1)

"""`sourcewise health`: the stored findings of each workspace, as text or JSON.

Reads what `findings.refresh` stored (after `ensure_fresh` applies pending writes), so it
answers in a few queries per workspace whatever its size. `--refresh` recomputes and
stores every workspace's findings first: the daily job (cron, after midnight).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sourcewise.findings.codes import CODES
from sourcewise.findings.refresh import refresh_full
from sourcewise.findings.store import StoredHealth, records, stored_health
from sourcewise.workspaces.models import Workspace

COLOURS = {"critical": "ERROR", "warning": "WARNING", "info": "NOTICE"}
ORDER_FIELDS = ("pk", "severity_rank", "guardrail", "code", "subject_label", "subject_id")
TEXT_FIELDS = ("code", "severity", "guardrail", "subject_type", "subject_id", "subject_label", "message", "fix")
PAGE = 2000


def open_findings(workspace: Workspace) -> Iterator[dict[str, Any]]:
    """The workspace's unresolved findings as `Finding.as_dict()`, in `engine.evaluate`'s
    order (severity, guardrail, code, subject label, subject id).

    Sorted in Python like evaluate, so the order never depends on the database's collation
    or on where it puts NULLs; the texts (most of the bytes) are read a page at a time."""
    keys = list(records(workspace).unresolved().values_list(*ORDER_FIELDS))
    keys.sort(key=lambda r: (r[1], r[2], r[3], r[4], r[5] or 0))
    for start in range(0, len(keys), PAGE):
        pks = [row[0] for row in keys[start : start + PAGE]]
        rows = {row["pk"]: row for row in records(workspace).filter(pk__in=pks).values("pk", *TEXT_FIELDS)}
        for pk in pks:
            row = rows[pk]
            yield {
                "code": row["code"],
                "severity": row["severity"],
                "guardrail": row["guardrail"],
                "subject": {"type": row["subject_type"], "id": row["subject_id"], "label": row["subject_label"]},
                "message": row["message"],
                "fix": row["fix"],
            }


def as_dict(health: StoredHealth) -> dict[str, Any]:
    """The JSON of one workspace: the shape `HealthReport.as_dict()` has always printed."""
    return {
        "workspace": {"id": health.workspace.pk, "name": health.workspace.name},
        "evaluated_on": health.today.isoformat(),
        "score": health.score,
        "status": health.status,
        "counts": health.counts,
        "findings": list(open_findings(health.workspace)),
    }


class Command(BaseCommand):
    help = "Show the findings and health score of a workspace (all workspaces when there are several)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", help="Workspace id or exact name.")
        parser.add_argument("--json", action="store_true", help="Print JSON instead of text.")
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Recompute and store every check first (the daily job: run it from cron after midnight).",
        )
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
        if options["refresh"]:
            for workspace in workspaces:
                # With --json, stdout carries only the JSON: the summary goes to stderr.
                self._refresh(workspace, self.stderr if options["json"] else self.stdout)
            if not options["json"] and not options.get("fail_on"):
                return
        # `stored_health` applies pending writes (ensure_fresh) before it reads.
        reports = [stored_health(ws, today=ws.today()) for ws in workspaces]
        if options["json"]:
            payload: Any = [as_dict(r) for r in reports]
            if selector or len(reports) == 1:
                payload = payload[0] if payload else {}
            self.stdout.write(json.dumps(payload, indent=2))
        elif not options["refresh"]:
            self._print(reports)
        fail_on = options.get("fail_on")
        if fail_on:
            order = ["info", "warning", "critical"]
            worst = {severity for r in reports for severity, n in r.counts.items() if n}
            if any(order.index(s) >= order.index(fail_on) for s in worst):
                raise SystemExit(1)

    def _refresh(self, workspace: Workspace, out: Any) -> None:
        started = time.perf_counter()
        result = refresh_full(workspace)
        if result is None:
            out.write(f"{workspace.name} (#{workspace.pk}): a later full refresh started meanwhile; its result is kept")
            return
        out.write(
            f"{workspace.name} (#{workspace.pk}): {result.created} new, {result.reopened} reopened, "
            f"{result.changed} changed, {result.resolved} resolved in {time.perf_counter() - started:.1f} s"
        )

    def _print(self, reports: list[StoredHealth]) -> None:
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
            for finding in open_findings(report.workspace):
                style = getattr(self.style, COLOURS[finding["severity"]])
                subject = finding["subject"]
                self.stdout.write(
                    style(
                        f"  [{finding['severity']}] {CODES[finding['code']].title} ({finding['code']}) — "
                        f"{subject['type']} #{subject['id']} {subject['label']}"
                    )
                )
                self.stdout.write(f"      {finding['message']}\n      Fix: {finding['fix']}")

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sourcewise.tasks.advisor import advise
from sourcewise.tasks.models import Task
from sourcewise.tasks.selectors import active, with_advice_data
from sourcewise.workspaces.models import Workspace

STYLES = {"outsource": "SUCCESS", "keep_in_house": "HTTP_INFO", "not_ready": "WARNING", "caution": "ERROR"}


class Command(BaseCommand):
    help = "The outsourcing advisor: a verdict with its reasons for each active task (or one task)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", help="Workspace id or exact name (needed when there are several).")
        parser.add_argument("--task", type=int, help="Only this task id.")
        parser.add_argument("--json", action="store_true", help="Print JSON instead of text.")

    def handle(self, *args: Any, **options: Any) -> None:
        tasks = with_advice_data(Task.objects.all())
        selector = options.get("workspace")
        if selector:
            workspaces = Workspace.objects.filter(pk=int(selector)) if selector.isdigit() else None
            if workspaces is None:
                workspaces = Workspace.objects.filter(name=selector)
            workspace = workspaces.first()
            if workspace is None:
                raise CommandError(f"No workspace {selector!r}. Run `sourcewise health` to list them.")
            tasks = tasks.filter(workspace=workspace)
        if options.get("task"):
            tasks = tasks.filter(pk=options["task"])
            if not tasks.exists():
                raise CommandError(f"No task #{options['task']}" + (" in that workspace." if selector else "."))
        else:
            tasks = active(tasks)
        rows = list(tasks.order_by("workspace_id", "name", "id"))
        advices = [(task, advise(task, task.workspace)) for task in rows]
        if options["json"]:
            payload: Any = [
                {"task": task.name, "workspace_id": task.workspace_id, **a.as_dict()} for task, a in advices
            ]
            if options.get("task"):
                payload = payload[0]
            self.stdout.write(json.dumps(payload, indent=2))
            return
        if not advices:
            self.stdout.write("No tasks yet. Add one on the Tasks page, or run `sourcewise demo`.")
        for task, a in advices:
            style = getattr(self.style, STYLES[str(a.verdict)])
            self.stdout.write(style(f"{task.name} (#{task.pk}, workspace #{task.workspace_id}): {a.label}"))
            for reason in a.reasons:
                self.stdout.write(f"    {'!' if reason.blocking else '-'} {reason.message}")
            self.stdout.write(f"    Next: {a.next_step}")

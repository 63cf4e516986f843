"""Guardrail G1 checks: keep the core in-house; outsource only what can be managed.

Decision on CORE_TASK_OUTSOURCED (see docs/adr/0004-g1-core-task-justification.md):

* stage `idea` / `startup`: critical, justification or not — the core stays in-house;
* stage `growth` / `established` without a written justification: warning;
* stage `growth` / `established` with a justification: info — an allowed, documented
  choice that stays visible on the dashboard (the advisor's `caution`).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from sourcewise.findings.codes import Severity
from sourcewise.findings.registry import CheckContext, Finding, check
from sourcewise.tasks.advisor import EARLY_STAGES
from sourcewise.tasks.models import Task
from sourcewise.tasks.selectors import outsourced_share_pct, workspace_tasks

_HUNDREDTH = Decimal("0.01")


def _tasks(ctx: CheckContext) -> list[Task]:
    """Every task that is not archived (the whole workspace: for the outsourced share)."""
    return ctx.memo("tasks.active", lambda: list(workspace_tasks(ctx.workspace)))


def _outsourced(ctx: CheckContext) -> list[Task]:
    """Outsourced tasks that are not archived: only the scope's in a scoped run."""
    if ctx.scope is None:
        return [t for t in _tasks(ctx) if t.is_outsourced]
    return ctx.memo(
        "tasks.outsourced.scoped",
        lambda: list(ctx.limit(workspace_tasks(ctx.workspace).filter(sourcing=Task.Sourcing.OUTSOURCE), "task")),
    )


def _finding(code: str, severity: Severity, task: Task, message: str, fix: str) -> Finding:
    return Finding(code, severity, "task", task.pk, message, fix, subject_label=task.name)


@check("CORE_TASK_OUTSOURCED")
def core_tasks_outsourced(ctx: CheckContext) -> Iterator[Finding]:
    """Subject: each outsourced task (not archived) that is core. A core task kept in-house
    is exactly what G1 asks for and is never judged."""
    stage = ctx.workspace.stage
    for task in _outsourced(ctx):
        if not task.is_core:
            continue
        justified = bool(task.justification.strip())
        if stage in EARLY_STAGES:
            yield _finding(
                "CORE_TASK_OUTSOURCED",
                Severity.CRITICAL,
                task,
                f"{task.name} is core to the business and is outsourced while the business is at the {stage} stage.",
                "Bring it back in-house; outsource the non-core work around it instead.",
            )
        elif not justified:
            yield _finding(
                "CORE_TASK_OUTSOURCED",
                Severity.WARNING,
                task,
                f"{task.name} is core to the business and is outsourced without a written justification.",
                "Write down why outsourcing it is right for the business now, or bring it back in-house.",
            )
        else:
            yield _finding(
                "CORE_TASK_OUTSOURCED",
                Severity.INFO,
                task,
                f"{task.name} is core and outsourced with a justification: allowed at the {stage} stage.",
                "Review the justification at each checkpoint; keep the know-how documented in-house.",
            )


@check("NO_DELIVERABLES")
def outsourced_tasks_without_deliverables(ctx: CheckContext) -> Iterator[Finding]:
    """Subject: each outsourced task (not archived) without a deliverable with written
    acceptance criteria. Tasks kept in-house are never judged."""
    for task in _outsourced(ctx):
        deliverables = list(task.deliverables.all())
        if not deliverables:
            yield _finding(
                "NO_DELIVERABLES",
                Severity.WARNING,
                task,
                f"{task.name} is outsourced but has no deliverables: nobody can say when the work is done.",
                "Add at least one deliverable with written acceptance criteria on the task page.",
            )
        elif not any(d.has_criteria for d in deliverables):
            yield _finding(
                "NO_DELIVERABLES",
                Severity.WARNING,
                task,
                f"{task.name} is outsourced but none of its deliverables has written acceptance criteria.",
                "Write acceptance criteria for its deliverables: how you will judge them done and good.",
            )


@check("NO_CHECKPOINTS")
def outsourced_tasks_without_checkpoints(ctx: CheckContext) -> Iterator[Finding]:
    """Subject: each outsourced task (not archived) without a checkpoint cadence, or with one
    longer than the workspace's limit. Tasks kept in-house are never judged."""
    limit = ctx.workspace.checkpoint_max_days
    for task in _outsourced(ctx):
        every = task.checkpoint_every_days
        if every is None:
            yield _finding(
                "NO_CHECKPOINTS",
                Severity.WARNING,
                task,
                f"{task.name} is outsourced without a checkpoint cadence: problems surface too late.",
                f"Set a checkpoint every {limit} days or sooner on the task page.",
            )
        elif every > limit:
            yield _finding(
                "NO_CHECKPOINTS",
                Severity.WARNING,
                task,
                f"{task.name} is checked only every {every} days; the limit is {limit}.",
                f"Check the work at least every {limit} days.",
            )


@check("OUTSOURCING_EVERYTHING", wide=True)
def outsourcing_everything(ctx: CheckContext) -> Iterator[Finding]:
    """Subject: the workspace, when the outsourced share of the monthly hours of its tasks
    (not archived) is above the limit, or every task is outsourced. Workspace-wide."""
    tasks = _tasks(ctx)
    if not tasks:
        return
    workspace = ctx.workspace
    limit = workspace.outsourcing_share_max_pct
    share = outsourced_share_pct(tasks)
    every_task = all(t.is_outsourced for t in tasks)
    if share is not None and share > limit:
        message = f"{share.quantize(_HUNDREDTH)} % of your monthly task hours are outsourced; the limit is {limit} %."
    elif every_task:
        message = f"All {len(tasks)} tasks of the business are outsourced."
    else:
        return
    yield Finding(
        "OUTSOURCING_EVERYTHING",
        Severity.WARNING,
        "workspace",
        workspace.pk,
        message,
        "Keep the core and enough of the work in-house to stay in control; see the outsourcing map.",
        subject_label=workspace.name,
    )

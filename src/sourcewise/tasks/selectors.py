"""Reads of tasks, with their related rows loaded in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum

from sourcewise.tasks.advisor import (
    EARLY_STAGES,
    VERDICT_LABELS,
    Advice,
    Verdict,
    advise,
    decide,
    fact_annotations,
    sop_annotations,
)
from sourcewise.tasks.models import Deliverable, Task, TaskSkill
from sourcewise.workspaces.models import Workspace


def with_skills(tasks: QuerySet[Task]) -> QuerySet[Task]:
    return tasks.prefetch_related(
        Prefetch("skill_needs", TaskSkill.objects.select_related("skill").order_by("skill__name"))
    )


def with_advice_data(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Everything `advise()` and the task pages read: skills, deliverables, the workspace, and
    whether an SOP covers the task (the annotations of the SOP hook)."""
    return (
        with_skills(tasks)
        .select_related("workspace")
        .prefetch_related(Prefetch("deliverables", Deliverable.objects.order_by("id")))
        .annotate(**sop_annotations())
    )


def active(tasks: QuerySet[Task]) -> QuerySet[Task]:
    return tasks.filter(archived_at__isnull=True)


def workspace_tasks(workspace: Workspace) -> QuerySet[Task]:
    """The active tasks of a workspace with what the advisor reads (findings, CLI)."""
    return with_advice_data(active(Task.objects.in_workspace(workspace)))


def outsourced_share_pct(tasks: list[Task]) -> Decimal | None:
    """Outsourced share of monthly task hours in %, None when no recurring hours are recorded."""
    total = sum((t.monthly_hours for t in tasks), Decimal("0"))
    if total <= 0:
        return None
    outsourced = sum((t.monthly_hours for t in tasks if t.is_outsourced), Decimal("0"))
    return outsourced * 100 / total


MAP_SHOWN = 12  # tasks listed in each quadrant of the map page (the rest: the tasks list)
CHART_SHOWN = 15  # tasks drawn as bars under the share (the largest monthly hours)
FACTS = ("advice_assessed", "advice_core", "advice_justified", "advice_ready")  # of advisor.fact_annotations

QUADRANTS = (
    ("non_core_ready", "Non-core, ready", "Outsource these first."),
    ("non_core_not_ready", "Non-core, not ready", "Write deliverables and checkpoints, then outsource."),
    ("core_ready", "Core, ready", "Keep in-house, or outsource with care and a written justification."),
    ("core_not_ready", "Core, not ready", "Keep these in-house."),
)


@dataclass(frozen=True)
class MapEntry:
    task: Task
    advice: Advice

    @property
    def quadrant(self) -> str:
        return f"{'core' if self.advice.core else 'non_core'}_{'ready' if self.advice.ready else 'not_ready'}"


@dataclass(frozen=True)
class OutsourcingMap:
    entries: list[MapEntry]
    monthly_hours: Decimal
    outsourced_monthly_hours: Decimal
    share_pct: Decimal | None
    share_max_pct: int

    def quadrant(self, key: str) -> list[MapEntry]:
        return [e for e in self.entries if e.quadrant == key]

    def quadrants(self) -> list[tuple[str, str, str, list[MapEntry]]]:
        return [(key, title, hint, self.quadrant(key)) for key, title, hint in QUADRANTS]

    def shown_quadrants(self, limit: int = MAP_SHOWN) -> list[tuple[str, str, str, list[MapEntry], int]]:
        """The page's quadrants: each with its `limit` largest tasks (monthly hours, then name) and
        how many it holds; the page links the rest to the tasks list."""
        shown = []
        for key, title, hint, entries in self.quadrants():
            largest = sorted(entries, key=lambda e: (-e.task.monthly_hours, e.task.name, e.task.pk))[:limit]
            shown.append((key, title, hint, largest, len(entries)))
        return shown

    @property
    def over_limit(self) -> bool:
        return self.share_pct is not None and self.share_pct > self.share_max_pct

    @property
    def chart_tasks(self) -> list[Task]:
        """The recurring tasks with the most monthly hours (then by name), for the share chart."""
        rows = [e.task for e in self.entries if e.task.monthly_hours > 0]
        return sorted(rows, key=lambda t: (-t.monthly_hours, t.name))[:CHART_SHOWN]

    def verdict_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entry in self.entries:
            counts[str(entry.advice.verdict)] = counts.get(str(entry.advice.verdict), 0) + 1
        return counts

    def verdict_summary(self) -> list[tuple[str, str, int]]:
        """(verdict, label, number of tasks) in a fixed order, for the page."""
        counts = self.verdict_counts()
        return [(str(v), VERDICT_LABELS[v], counts[str(v)]) for v in Verdict if str(v) in counts]


def _share(tasks: QuerySet[Task]) -> tuple[Decimal, Decimal]:
    """(monthly hours, outsourced monthly hours) of `tasks`, summed in SQL."""
    recurring = Q(frequency=Task.Frequency.RECURRING)
    sums = tasks.aggregate(
        total=Sum("hours", filter=recurring),
        outsourced=Sum("hours", filter=recurring & Q(sourcing=Task.Sourcing.OUTSOURCE)),
    )
    return Decimal(sums["total"] or 0), Decimal(sums["outsourced"] or 0)


def outsourcing_map(workspace: Workspace, tasks: QuerySet[Task]) -> OutsourcingMap:
    """Every active task placed by core/non-core × ready/not ready, and the outsourced share of hours.

    The hours are summed in SQL. Each task's place is the advisor's verdict (the one source of
    that rule, with the SOP hook's annotations): read from the task rows and their deliverables,
    not their skills, which the map does not show. Three queries whatever the number of tasks.
    """
    tasks = active(tasks)
    total, outsourced = _share(tasks)
    rows = list(
        tasks.select_related("workspace")
        .prefetch_related(Prefetch("deliverables", Deliverable.objects.order_by("id")))
        .annotate(**sop_annotations())
    )
    return OutsourcingMap(
        entries=[MapEntry(task, advise(task, workspace)) for task in rows],
        monthly_hours=total,
        outsourced_monthly_hours=outsourced,
        share_pct=outsourced * 100 / total if total > 0 else None,
        share_max_pct=workspace.outsourcing_share_max_pct,
    )


@dataclass(frozen=True)
class MapPage:
    """What the map page shows, without loading every task: the share, how many tasks each
    quadrant and verdict holds, each quadrant's largest tasks with their advice, the chart's."""

    monthly_hours: Decimal
    outsourced_monthly_hours: Decimal
    share_pct: Decimal | None
    share_max_pct: int
    counts: dict[str, int]  # quadrant key → tasks
    verdicts: dict[str, int]  # verdict → tasks
    shown: dict[str, list[MapEntry]]  # quadrant key → its largest tasks, largest first
    chart_tasks: list[Task]

    @property
    def over_limit(self) -> bool:
        return self.share_pct is not None and self.share_pct > self.share_max_pct

    def shown_quadrants(self) -> list[tuple[str, str, str, list[MapEntry], int]]:
        return [(key, title, hint, self.shown.get(key, []), self.counts.get(key, 0)) for key, title, hint in QUADRANTS]

    def verdict_summary(self) -> list[tuple[str, str, int]]:
        return [(str(v), VERDICT_LABELS[v], self.verdicts[str(v)]) for v in Verdict if str(v) in self.verdicts]


def _quadrant(core: bool, ready: bool) -> str:
    return f"{'core' if core else 'non_core'}_{'ready' if ready else 'not_ready'}"


def outsourcing_map_page(workspace: Workspace, tasks: QuerySet[Task], limit: int = MAP_SHOWN) -> MapPage:
    """The map page: the same figures as `outsourcing_map`, without loading and advising every task.

    Each task's facts (core, ready, ...) are read in SQL as a few booleans per row
    (`advisor.fact_annotations`), placed and counted with `advisor.decide`; only the tasks the
    page shows (each quadrant's `limit` largest, the chart's) are then loaded and advised.
    Four queries whatever the number of tasks.
    """
    tasks = active(tasks)
    total, outsourced = _share(tasks)
    early = workspace.stage in EARLY_STAGES
    facts = (
        tasks.annotate(**fact_annotations(workspace)).order_by().values_list("pk", "name", "frequency", "hours", *FACTS)
    )
    counts: dict[str, int] = {}
    verdicts: dict[str, int] = {}
    placed: dict[str, list[tuple[Decimal, str, int]]] = {}
    monthly: list[tuple[Decimal, str, int]] = []
    for pk, name, frequency, hours, assessed, core, justified, ready in facts:
        verdict = decide(assessed=assessed, core=core, early_stage=early, justified=justified, ready=ready)
        key = _quadrant(core, ready)
        counts[key] = counts.get(key, 0) + 1
        verdicts[str(verdict)] = verdicts.get(str(verdict), 0) + 1
        hours_a_month = hours if frequency == Task.Frequency.RECURRING else Decimal(0)
        placed.setdefault(key, []).append((-hours_a_month, name, pk))
        if hours_a_month > 0:
            monthly.append((-hours_a_month, name, pk))
    # Largest monthly hours first, then by name (as `OutsourcingMap.shown_quadrants`).
    shown_ids = {key: [pk for *_, pk in sorted(rows)[:limit]] for key, rows in placed.items()}
    chart_ids = [pk for *_, pk in sorted(monthly)[:CHART_SHOWN]]
    wanted = {pk for ids in shown_ids.values() for pk in ids} | set(chart_ids)
    loaded = {
        task.pk: task
        for task in tasks.filter(pk__in=wanted)
        .prefetch_related(Prefetch("deliverables", Deliverable.objects.order_by("id")))
        .annotate(**sop_annotations())
    }
    return MapPage(
        monthly_hours=total,
        outsourced_monthly_hours=outsourced,
        share_pct=outsourced * 100 / total if total > 0 else None,
        share_max_pct=workspace.outsourcing_share_max_pct,
        counts=counts,
        verdicts=verdicts,
        shown={key: [MapEntry(loaded[k], advise(loaded[k], workspace)) for k in ids] for key, ids in shown_ids.items()},
        chart_tasks=[loaded[pk] for pk in chart_ids],
    )

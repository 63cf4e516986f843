"""Reads of tasks, with their related rows loaded in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from sourcewise.tasks.models import Task, TaskSkill


def with_skills(tasks: QuerySet[Task]) -> QuerySet[Task]:
    return tasks.prefetch_related(
        Prefetch("skill_needs", TaskSkill.objects.select_related("skill").order_by("skill__name"))
    )

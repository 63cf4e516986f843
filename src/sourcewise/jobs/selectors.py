from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sourcewise.jobs.models import Job


def jobs_for(membership: Any, *, kind: str | None = None) -> QuerySet[Job]:
    """The jobs a member may follow, newest first (owners: all; managers: their own)."""
    jobs = Job.objects.for_member(membership).select_related("created_by")
    if kind:
        jobs = jobs.filter(kind=kind)
    return jobs.order_by("-created_at", "-id")

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from sourcewise.jobs.models import Job

if TYPE_CHECKING:
    from sourcewise.workspaces.models import Membership


def jobs_for(membership: Membership, *, kind: str | None = None) -> QuerySet[Job]:
    """The jobs a member may follow, newest first (owners: all; managers: their own)."""
    jobs = Job.objects.for_member(membership).select_related("created_by")
    if kind:
        jobs = jobs.filter(kind=kind)
    return jobs.order_by("-created_at", "-id")

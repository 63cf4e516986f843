"""Follow a background job over the API (the same rows the progress page shows)."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Router, Schema

from sourcewise.api.access import api_access
from sourcewise.api.schemas import path_id, responses
from sourcewise.core.access import INTERNAL
from sourcewise.core.http import WorkspaceRequest
from sourcewise.jobs.models import Job
from sourcewise.workspaces.access import scoped_object

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str
    title: str
    state: str
    done: int
    total: int
    percent: int
    message: str
    result: dict[str, Any]
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None


@router.get("/jobs/{job_id}", response=responses(JobOut), auth=api_access(INTERNAL, objects={"job_id": Job}))
def job_detail(request: WorkspaceRequest, job_id: int = path_id()) -> Job:
    """A job's state and progress; poll it until `state` is `done` or `failed`."""
    return scoped_object(request, Job, job_id)

"""Findings and health over the API."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from sourcewise.api.access import api_access
from sourcewise.api.schemas import responses
from sourcewise.core.access import INTERNAL
from sourcewise.findings.engine import evaluate

router = Router(tags=["findings"])


class SubjectOut(Schema):
    type: str
    id: int | None
    label: str


class FindingOut(Schema):
    code: str
    severity: str
    guardrail: str
    subject: SubjectOut
    message: str
    fix: str


class WorkspaceRef(Schema):
    id: int
    name: str


class HealthOut(Schema):
    workspace: WorkspaceRef
    evaluated_on: str
    score: int | None = Field(
        description="0–100 (100 = nothing to fix); null while the workspace has no outsourced work (see status)."
    )
    status: Literal["scored", "not_enough_data"] = Field(
        description="`not_enough_data`: no task is marked outsourced and no engagement has started yet."
    )
    counts: dict[str, int]
    findings: list[FindingOut]


@router.get("/health", response=responses(HealthOut), auth=api_access(INTERNAL))
def health(request: HttpRequest) -> dict[str, object]:
    """The findings of the workspace and its health score (100 = nothing to fix).

    A workspace with no outsourced work yet has nothing to score: `score` is null and
    `status` is `not_enough_data` (its findings, if any, are still listed)."""
    return evaluate(request.workspace).as_dict()  # type: ignore[attr-defined]

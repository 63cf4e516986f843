"""Findings and health over the API."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

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
    score: int
    counts: dict[str, int]
    findings: list[FindingOut]


@router.get("/health", response=responses(HealthOut), auth=api_access(INTERNAL))
def health(request: HttpRequest) -> dict[str, object]:
    """The findings of the workspace and its health score (100 = nothing to fix)."""
    return evaluate(request.workspace).as_dict()  # type: ignore[attr-defined]

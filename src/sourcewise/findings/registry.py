"""The registry of guardrail checks.

A check is one small function that reads a workspace and yields Findings. It declares
the codes it may produce; the engine refuses any other code so the catalogue in
`codes.py` stays the truth.

    @check("NO_DELIVERABLES")
    def tasks_without_deliverables(ctx: CheckContext) -> Iterator[Finding]: ...
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sourcewise.findings.codes import CODES, Severity

if TYPE_CHECKING:
    from sourcewise.workspaces.models import Workspace


@dataclass(frozen=True)
class Finding:
    """`{code, severity, subject (type, id), message, fix}` of SPEC §2."""

    code: str
    severity: Severity
    subject_type: str
    subject_id: int | None
    message: str
    fix: str
    subject_label: str = ""

    @property
    def guardrail(self) -> str:
        return CODES[self.code].guardrail

    @property
    def title(self) -> str:
        return CODES[self.code].title

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "guardrail": self.guardrail,
            "subject": {"type": self.subject_type, "id": self.subject_id, "label": self.subject_label},
            "message": self.message,
            "fix": self.fix,
        }


@dataclass
class CheckContext:
    """What a check reads: the workspace, today's date, and a cache checks may share."""

    workspace: Workspace
    today: datetime.date
    cache: dict[str, Any] = field(default_factory=dict)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


CheckFunction = Callable[[CheckContext], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    name: str
    codes: frozenset[str]
    function: CheckFunction


_CHECKS: dict[str, Check] = {}


def check(*codes: str) -> Callable[[CheckFunction], CheckFunction]:
    unknown = set(codes) - set(CODES)
    if unknown or not codes:
        raise ValueError(f"check must declare known finding codes, got {codes}")

    def register(function: CheckFunction) -> CheckFunction:
        name = f"{function.__module__}.{function.__qualname__}"
        _CHECKS[name] = Check(name, frozenset(codes), function)
        return function

    return register


def registered_checks() -> list[Check]:
    return list(_CHECKS.values())


def unregister(name: str) -> None:
    """For tests that register a temporary check."""
    _CHECKS.pop(name, None)

"""The registry of guardrail checks.

A check is one small function that reads a workspace and yields Findings. It declares
the codes it may produce; the engine refuses any other code so the catalogue in
`codes.py` stays the truth.

    @check("NO_DELIVERABLES")
    def tasks_without_deliverables(ctx: CheckContext) -> Iterator[Finding]: ...

Local or wide. A local check judges each subject from that subject's own rows and those
the domain's `scope_for` reaches from it (its engagements, freelancer, task, manager, SOPs); run
with a scope it must yield every finding of each subject in the scope (loading only those:
`ctx.limit`). A check whose finding on one subject can change with a write anywhere is
`wide=True` and only ever runs on the whole workspace: OUTSOURCING_EVERYTHING (share of all
hours), HIGH_CONCENTRATION (shares of all spend), SKILL_GAP (every vetted freelancer's
skills), NO_BACKUP (bench depth), MANAGER_OVERLOADED (counts across engagements). All the
others are local: what they read hangs off their subject, and workspace rows (thresholds,
skills, benchmarks, exchange rates, document types) mark the whole workspace. Date-driven
findings move with the daily full refresh. A code is produced by wide checks only or by
local checks only (tests/findings/test_tracking_and_refresh.py).

Besides its checks, the engine needs three facts about how the subjects hang together, which
only the app that sees every subject model knows (engagements, in `findings_hooks.py`): how
far a write reaches (`Domain.scope_for`), what counts as outsourced work to score
(`Domain.outsourced_work`), and which tasks need a skill (`Domain.tasks_needing_skills`).
The app registers them once with `register_domain`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from sourcewise.findings.codes import CODES, Severity

if TYPE_CHECKING:
    from django.db.models import Model, Q, QuerySet

    from sourcewise.workspaces.models import Workspace

    M = TypeVar("M", bound=Model)

T = TypeVar("T")


# A finding that will start within this many days is yielded now as "coming up" (`starts_on`):
# shown, not counted, until that date.
COMING_UP_DAYS = 14


def coming_up(today: datetime.date, starts_on: datetime.date) -> bool:
    """True when a finding starting on `starts_on` is yielded today as coming up (1 to 14 days on)."""
    return today < starts_on <= today + datetime.timedelta(days=COMING_UP_DAYS)


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
    # Coming up: the finding will hold from this date (shown, not counted, until then).
    starts_on: datetime.date | None = None
    # Tells apart two findings of one code on one subject (rarely needed).
    key: str = ""

    @property
    def fingerprint(self) -> str:
        base = f"{self.code}:{self.subject_type}:{self.subject_id or 0}"
        return f"{base}:{self.key}" if self.key else base

    def is_coming_up(self, today: datetime.date) -> bool:
        return self.starts_on is not None and self.starts_on > today

    @property
    def guardrail(self) -> str:
        return CODES[self.code].guardrail

    @property
    def title(self) -> str:
        return CODES[self.code].title

    def as_dict(self) -> dict[str, Any]:
        data = {
            "code": self.code,
            "severity": str(self.severity),
            "guardrail": self.guardrail,
            "subject": {"type": self.subject_type, "id": self.subject_id, "label": self.subject_label},
            "message": self.message,
            "fix": self.fix,
        }
        if self.starts_on is not None:  # only coming-up findings carry it: live ones keep their format
            data["starts_on"] = self.starts_on.isoformat()
        return data


SUBJECT_TYPES = ("engagement", "freelancer", "task", "sop", "membership")


@dataclass(frozen=True)
class Scope:
    """The subjects a refresh is limited to (ids per subject type).

    A local check run with a scope must yield every finding it would yield in a full run
    for each subject of its subject type in the scope — and may yield others, which the
    refresh ignores. The domain's `scope_for` (`Domain`, below) widens the subjects a write touched to
    the ones whose findings it can change.
    """

    engagement: frozenset[int] = frozenset()
    freelancer: frozenset[int] = frozenset()
    task: frozenset[int] = frozenset()
    sop: frozenset[int] = frozenset()
    membership: frozenset[int] = frozenset()

    def ids(self, subject_type: str) -> frozenset[int]:
        return getattr(self, subject_type, frozenset())

    def covers(self, subject_type: str, subject_id: int | None) -> bool:
        return subject_id is not None and subject_id in self.ids(subject_type)

    @property
    def empty(self) -> bool:
        return not any(self.ids(t) for t in SUBJECT_TYPES)


@dataclass
class CheckContext:
    """What a check reads: the workspace, today's date, and a cache checks may share."""

    workspace: Workspace
    today: datetime.date
    cache: dict[str, Any] = field(default_factory=dict)
    # None: the whole workspace. Otherwise only these subjects (local checks only).
    scope: Scope | None = None

    def limit(self, queryset: QuerySet[M], subject_type: str, field: str = "pk") -> QuerySet[M]:
        """`queryset` as is in a full run; only the scope's subjects of that type in a scoped one."""
        if self.scope is None:
            return queryset
        return queryset.filter(**{f"{field}__in": sorted(self.scope.ids(subject_type))})

    def in_scope(self, subject_type: str, subject_id: int | None) -> bool:
        return self.scope is None or self.scope.covers(subject_type, subject_id)

    def memo(self, key: str, fn: Callable[[], T]) -> T:
        """`fn()`, computed once per run under `key`: checks that read the same rows share them."""
        if key not in self.cache:
            self.cache[key] = fn()
        return self.cache[key]


CheckFunction = Callable[[CheckContext], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    name: str
    codes: frozenset[str]
    function: CheckFunction
    # Workspace-wide: a finding may change with any write anywhere (shares, concentration,
    # bench depth), so it is never run with a scope; the wide refresh recomputes it.
    wide: bool = False


_CHECKS: dict[str, Check] = {}


def check(*codes: str, wide: bool = False) -> Callable[[CheckFunction], CheckFunction]:
    unknown = set(codes) - set(CODES)
    if unknown or not codes:
        raise ValueError(f"check must declare known finding codes, got {codes}")

    def register(function: CheckFunction) -> CheckFunction:
        name = f"{function.__module__}.{function.__qualname__}"
        _CHECKS[name] = Check(name, frozenset(codes), function, wide)
        return function

    return register


def registered_checks() -> list[Check]:
    return list(_CHECKS.values())


def unregister(name: str) -> None:
    """For tests that register a temporary check."""
    _CHECKS.pop(name, None)


@dataclass(frozen=True)
class Domain:
    """How the subjects hang together, told by the app that sees all of them.

    - `scope_for(workspace, touched, referenced)`: the subjects whose local findings a write
      to `touched` can change (`referenced` ones are looked at themselves only);
    - `outsourced_work(workspace_id)`: the condition, on the workspace's row, that it has
      outsourced work a score can judge;
    - `tasks_needing_skills(skill_ids)`: the ids of the tasks that need one of these skills.
    """

    scope_for: Callable[[Workspace, dict[str, set[int]], dict[str, set[int]] | None], Scope]
    outsourced_work: Callable[[int], Q]
    tasks_needing_skills: Callable[[list[int]], Iterable[int]]


_DOMAIN: list[Domain] = []


def register_domain(domain: Domain) -> None:
    if _DOMAIN:
        raise RuntimeError("the findings domain is registered once")
    _DOMAIN.append(domain)


def domain() -> Domain:
    if not _DOMAIN:
        raise RuntimeError("no findings domain registered (engagements.findings_hooks registers it)")
    return _DOMAIN[0]

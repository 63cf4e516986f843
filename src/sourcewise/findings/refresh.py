"""Keep the stored findings (`FindingRecord`) equal to what the rules say.

Three ways in, all ending in `_sync`, which writes only the difference:

- `refresh_full`: every check on the whole workspace (the daily job, `sourcewise health
  --refresh`, the first read of a new day, or a write that touches the whole workspace);
- `refresh_scope`: the local checks on the subjects a write touched, widened by the
  domain's `scope_for` (`engagements.findings_hooks`) to every subject whose findings that
  write can change;
- `refresh_wide`: the workspace-wide checks (shares, concentration, bench depth), queued
  as a background task after writes.

`ensure_fresh` is what pages, the API and the CLI call before they read: it applies the
markers writes left (`PendingRefresh`) so the page you just fixed shows the finding gone.
A full run that took longer than `INLINE_FULL_SECONDS` last time (a large workspace) is
never run inside a page: it is queued (`refresh_full_task`) and the page says the findings
are being brought up to date, while writes on subjects are still applied at once.

Every refresh computes outside any transaction and stores its result in a short locked
one, so computing never holds the database's write lock; a refresh that finds a newer one
stored meanwhile stores nothing.
"""

from __future__ import annotations

import datetime
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django_tasks import task

from sourcewise.findings.codes import SEVERITY_ORDER, SEVERITY_PENALTY, Severity
from sourcewise.findings.history import take_snapshot
from sourcewise.findings.models import FindingRecord, FindingsState, FindingTally, PendingRefresh
from sourcewise.findings.registry import SUBJECT_TYPES, Check, CheckContext, Finding, Scope, domain, registered_checks
from sourcewise.findings.tracking import REFERENCE, WIDE
from sourcewise.workspaces.models import Workspace

WORKSPACE = "workspace"


class UndeclaredFindingCode(RuntimeError):
    pass


def run_checks(ctx: CheckContext, checks: Iterable[Check]) -> list[Finding]:
    """The findings of `checks`, refusing any code a check did not declare."""
    findings: list[Finding] = []
    for registered in checks:
        for finding in registered.function(ctx):
            if finding.code not in registered.codes:
                raise UndeclaredFindingCode(f"{registered.name} produced {finding.code} which it did not declare")
            findings.append(finding)
    return findings


def local_checks() -> list[Check]:
    return [c for c in registered_checks() if not c.wide]


def wide_checks() -> list[Check]:
    return [c for c in registered_checks() if c.wide]


def _codes(checks: Iterable[Check]) -> set[str]:
    return {code for c in checks for code in c.codes}


@dataclass(frozen=True)
class SyncResult:
    created: int
    reopened: int
    changed: int
    resolved: int


def _sync(
    workspace: Workspace,
    findings: list[Finding],
    covered: list[Q],
    keep: Callable[[Finding], bool],
    *,
    rebuild_tally: bool = False,
) -> SyncResult:
    """Make the stored rows matched by `covered` equal to `findings` (those `keep` accepts).

    `covered` is a list of conditions, read one query each (so each can use its index)."""
    now = timezone.now()
    wanted: dict[str, Finding] = {}
    for finding in findings:
        if keep(finding):
            wanted.setdefault(finding.fingerprint, finding)
    columns = ("pk", "fingerprint", "code", "severity", "message", "fix", "subject_label", "starts_on", "resolved_at")
    stored = {
        row["fingerprint"]: row
        for part in covered
        for row in FindingRecord.objects.filter(part, workspace=workspace).values(*columns)
    }
    create: list[str] = []
    reopen: list[tuple[int, Finding]] = []
    still_open: list[tuple[int, Finding]] = []
    for fingerprint, f in wanted.items():
        row = stored.get(fingerprint)
        if row is None:
            create.append(fingerprint)
            continue
        same = (
            row["severity"] == str(f.severity)
            and row["message"] == f.message
            and row["fix"] == f.fix
            and row["subject_label"] == f.subject_label[:300]
            and row["starts_on"] == f.starts_on
        )
        if row["resolved_at"] is not None:
            reopen.append((row["pk"], f))
        elif row["starts_on"] is not None and f.starts_on is None:
            # A coming-up finding turning live starts its open spell now (its age counts from today).
            reopen.append((row["pk"], f))
        elif not same:
            still_open.append((row["pk"], f))  # keeps its age: first_seen is not rewritten
    gone = [row["pk"] for fp, row in stored.items() if fp not in wanted and row["resolved_at"] is None]
    by_pk = {row["pk"]: row for row in stored.values()}

    _insert(workspace, [wanted[fp] for fp in create], now)
    _update(reopen, now, reopen=True)
    _update(still_open, now, reopen=False)
    for start in range(0, len(gone), 500):
        FindingRecord.objects.filter(pk__in=gone[start : start + 500]).update(resolved_at=now)

    # The tallies move by what was written: +1 for a finding that opens, −1 for one that
    # resolves, and a move between severities for one that changed.
    delta: Counter[tuple[str, str]] = Counter()
    for fp in create:
        delta[(wanted[fp].code, str(wanted[fp].severity))] += 1
    for pk, f in reopen + still_open:
        row = by_pk[pk]
        if row["resolved_at"] is None:
            delta[(row["code"], row["severity"])] -= 1
        delta[(f.code, str(f.severity))] += 1
    for pk in gone:
        delta[(by_pk[pk]["code"], by_pk[pk]["severity"])] -= 1
    if rebuild_tally:
        _replace_tally(workspace, Counter((f.code, str(f.severity)) for f in wanted.values()))
    else:
        _move_tally(workspace, delta)
    return SyncResult(len(create), len(reopen), len(still_open), len(gone))


def _replace_tally(workspace: Workspace, tally: Counter[tuple[str, str]]) -> None:
    FindingTally.objects.filter(workspace=workspace).delete()
    FindingTally.objects.bulk_create(
        FindingTally(workspace=workspace, code=code, severity=severity, count=n)
        for (code, severity), n in sorted(tally.items())
        if n
    )


def _move_tally(workspace: Workspace, delta: Counter[tuple[str, str]]) -> None:
    for (code, severity), n in sorted(delta.items()):
        if not n:
            continue
        rows = FindingTally.objects.filter(workspace=workspace, code=code, severity=severity)
        if not rows.update(count=F("count") + n):
            FindingTally.objects.create(workspace=workspace, code=code, severity=severity, count=n)


# Inserts and updates go straight to the cursor in batches (`executemany`): at tens of
# thousands of findings the ORM's per-field work (`bulk_create`, `bulk_update`'s CASE
# WHEN) cost more than every check together. Values are prepared as the ORM would.
INSERT_COLUMNS = (
    "workspace_id", "fingerprint", "code", "guardrail", "severity", "severity_rank", "penalty", "subject_type",
    "subject_id", "subject_label", "message", "fix", "starts_on", "first_seen", "last_seen", "accepted_reason",
)  # fmt: skip
UPDATE_COLUMNS = ("severity", "severity_rank", "penalty", "message", "fix", "subject_label", "starts_on", "last_seen")
BATCH = 1000


def _values(f: Finding) -> tuple[Any, ...]:
    severity = Severity(f.severity)
    starts_on = connection.ops.adapt_datefield_value(f.starts_on)
    return (
        str(severity), SEVERITY_ORDER[severity], SEVERITY_PENALTY[severity], f.message, f.fix, f.subject_label[:300],
        starts_on,
    )  # fmt: skip


def _insert(workspace: Workspace, findings: list[Finding], now: datetime.datetime) -> None:
    if not findings:
        return
    table = connection.ops.quote_name(FindingRecord._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in INSERT_COLUMNS)
    placeholders = ", ".join(["%s"] * len(INSERT_COLUMNS))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608  # names from the model
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        for start in range(0, len(findings), BATCH):
            rows = []
            for f in findings[start : start + BATCH]:
                severity, rank, penalty, message, fix, label, starts_on = _values(f)
                rows.append(
                    (workspace.pk, f.fingerprint, f.code, f.guardrail, severity, rank, penalty, f.subject_type,
                     f.subject_id, label, message, fix, starts_on, stamp, stamp, "")
                )  # fmt: skip
            cursor.executemany(sql, rows)


def _update(changes: list[tuple[int, Finding]], now: datetime.datetime, *, reopen: bool) -> None:
    """Rewrite the texts of stored rows; `reopen`: also start a new open spell."""
    if not changes:
        return
    table = connection.ops.quote_name(FindingRecord._meta.db_table)
    columns = [*UPDATE_COLUMNS, *(("first_seen", "resolved_at") if reopen else ())]
    assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
    sql = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608  # names from the model
    stamp = connection.ops.adapt_datetimefield_value(now)
    extra: tuple[Any, ...] = (stamp, None) if reopen else ()
    with connection.cursor() as cursor:
        for start in range(0, len(changes), BATCH):
            cursor.executemany(sql, [(*_values(f), stamp, *extra, pk) for pk, f in changes[start : start + BATCH]])


def _lock_state(workspace: Workspace) -> FindingsState:
    """The workspace's state row, locked: one store of findings of a workspace at a time."""
    FindingsState.objects.get_or_create(workspace=workspace)
    return FindingsState.objects.select_for_update().get(workspace=workspace)


def _last_marker(workspace: Workspace) -> int:
    last = PendingRefresh.objects.filter(workspace_id=workspace.pk).order_by("-pk").values_list("pk", flat=True).first()
    return last or 0


# A full run of a large workspace takes a minute: it computes outside any transaction, so pages
# keep reading and writing meanwhile, and stores the result in one short locked transaction.
# Writes made while it computes keep their markers (`applied_upto` says which are applied
# already): once it is stored they are applied again, over what the run computed.


def refresh_full(workspace: Workspace, *, today: datetime.date | None = None) -> SyncResult | None:
    """Recompute every check on the whole workspace and store the difference.

    Returns None when a later full run started meanwhile: its result, newer, is the one stored."""
    today = today or workspace.today()
    clock = time.monotonic()
    with transaction.atomic():
        state = _lock_state(workspace)
        started_at = timezone.now()
        # Markers up to here are answered by this run; later ones are applied after it.
        upto = _last_marker(workspace)
        state.full_started_at, state.full_upto, state.full_queued_at = started_at, upto, None
        # Writes from now on queue their own wide refresh (this run's view of them may be partial).
        state.wide_queued_at = None
        state.save(update_fields=["full_started_at", "full_upto", "full_queued_at", "wide_queued_at"])
    ctx = CheckContext(workspace=workspace, today=today)
    findings = run_checks(ctx, local_checks())
    wide_clock = time.monotonic()
    findings += run_checks(ctx, wide_checks())
    wide_seconds = round(time.monotonic() - wide_clock, 3)
    with transaction.atomic():
        state = _lock_state(workspace)
        if state.full_started_at != started_at:
            return None
        result = _sync(workspace, findings, [Q()], lambda f: True, rebuild_tally=True)
        PendingRefresh.objects.filter(workspace_id=workspace.pk, pk__lte=upto).delete()
        written_meanwhile = PendingRefresh.objects.filter(workspace_id=workspace.pk, pk__gt=upto).exists()
        state.applied_upto = upto  # what was written while computing is applied again by the next read
        state.evaluated_on = today
        state.refreshed_at = timezone.now()
        state.full_started_at = None
        state.full_seconds = round(time.monotonic() - clock, 3)
        # The wide part's time (after the local checks filled the shared cache: a low estimate),
        # so that the first wide run after a full one is already paced (`queue_wide_refresh`).
        state.wide_seconds = wide_seconds
        state.save(
            update_fields=[
                "applied_upto",
                "evaluated_on",
                "refreshed_at",
                "full_started_at",
                "full_seconds",
                "wide_seconds",
            ]
        )
        _snapshot(workspace, today)
    if written_meanwhile:
        # A wide refresh queued by those writes may have stored before this run: run it again after.
        queue_wide_refresh(workspace)
    return result


def refresh_wide(workspace: Workspace, *, today: datetime.date | None = None) -> SyncResult | None:
    """Recompute the workspace-wide checks only (None: a later wide run started meanwhile)."""
    today = today or workspace.today()
    checks = wide_checks()
    codes = _codes(checks)
    with transaction.atomic():
        state = _lock_state(workspace)
        started_at = timezone.now()
        # Cleared before computing: a write from now on queues the next run, never lost in this one.
        state.wide_queued_at, state.wide_started_at = None, started_at
        state.save(update_fields=["wide_queued_at", "wide_started_at"])
    clock = time.monotonic()
    findings = run_checks(CheckContext(workspace=workspace, today=today), checks)
    with transaction.atomic():
        state = _lock_state(workspace)
        if state.wide_started_at != started_at or (state.full_started_at or started_at) > started_at:
            return None  # a later wide or full run computes from newer data
        result = _sync(workspace, findings, [Q(code__in=codes)], lambda f: f.code in codes)
        state.wide_seconds = round(time.monotonic() - clock, 3)
        state.save(update_fields=["wide_seconds"])
        _snapshot(workspace, today)
    return result


@dataclass(frozen=True)
class ScopedFindings:
    """What the local checks say about a scope, ready to store (`_sync`'s arguments)."""

    findings: list[Finding]
    covered: list[Q]
    keep: Callable[[Finding], bool]


def scoped_findings(workspace: Workspace, scope: Scope, *, today: datetime.date) -> ScopedFindings:
    """Run the local checks for the subjects of `scope` (already widened); stores nothing."""
    checks = local_checks()
    codes = _codes(checks)
    # One query per subject type on the finding_subject_open index, rather than one OR over all.
    covered = [
        Q(subject_type=subject_type, subject_id__in=sorted(scope.ids(subject_type)), code__in=codes)
        for subject_type in SUBJECT_TYPES
        if scope.ids(subject_type)
    ]
    findings = run_checks(CheckContext(workspace=workspace, today=today, scope=scope), checks)
    return ScopedFindings(findings, covered, lambda f: f.code in codes and scope.covers(f.subject_type, f.subject_id))


def refresh_scope(workspace: Workspace, scope: Scope, *, today: datetime.date | None = None) -> SyncResult:
    """Recompute the local checks for the subjects of `scope` (already widened) and store them."""
    today = today or workspace.today()
    if scope.empty:
        return SyncResult(0, 0, 0, 0)
    found = scoped_findings(workspace, scope, today=today)
    return _sync(workspace, found.findings, found.covered, found.keep)


# A full run longer than this (the last one's time) is not run inside a page: it is queued.
INLINE_FULL_SECONDS = 2.0
# A queued or computing run older than this is taken for dead (a worker that crashed).
STALE_AFTER = datetime.timedelta(minutes=30)


def _alive(moment: datetime.datetime | None, now: datetime.datetime) -> bool:
    return moment is not None and now - moment < STALE_AFTER


def ensure_fresh(workspace: Workspace, *, today: datetime.date | None = None) -> datetime.datetime | None:
    """Apply what writes left behind before a read: one small query when nothing did.

    A full run that is slow (a large workspace: a new day, or a write to the whole workspace)
    is queued in the background instead of holding the page; the writes on subjects are
    still applied now. Returns when that background run was asked for (None: all is fresh)."""
    today = today or workspace.today()
    waiting_markers = PendingRefresh.objects.filter(workspace_id=workspace.pk).filter(
        Q(pk__gt=OuterRef("applied_upto")) | Q(subject_type=WORKSPACE)
    )
    # One query: the state of the last full run, and whether any write is waiting.
    state = (
        FindingsState.objects.filter(workspace=workspace)
        .annotate(pending=Exists(waiting_markers))
        .values(
            "evaluated_on", "pending", "applied_upto", "full_seconds", "full_queued_at", "full_started_at", "full_upto"
        )
        .first()
    )
    if state is None or (state["evaluated_on"] != today and (state["full_seconds"] or 0) <= INLINE_FULL_SECONDS):
        # Never computed, or the daily job has not run yet today (overdue checkpoints,
        # expiring documents and trials move with the date).
        refresh_full(workspace, today=today)
        return None
    if not state["pending"] and state["evaluated_on"] == today:
        return None
    markers = list(
        PendingRefresh.objects.filter(workspace_id=workspace.pk)
        .filter(Q(pk__gt=state["applied_upto"]) | Q(subject_type=WORKSPACE))
        .order_by("pk")
        .values_list("pk", "subject_type", "subject_id")[:5000]
    )
    now = timezone.now()
    computing = _alive(state["full_started_at"], now)
    whole = state["evaluated_on"] != today or any(
        subject_type == WORKSPACE and not (computing and pk <= state["full_upto"]) for pk, subject_type, _ in markers
    )
    if whole and (state["full_seconds"] or 0) <= INLINE_FULL_SECONDS:
        refresh_full(workspace, today=today)
        return None
    background: datetime.datetime | None = None
    if whole and not (state["evaluated_on"] != today and computing):
        background = queue_full_refresh(workspace)
    elif whole or computing:
        background = state["full_started_at"] or state["full_queued_at"]
    touched: dict[str, set[int]] = defaultdict(set)
    referenced: dict[str, set[int]] = defaultdict(set)
    applied = [m for m in markers if m[1] != WORKSPACE and m[0] > state["applied_upto"]]
    for _pk, subject_type, subject_id in applied:
        if subject_type == WIDE or subject_id is None:
            continue  # the wide refresh queued below answers it
        if subject_type.endswith(REFERENCE):
            referenced[subject_type.removesuffix(REFERENCE)].add(subject_id)
        else:
            touched[subject_type].add(subject_id)
    if not applied:
        return background
    last = applied[-1][0]
    # Computed outside the transaction: SQLite's write lock is held only while storing.
    scope = domain().scope_for(workspace, touched, referenced)
    found = None if scope.empty else scoped_findings(workspace, scope, today=today)
    with transaction.atomic():
        locked = _lock_state(workspace)
        if locked.applied_upto >= last or not PendingRefresh.objects.filter(pk=last).exists():
            # Another page (or a full run) answered these markers while this one computed, from
            # data at least as new: storing this older view would undo it.
            return background
        if found is not None:
            _sync(workspace, found.findings, found.covered, found.keep)
        if _alive(locked.full_started_at, now):
            # A full run is computing from data that may predate these writes: keep their markers
            # (it applies them again once stored), marked as applied so no page redoes them.
            locked.applied_upto = max(locked.applied_upto, last)
            locked.save(update_fields=["applied_upto"])
        else:
            PendingRefresh.objects.filter(workspace_id=workspace.pk, pk__lte=last).exclude(
                subject_type=WORKSPACE
            ).delete()
    queue_wide_refresh(workspace, wide_seconds=locked.wide_seconds)
    return background


def queue_full_refresh(workspace: Workspace) -> datetime.datetime:
    """Queue a full run in the background (at most one queued per workspace); when it was asked for."""
    now = timezone.now()
    stale = now - STALE_AFTER
    claimed = (
        FindingsState.objects.filter(workspace=workspace)
        .filter(Q(full_queued_at__isnull=True) | Q(full_queued_at__lt=stale))
        .update(full_queued_at=now)
    )
    if claimed:
        refresh_full_task.enqueue(workspace.pk)
        return now
    queued = FindingsState.objects.filter(workspace=workspace).values_list("full_queued_at", flat=True).first()
    return queued or now


# A wide run that takes S seconds (a large workspace: tens of seconds at 100,000) waits
# WIDE_DELAY_FACTOR × S after the write that queued it, at most WIDE_MAX_DELAY: the writes of
# those minutes are answered by one run, and the worker spends a small share of its time on it.
WIDE_DELAY_FACTOR = 5
WIDE_MAX_DELAY = datetime.timedelta(minutes=10)


def queue_wide_refresh(workspace: Workspace, *, wide_seconds: float | None = None) -> None:
    """Queue the workspace-wide checks (at most one queued run per workspace); a slow one waits.

    `wide_seconds`: how long the last one took, when the caller has the state row already."""
    now = timezone.now()
    claimed = FindingsState.objects.filter(workspace=workspace, wide_queued_at__isnull=True).update(wide_queued_at=now)
    if not claimed:
        return
    task = refresh_wide_task
    seconds = wide_seconds
    if seconds is None:
        seconds = FindingsState.objects.filter(workspace=workspace).values_list("wide_seconds", flat=True).first()
    if seconds is not None and seconds > INLINE_FULL_SECONDS and task.get_backend().supports_defer:
        delay = min(WIDE_MAX_DELAY, datetime.timedelta(seconds=WIDE_DELAY_FACTOR * seconds))
        task = task.using(run_after=now + delay)
    task.enqueue(workspace.pk)


def _snapshot(workspace: Workspace, today: datetime.date) -> None:
    take_snapshot(workspace, today)


# -- background refreshes (Django's tasks framework) ----------------------------------------


@task()
def refresh_wide_task(workspace_id: int) -> None:
    """The workspace-wide checks after writes (queued at most once per workspace)."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is not None:
        refresh_wide(workspace)


@task()
def refresh_full_task(workspace_id: int) -> None:
    """Every check on the whole workspace (the daily schedule)."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is not None:
        refresh_full(workspace)

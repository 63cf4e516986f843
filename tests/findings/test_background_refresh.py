"""A large workspace's full refresh runs in the background, and no write is lost meanwhile.

At 100,000 rows a full run takes a minute: a page that ran it inline (a new day, or a write to
the whole workspace such as its thresholds) was killed by the server's timeout and the next
page tried again. Now a workspace whose last full run took longer than `INLINE_FULL_SECONDS`
queues it; writes on subjects are still applied at once; full and wide runs compute outside
any lock and store in a short transaction, and writes made while they compute are applied
again after them.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine

from sourcewise.findings import refresh
from sourcewise.findings.models import FindingRecord, FindingsState, PendingRefresh
from sourcewise.findings.refresh import ensure_fresh, refresh_full, refresh_wide
from sourcewise.findings.store import stored_health
from tests.conftest import client_for
from tests.findings.test_stored_equivalence import START, World, assert_equivalent, computed, stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    with time_machine.travel(START, tick=False) as traveller:
        w = World()
        assert_equivalent(w.ws, "set-up")
        w.traveller = traveller
        yield w


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """The full runs queued (not run: the worker would run them later)."""
    calls: list[int] = []

    class NotRunYet:
        @staticmethod
        def enqueue(workspace_id: int) -> None:
            calls.append(workspace_id)

    monkeypatch.setattr(refresh, "refresh_full_task", NotRunYet)
    return calls


def make_large(workspace) -> None:
    """As if the last full run had taken a minute."""
    FindingsState.objects.filter(workspace=workspace).update(full_seconds=60.0)


def state(workspace) -> FindingsState:
    return FindingsState.objects.get(workspace=workspace)


def workspace_markers(workspace) -> int:
    return PendingRefresh.objects.filter(workspace_id=workspace.pk, subject_type="workspace").count()


def test_a_full_run_records_how_long_it_took(world):
    refresh_full(world.ws)
    assert state(world.ws).full_seconds is not None
    assert state(world.ws).full_started_at is None
    # and its wide part: the first wide run after it is paced like the ones after it
    assert 0 <= state(world.ws).wide_seconds <= state(world.ws).full_seconds


def test_a_small_workspace_still_refreshes_a_workspace_write_inline(world, queued):
    world.thresholds(1)
    assert ensure_fresh(world.ws) is None
    assert queued == []
    assert workspace_markers(world.ws) == 0
    assert stored(world.ws) == computed(world.ws)


def test_a_large_workspace_queues_a_workspace_write_once_and_says_so(world, queued):
    make_large(world.ws)
    world.thresholds(0)  # the managers' limit: a workspace row
    asked = ensure_fresh(world.ws)
    assert asked is not None
    assert queued == [world.ws.pk]
    assert workspace_markers(world.ws) == 1  # answered by the queued run, not by the page
    assert ensure_fresh(world.ws) == asked  # already queued: not again
    assert queued == [world.ws.pk]
    # The worker runs it: everything is equal again, and nothing is waiting.
    refresh_full(world.ws)
    assert ensure_fresh(world.ws) is None
    assert stored(world.ws) == computed(world.ws)
    assert not PendingRefresh.objects.filter(workspace_id=world.ws.pk).exists()


def test_writes_on_subjects_show_at_once_while_a_full_run_is_queued(world, queued):
    make_large(world.ws)
    world.thresholds(3)  # the largest share allowed: read by the workspace-wide checks only
    ensure_fresh(world.ws)
    world.new_engagement(1)  # a subject write: applied by the page itself
    engagement = world.engagements[-1]
    ensure_fresh(world.ws)

    def of_engagement(findings: dict) -> dict:
        return {k: v for k, v in findings.items() if v[2] == "engagement" and v[3] == engagement.pk}

    assert of_engagement(stored(world.ws)) == of_engagement(computed(world.ws)) != {}
    assert workspace_markers(world.ws) == 1


def test_a_new_day_is_queued_for_a_large_workspace_and_the_page_says_so(world, queued):
    make_large(world.ws)
    world.traveller.shift(datetime.timedelta(days=1))
    health = stored_health(world.ws)
    assert health.updating_since is not None
    assert queued == [world.ws.pk]
    assert state(world.ws).evaluated_on == START.date()  # yesterday's findings until the run
    owner = world.owner
    response = client_for(owner).get("/dashboard/")
    assert response.status_code == 200
    assert b'data-testid="findings-updating"' in response.content
    refresh_full(world.ws)
    response = client_for(owner).get("/dashboard/")
    assert b'data-testid="findings-updating"' not in response.content
    assert stored_health(world.ws).updating_since is None


def test_a_queued_run_that_never_started_is_queued_again_after_half_an_hour(world, queued):
    make_large(world.ws)
    world.thresholds(3)
    ensure_fresh(world.ws)
    world.traveller.shift(datetime.timedelta(minutes=20))
    ensure_fresh(world.ws)
    assert len(queued) == 1
    world.traveller.shift(datetime.timedelta(minutes=11))
    ensure_fresh(world.ws)
    assert len(queued) == 2


def _during_compute(monkeypatch, *, wide: bool, action) -> None:
    """Run `action` once, right after the full (or wide) run has computed and before it stores."""
    original = refresh.run_checks
    done = []

    def run_checks(ctx, checks):
        checks = list(checks)
        findings = original(ctx, checks)
        # A full run computes the local checks on everyone, then the wide ones (its wide part is
        # told apart from a wide run's by the test: only one of the two runs in each).
        is_full = ctx.scope is None and all(not c.wide for c in checks)
        is_wide = ctx.scope is None and all(c.wide for c in checks)
        if not done and (is_wide if wide else is_full):
            done.append(True)
            action()
        return findings

    monkeypatch.setattr(refresh, "run_checks", run_checks)


WRITES = ["new_task", "engagement_state", "freelancer_status", "task_flags", "cost", "workspace_cost", "thresholds"]


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("n", [1, 2])
def test_a_write_while_a_full_run_computes_is_not_lost(world, monkeypatch, write, n):
    def meanwhile():
        getattr(world, write)(n)
        ensure_fresh(world.ws)  # a page applies it while the run still computes

    _during_compute(monkeypatch, wide=False, action=meanwhile)
    refresh_full(world.ws)
    assert_equivalent(world.ws, f"{write} during a full run")


@pytest.mark.parametrize("write", ["new_engagement", "cost", "workspace_cost", "engagement_state"])
def test_a_write_while_a_wide_run_computes_is_not_lost(world, monkeypatch, write):
    def meanwhile():
        getattr(world, write)(3)

    _during_compute(monkeypatch, wide=True, action=meanwhile)
    refresh_wide(world.ws)
    assert_equivalent(world.ws, f"{write} during a wide run")


def test_an_older_full_run_does_not_overwrite_a_newer_one(world, monkeypatch):
    results = []

    def newer_run():
        world.engagement_state(5)
        results.append(refresh_full(world.ws))

    _during_compute(monkeypatch, wide=False, action=newer_run)
    older = refresh_full(world.ws)
    assert older is None  # it started first: its result is older than the one stored
    assert results and results[0] is not None
    assert_equivalent(world.ws, "two full runs")


def test_a_full_run_does_not_hold_the_lock_while_computing(world, monkeypatch):
    """While it computes, the state row is free: a page can apply a write (no wait, no lock error)."""
    seen = []

    def meanwhile():
        seen.append(state(world.ws).full_started_at)
        world.new_task(7)
        ensure_fresh(world.ws)
        seen.append(PendingRefresh.objects.filter(workspace_id=world.ws.pk).exists())

    _during_compute(monkeypatch, wide=False, action=meanwhile)
    refresh_full(world.ws)
    assert seen[0] is not None  # the run said it was computing
    assert seen[1] is True  # the page kept the write's markers for after the run
    assert_equivalent(world.ws, "after the run")
    assert FindingRecord.objects.filter(workspace=world.ws).exists()


def test_a_page_that_computed_from_older_data_stores_nothing(world, monkeypatch):
    """Two pages apply writes at once: the one that read fewer markers (older data) must not
    overwrite what the other, later one stored."""
    engagement = world.engagements[0]
    original = refresh.run_checks
    done = []

    def run_checks(ctx, checks):
        findings = original(ctx, list(checks))
        if ctx.scope is not None and not done:
            done.append(True)
            # While this page computed: the engagement changes again and another page applies it.
            engagement.state = "completed" if engagement.state == "active" else "active"
            engagement.save()
            ensure_fresh(world.ws)
        return findings

    engagement.state = "draft"
    engagement.save()
    monkeypatch.setattr(refresh, "run_checks", run_checks)
    ensure_fresh(world.ws)
    assert done
    monkeypatch.setattr(refresh, "run_checks", original)
    assert stored(world.ws) == computed(world.ws)
    assert not PendingRefresh.objects.filter(workspace_id=world.ws.pk).exclude(subject_type="wide").exists()


def test_a_slow_wide_run_waits_so_that_one_run_answers_the_writes_of_a_few_minutes(world, monkeypatch):
    seen = {}

    class DeferringQueue:
        supports_defer = True

    class WideTask:
        def get_backend(self):
            return DeferringQueue()

        def using(self, *, run_after):
            seen["run_after"] = run_after
            return self

        def enqueue(self, workspace_id):
            seen["enqueued"] = workspace_id

    monkeypatch.setattr(refresh, "refresh_wide_task", WideTask())
    FindingsState.objects.filter(workspace=world.ws).update(wide_seconds=30.0, wide_queued_at=None)
    refresh.queue_wide_refresh(world.ws)
    assert seen["enqueued"] == world.ws.pk
    assert seen["run_after"] - state(world.ws).wide_queued_at == datetime.timedelta(seconds=150)
    seen.clear()
    refresh.queue_wide_refresh(world.ws)  # already queued: not again
    assert seen == {}
    # A quick one (a small workspace) runs as soon as the worker can.
    FindingsState.objects.filter(workspace=world.ws).update(wide_seconds=0.5, wide_queued_at=None)
    refresh.queue_wide_refresh(world.ws)
    assert seen == {"enqueued": world.ws.pk}


def test_a_wide_run_records_how_long_it_took(world):
    refresh_wide(world.ws)
    assert state(world.ws).wide_seconds is not None

"""The demo workspaces come with a past, so their trend chart is not a single dot."""

from __future__ import annotations

import datetime

import pytest

from sourcewise.findings.demo_history import DEMO_UNUSED_DAYS, backfill_demo_history
from sourcewise.findings.history import health_history
from sourcewise.findings.models import HealthSnapshot
from sourcewise.findings.store import stored_health

TODAY = datetime.date(2026, 11, 20)


SHARED_DEMO = {"domain": "demo.test", "today": TODAY}


@pytest.fixture
def demo(shared_demo):
    """The demo, built once for this module (see tests/conftest.py)."""
    return shared_demo


def test_the_demo_has_ninety_days_ending_with_todays_real_score(demo):
    for ctx in (demo, demo.classic):
        history = health_history(ctx.workspace, 90, today=TODAY)
        gaps = [(TODAY - h.day).days for h in history if h.gap]
        assert gaps == sorted(DEMO_UNUSED_DAYS, reverse=True)  # a long weekend nobody opened it
        real = stored_health(ctx.workspace, today=TODAY)
        assert history[-1].score == real.score and history[-1].snapshot.critical == real.counts["critical"]


def test_the_main_demo_improves_towards_today(demo):
    scores = [h.score for h in health_history(demo.workspace, 90, today=TODAY) if not h.gap]
    assert scores[0] < scores[-1]
    assert scores == sorted(scores)  # problems were fixed along the way, none came back
    assert len(set(scores)) > 3


def test_backfill_is_repeatable(demo):
    # (Accepting the demo's risk also snapshots the real today, outside this window.)
    window = HealthSnapshot.objects.filter(workspace=demo.workspace, day__lte=TODAY)
    before = window.count()
    backfill_demo_history(demo.workspace, TODAY)
    assert window.count() == before == 90 - len(DEMO_UNUSED_DAYS)

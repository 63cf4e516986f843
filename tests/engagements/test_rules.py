"""Findings of engagements at their exact thresholds."""

from __future__ import annotations

import datetime

from sourcewise.core.access import FREELANCER, MANAGER
from sourcewise.engagements.models import Engagement
from sourcewise.findings.engine import evaluate
from tests.engagements.factories import START, EngagementFactory, ReviewFactory
from tests.factories import FreelancerFactory, MembershipFactory


def _codes(workspace, code, today=START):
    return [f for f in evaluate(workspace, today=today).findings if f.code == code]


def test_no_manager_on_drafts_and_not_on_closed_engagements(workspace, manager):
    draft = EngagementFactory(workspace=workspace, manager=None)
    EngagementFactory(workspace=workspace, manager=None, state=Engagement.State.CANCELLED)
    EngagementFactory(workspace=workspace, manager=manager)
    found = _codes(workspace, "NO_MANAGER")
    assert [(f.subject_id, str(f.severity)) for f in found] == [(draft.pk, "critical")]


def test_manager_overloaded_above_the_limit(workspace, manager):
    for _ in range(8):
        EngagementFactory(workspace=workspace, manager=manager, state="active")
    EngagementFactory(workspace=workspace, manager=manager)  # drafts do not count
    assert _codes(workspace, "MANAGER_OVERLOADED") == []
    EngagementFactory(workspace=workspace, manager=manager, state="active")  # the 9th
    found = _codes(workspace, "MANAGER_OVERLOADED")
    assert [(f.subject_type, f.subject_id, str(f.severity)) for f in found] == [("membership", manager.pk, "warning")]
    assert "manages 9 active engagements (the limit is 8)" in found[0].message


def test_manager_limit_is_the_workspace_setting(workspace, manager):
    workspace.manager_max_active_engagements = 1
    workspace.save()
    EngagementFactory(workspace=workspace, manager=manager, state="active")
    assert _codes(workspace, "MANAGER_OVERLOADED") == []
    EngagementFactory(workspace=workspace, manager=manager, state="active")
    assert len(_codes(workspace, "MANAGER_OVERLOADED")) == 1


def test_no_trial_for_a_full_engagement_without_a_good_trial(workspace, manager):
    rated_two, rated_three = FreelancerFactory(workspace=workspace), FreelancerFactory(workspace=workspace)
    EngagementFactory(workspace=workspace, freelancer=rated_two, state="completed", trial_rating=2)
    EngagementFactory(workspace=workspace, freelancer=rated_three, state="completed", trial_rating=3)
    weak = EngagementFactory(workspace=workspace, freelancer=rated_two, kind="full", state="active")
    EngagementFactory(workspace=workspace, freelancer=rated_three, kind="full", state="active")
    EngagementFactory(workspace=workspace, kind="full", state="terminated", termination_reason="x")  # closed
    assert [f.subject_id for f in _codes(workspace, "NO_TRIAL")] == [weak.pk]


def test_checkpoint_overdue_after_the_cadence_from_start_or_last_review(workspace, manager):
    e = EngagementFactory(
        workspace=workspace, manager=manager, kind="full", state="active", start_date=START,
        task__checkpoint_every_days=14,
    )  # fmt: skip
    # 14 days after the start is still on time; the 15th day is overdue.
    assert _codes(workspace, "CHECKPOINT_OVERDUE", START + datetime.timedelta(days=14)) == []
    found = _codes(workspace, "CHECKPOINT_OVERDUE", START + datetime.timedelta(days=15))
    assert [(f.subject_id, str(f.severity)) for f in found] == [(e.pk, "warning")]
    ReviewFactory(engagement=e, date=START + datetime.timedelta(days=10))
    assert _codes(workspace, "CHECKPOINT_OVERDUE", START + datetime.timedelta(days=24)) == []
    assert len(_codes(workspace, "CHECKPOINT_OVERDUE", START + datetime.timedelta(days=25))) == 1


def test_checkpoint_cadence_is_the_workspace_setting_and_only_active_count(workspace, manager):
    workspace.checkpoint_max_days = 7
    workspace.save()
    # A task without a cadence of its own: the workspace setting.
    EngagementFactory(
        workspace=workspace, manager=manager, state="active", start_date=START, task__checkpoint_every_days=None
    )
    EngagementFactory(workspace=workspace, manager=manager, start_date=START)  # a draft
    assert _codes(workspace, "CHECKPOINT_OVERDUE", START + datetime.timedelta(days=7)) == []
    assert len(_codes(workspace, "CHECKPOINT_OVERDUE", START + datetime.timedelta(days=8))) == 1


def test_checkpoint_cadence_is_the_tasks_own(workspace, manager):
    """Reviews every 3 days on the task: last review 4 March → 7 March is on time, 8 March overdue."""
    workspace.checkpoint_max_days = 14
    workspace.save()
    e = EngagementFactory(
        workspace=workspace, manager=manager, state="active", start_date=START, task__checkpoint_every_days=3
    )
    ReviewFactory(engagement=e, date=START + datetime.timedelta(days=2))
    assert _codes(workspace, "CHECKPOINT_OVERDUE", START + datetime.timedelta(days=5)) == []
    found = _codes(workspace, "CHECKPOINT_OVERDUE", START + datetime.timedelta(days=6))
    assert [f.subject_id for f in found] == [e.pk] and "due on 07 Mar 2026" in found[0].message


def test_findings_stay_in_their_workspace(workspace):
    EngagementFactory(manager=None)  # another workspace
    MembershipFactory(workspace=workspace, role=FREELANCER)
    MembershipFactory(workspace=workspace, role=MANAGER)
    assert _codes(workspace, "NO_MANAGER") == []

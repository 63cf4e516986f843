"""Findings of engagements at their exact thresholds."""

from __future__ import annotations

import datetime
import itertools

import pytest

from sourcewise.core.access import FREELANCER, MANAGER
from sourcewise.engagements.models import Engagement
from sourcewise.findings.engine import evaluate
from tests.engagements.factories import START, EngagementFactory, ReviewFactory
from tests.talent.factories import FreelancerFactory
from tests.workspaces.factories import MembershipFactory


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


# ── NO_BACKUP (G8) ────────────────────────────────────────────────────────────


_SEQ = itertools.count()


def _backup_case(workspace, manager, *, needs=None):
    from tests.talent.factories import FreelancerSkillFactory, SkillFactory
    from tests.tasks.factories import TaskSkillFactory

    skills = {name: SkillFactory(workspace=workspace, name=f"{name} {next(_SEQ)}") for name in (needs or {"Video": 3})}
    e = EngagementFactory(workspace=workspace, manager=manager, state="active")
    for name, level in (needs or {"Video": 3}).items():
        TaskSkillFactory(task=e.task, skill=skills[name], level=level)
        FreelancerSkillFactory(freelancer=e.freelancer, skill=skills[name], level=5)

    def other(status="approved", **levels):
        f = FreelancerFactory(workspace=workspace, status=status)
        for name, level in levels.items():
            FreelancerSkillFactory(freelancer=f, skill=skills[name], level=level)
        return f

    return e, other


@pytest.mark.parametrize(
    "status, level, flagged",
    [
        ("approved", 3, False),  # bench level 3 counts
        ("active", 4, False),
        ("approved", 2, True),  # below the bench level
        ("vetting", 5, True),  # not approved
        ("inactive", 5, True),
        ("rejected", 5, True),
    ],
)
def test_no_backup_at_the_bench_edges(workspace, manager, status, level, flagged):
    e, other = _backup_case(workspace, manager)
    assert [f.subject_id for f in _codes(workspace, "NO_BACKUP")] == [e.pk]  # only the engaged one has it
    other(status=status, Video=level)
    found = _codes(workspace, "NO_BACKUP")
    assert [(f.subject_id, str(f.severity)) for f in found] == ([(e.pk, "warning")] if flagged else [])


def test_no_backup_follows_the_workspace_bench_level(workspace, manager):
    workspace.bench_min_level = 4
    workspace.save()
    e, other = _backup_case(workspace, manager)
    other(Video=3)
    assert [f.subject_id for f in _codes(workspace, "NO_BACKUP")] == [e.pk]
    other(Video=4)
    assert _codes(workspace, "NO_BACKUP") == []


def test_no_backup_names_each_skill_without_one_and_ignores_other_states(workspace, manager):
    _, other = _backup_case(workspace, manager, needs={"Copy": 2, "SEO": 3})
    other(Copy=3)
    found = _codes(workspace, "NO_BACKUP")
    assert len(found) == 1 and "nobody else approved has SEO" in found[0].message and "Copy" not in found[0].message
    other(SEO=3)  # a backup per skill is enough: not one person with all of them
    assert _codes(workspace, "NO_BACKUP") == []
    lonely = EngagementFactory(workspace=workspace, manager=manager)  # a draft: not judged
    EngagementFactory(workspace=workspace, manager=manager, state="active")  # no skill needed: not judged
    assert lonely.state == "draft" and _codes(workspace, "NO_BACKUP") == []


def test_no_backup_judges_each_engagement_against_its_own_freelancer(workspace, manager):
    from sourcewise.engagements.rules import engagements_without_backup_check
    from sourcewise.findings.registry import CheckContext
    from tests.tasks.factories import TaskSkillFactory

    e, _ = _backup_case(workspace, manager)  # its freelancer alone on the Video bench
    video = e.task.skill_needs.get().skill
    # Another active engagement needing Video: its freelancer lacks it, but e's is a backup.
    covered = EngagementFactory(workspace=workspace, manager=manager, state="active")
    TaskSkillFactory(task=covered.task, skill=video, level=3)
    found = _codes(workspace, "NO_BACKUP")
    message = f"If {e.freelancer.name} stops, nobody else approved has {video.name} at level 3 or more for {e.task}."
    assert [(f.subject_id, f.subject_label, f.message) for f in found] == [(e.pk, str(e), message)]
    e.freelancer.status = "left"  # now nobody at all: both engagements are alone, in id order
    e.freelancer.save()
    found = engagements_without_backup_check(CheckContext(workspace, START))
    assert [f.subject_id for f in found] == [e.pk, covered.pk]


def test_no_backup_takes_a_fixed_number_of_queries(workspace, manager, django_assert_max_num_queries):
    from sourcewise.engagements.rules import engagements_without_backup_check
    from sourcewise.findings.registry import CheckContext

    for _ in range(2):
        _backup_case(workspace, manager)
    with django_assert_max_num_queries(4):
        assert len(list(engagements_without_backup_check(CheckContext(workspace, START)))) == 2
    for _ in range(8):
        _backup_case(workspace, manager)
    with django_assert_max_num_queries(4):
        assert len(list(engagements_without_backup_check(CheckContext(workspace, START)))) == 10

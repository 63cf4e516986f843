"""NO_SOP and SOP_NOT_ACKNOWLEDGED (G6), at their edges and in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sourcewise.engagements.rules import active_engagements_with_unacknowledged_sops
from sourcewise.findings.engine import evaluate
from sourcewise.findings.registry import CheckContext
from sourcewise.guidance.rules import outsourced_tasks_without_sop
from sourcewise.guidance.services import acknowledge_sop, add_sop_version, create_sop
from tests.engagements.factories import START, EngagementFactory
from tests.talent.factories import FreelancerFactory, SkillFactory
from tests.tasks.factories import TaskFactory, TaskSkillFactory

pytestmark = pytest.mark.django_db


def _found(workspace, code):
    return [f for f in evaluate(workspace, today=START).findings if f.code == code]


def test_no_sop_for_an_outsourced_task_without_any_sop(workspace, owner):
    bare = TaskFactory(workspace=workspace, name="Bare", sourcing="outsource")
    TaskFactory(workspace=workspace, name="In-house", sourcing="in_house")  # not outsourced: not judged
    TaskFactory(workspace=workspace, name="Archived", sourcing="outsource", archived_at=timezone.now())
    on_task = TaskFactory(workspace=workspace, name="On task", sourcing="outsource")
    create_sop(workspace=workspace, actor=owner.user, title="A", body="x", tasks=[on_task])
    on_skill = TaskFactory(workspace=workspace, name="On skill", sourcing="outsource")
    skill = SkillFactory(workspace=workspace)
    TaskSkillFactory(task=on_skill, skill=skill, level=2)
    create_sop(workspace=workspace, actor=owner.user, title="B", body="y", skills=[skill])
    other = TaskFactory(sourcing="outsource")  # another workspace
    found = _found(workspace, "NO_SOP")
    assert [(f.subject_type, f.subject_id, str(f.severity)) for f in found] == [("task", bare.pk, "warning")]
    assert "Bare is outsourced but no SOP" in found[0].message and other.pk != bare.pk


def test_sop_not_acknowledged_is_critical_on_active_engagements_only(workspace, manager, owner):
    active = EngagementFactory(workspace=workspace, manager=manager, state="active")
    EngagementFactory(workspace=workspace, manager=manager, task=active.task)  # a draft: not judged here
    EngagementFactory(workspace=workspace, manager=manager, task=active.task, state="completed", trial_rating=4)
    assert _found(workspace, "SOP_NOT_ACKNOWLEDGED") == []  # no SOP applies: nothing to acknowledge
    sop = create_sop(workspace=workspace, actor=owner.user, title="Inbox rules", body="x", tasks=[active.task])
    found = _found(workspace, "SOP_NOT_ACKNOWLEDGED")
    assert [(f.subject_type, f.subject_id, str(f.severity)) for f in found] == [("engagement", active.pk, "critical")]
    assert "“Inbox rules” (version 1)" in found[0].message
    acknowledge_sop(sop=sop, freelancer=active.freelancer, actor=None)
    assert _found(workspace, "SOP_NOT_ACKNOWLEDGED") == []
    add_sop_version(sop=sop, actor=owner.user, body="x2", change_note="New step.")  # a new version: again
    assert "“Inbox rules” (version 2)" in _found(workspace, "SOP_NOT_ACKNOWLEDGED")[0].message


def test_sops_on_a_needed_skill_count_and_other_freelancers_acknowledgements_do_not(workspace, manager, owner):
    e = EngagementFactory(workspace=workspace, manager=manager, state="active")
    needed, unneeded = SkillFactory(workspace=workspace), SkillFactory(workspace=workspace)
    TaskSkillFactory(task=e.task, skill=needed, level=3)
    tone = create_sop(workspace=workspace, actor=owner.user, title="Tone", body="x", skills=[needed])
    create_sop(workspace=workspace, actor=owner.user, title="Unrelated", body="y", skills=[unneeded])
    acknowledge_sop(sop=tone, freelancer=FreelancerFactory(workspace=workspace), actor=None)
    found = _found(workspace, "SOP_NOT_ACKNOWLEDGED")
    assert len(found) == 1 and "“Tone”" in found[0].message and "Unrelated" not in found[0].message


def test_both_checks_take_a_fixed_number_of_queries(workspace, manager, owner, django_assert_max_num_queries):
    def add_engagement(i):
        e = EngagementFactory(workspace=workspace, manager=manager, state="active", task__sourcing="outsource")
        skill = SkillFactory(workspace=workspace)
        TaskSkillFactory(task=e.task, skill=skill, level=3)
        create_sop(workspace=workspace, actor=owner.user, title=f"On task {i}", body="x", tasks=[e.task])
        create_sop(workspace=workspace, actor=owner.user, title=f"On skill {i}", body="y", skills=[skill])
        TaskFactory(workspace=workspace, sourcing="outsource")  # NO_SOP

    add_engagement(0)
    ctx = CheckContext(workspace, START)
    with django_assert_max_num_queries(5):
        assert len(list(active_engagements_with_unacknowledged_sops(ctx))) == 1
    with django_assert_max_num_queries(1):
        assert len(list(outsourced_tasks_without_sop(ctx))) == 1
    for i in range(1, 8):
        add_engagement(i)
    ctx = CheckContext(workspace, START)
    with django_assert_max_num_queries(5):
        found = list(active_engagements_with_unacknowledged_sops(ctx))
    assert len(found) == 8 and all("version 1" in f.message for f in found)
    assert all(f"“On task {i}”" in found[i].message and f"“On skill {i}”" in found[i].message for i in range(8))
    assert all(f.message.count("“") == 2 for f in found)  # each engagement its own two SOPs only
    with django_assert_max_num_queries(1):
        assert len(list(outsourced_tasks_without_sop(ctx))) == 8

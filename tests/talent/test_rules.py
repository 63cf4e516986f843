"""Talent findings at their exact thresholds."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from sourcewise.findings.engine import evaluate
from sourcewise.talent.models import FreelancerSkill
from tests.engagements.factories import EngagementFactory
from tests.talent.factories import SkillFactory
from tests.talent.helpers import freelancer, vet
from tests.tasks.factories import TaskFactory, TaskSkillFactory

TODAY = datetime.date(2026, 6, 1)  # London on BST, no transitions in the window


def codes(workspace, code):
    return [(f.subject_type, f.subject_label) for f in evaluate(workspace, today=TODAY).findings if f.code == code]


@pytest.mark.parametrize("start, flagged", [("15:00", False), ("15:01", True)])
def test_low_tz_overlap_at_exactly_two_hours(workspace, start, flagged):
    # Business 09:00–17:00 London; freelancer from 15:00 gives exactly 2.0 h, from 15:01 just under.
    f = vet(freelancer(workspace, status="approved", hours=(start, "23:00"), name="Pat"))
    assert codes(workspace, "LOW_TZ_OVERLAP") == ([("freelancer", f.name)] if flagged else [])


def test_low_tz_overlap_only_for_people_you_may_engage(workspace):
    freelancer(workspace, status="prospect", zone="Australia/Sydney")
    assert codes(workspace, "LOW_TZ_OVERLAP") == []


@pytest.mark.parametrize("level, flagged", [("B2", False), ("B1", True), ("C2", False)])
def test_no_shared_language_at_b2(workspace, level, flagged):
    f = vet(freelancer(workspace, status="active", languages={"en": level, "de": "C2"}, name="Kim"))
    assert codes(workspace, "NO_SHARED_LANGUAGE") == ([("freelancer", f.name)] if flagged else [])


@pytest.mark.parametrize("refs, flagged", [((4, 3), False), ((4, 3, 3), True), ((2,), True), ((), False)])
def test_weak_references_below_3_5(workspace, refs, flagged):
    f = vet(freelancer(workspace, status="vetting", name="Lee"), refs=refs)
    assert codes(workspace, "WEAK_REFERENCES") == ([("freelancer", f.name)] if flagged else [])


@pytest.mark.parametrize("level, flagged", [(3, False), (2, True)])
def test_skill_gap_when_no_approved_freelancer_has_the_level(workspace, level, flagged):
    skill = SkillFactory(workspace=workspace, name="Bookkeeping")
    task = TaskFactory(workspace=workspace, name="Books", sourcing="outsource")
    TaskSkillFactory(task=task, skill=skill, level=3)
    vet(freelancer(workspace, status="approved", skills={skill: level}, name="Ama"))
    found = [f for f in evaluate(workspace, today=TODAY).findings if f.code == "SKILL_GAP"]
    assert [(f.subject_type, f.subject_id) for f in found] == ([("task", task.pk)] if flagged else [])
    if flagged:
        assert "closest is Ama (Bookkeeping 2/3)" in found[0].message


def test_skill_gap_not_on_a_task_kept_in_house_nor_archived(workspace):
    skill = SkillFactory(workspace=workspace, name="Bookkeeping")
    kept = TaskFactory(workspace=workspace, name="Books", sourcing="in_house")
    archived = TaskFactory(workspace=workspace, name="Old", sourcing="outsource", archived_at=timezone.now())
    for task in (kept, archived):
        TaskSkillFactory(task=task, skill=skill, level=3)
    assert codes(workspace, "SKILL_GAP") == []


def test_skill_gap_on_a_task_kept_in_house_that_has_a_draft_engagement(workspace):
    skill = SkillFactory(workspace=workspace, name="Bookkeeping")
    task = TaskFactory(workspace=workspace, name="Books", sourcing="in_house")
    TaskSkillFactory(task=task, skill=skill, level=3)
    e = EngagementFactory(workspace=workspace, task=task)
    assert codes(workspace, "SKILL_GAP") == [("task", "Books")]
    e.state = "cancelled"
    e.save()
    assert codes(workspace, "SKILL_GAP") == []


def _skill_gap_task(workspace):
    copy = SkillFactory(workspace=workspace, name="Copy")
    seo = SkillFactory(workspace=workspace, name="SEO")
    task = TaskFactory(workspace=workspace, name="Launch", sourcing="outsource")
    TaskSkillFactory(task=task, skill=seo, level=4)
    TaskSkillFactory(task=task, skill=copy, level=4)
    return copy, seo


def test_skill_gap_names_the_first_by_name_of_the_equally_close(workspace):
    copy, seo = _skill_gap_task(workspace)
    # Each meets one need, nobody both. Zoe (added first) and Abe are equally close once every
    # level is capped at the need (5 counts as 4): the first by name is named. Uncapped, Zoe
    # would be closer; Cy meets both but is not vetted; Bo has neither skill.
    zoe = freelancer(workspace, status="approved", skills={copy: 5, seo: 3}, name="Zoe")
    freelancer(workspace, status="active", skills={copy: 3, seo: 4}, name="Abe")
    freelancer(workspace, status="approved", skills={copy: 4}, name="Aaron")
    freelancer(workspace, status="approved", name="Bo")
    freelancer(workspace, status="vetting", skills={copy: 5, seo: 5}, name="Cy")
    found = [f for f in evaluate(workspace, today=TODAY).findings if f.code == "SKILL_GAP"]
    assert [f.message for f in found] == [
        "No approved freelancer has what Launch needs (Copy ≥ 4, SEO ≥ 4). The closest is Abe (Copy 3/4, SEO 4/4)."
    ]
    FreelancerSkill.objects.filter(freelancer=zoe, skill=seo).update(level=4)
    assert codes(workspace, "SKILL_GAP") == []


def test_skill_gap_without_anyone_close_and_in_a_fixed_number_of_queries(workspace, django_assert_num_queries):
    from sourcewise.engagements.rules import tasks_without_a_skilled_freelancer
    from sourcewise.findings.registry import CheckContext

    copy, _ = _skill_gap_task(workspace)
    freelancer(workspace, status="approved", name="Bo")
    freelancer(workspace, status="rejected", skills={copy: 5}, name="Ray")
    with django_assert_num_queries(3):  # tasks, their needs, the vetted freelancers' levels
        found = list(tasks_without_a_skilled_freelancer(CheckContext(workspace, TODAY)))
    assert [f.message for f in found] == ["No approved freelancer has what Launch needs (Copy ≥ 4, SEO ≥ 4)."]
    for i in range(3):
        freelancer(workspace, status="approved", skills={copy: 2}, name=f"Ann {i}")
        task = TaskFactory(workspace=workspace, name=f"Copy {i}", sourcing="outsource")
        TaskSkillFactory(task=task, skill=copy, level=3)
    with django_assert_num_queries(4):  # and the names of the closest
        found = list(tasks_without_a_skilled_freelancer(CheckContext(workspace, TODAY)))
    assert [f.message.split(". ")[1] for f in found] == ["The closest is Ann 0 (Copy 2/4, SEO 0/4)."] + [
        "The closest is Ann 0 (Copy 2/3)."
    ] * 3


def test_unvetted_freelancer_active_is_critical_approved_is_a_warning(workspace):
    active = freelancer(workspace, status="active", name="Active One")
    approved = vet(freelancer(workspace, status="approved", name="Approved One"), refs=(5,))
    vet(freelancer(workspace, status="approved", name="Fine"))
    found = {
        f.subject_label: f.severity
        for f in evaluate(workspace, today=TODAY).findings
        if f.code == "UNVETTED_FREELANCER"
    }
    assert found == {active.name: "critical", approved.name: "warning"}

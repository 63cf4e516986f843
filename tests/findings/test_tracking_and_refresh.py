"""Markers left by writes (`tracking`), the stored lifecycle (`refresh._sync`), scoped checks."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
import time_machine

from sourcewise.core.access import MANAGER
from sourcewise.costs import manual_entries
from sourcewise.engagements.findings_hooks import scope_for
from sourcewise.engagements.models import Engagement, TimeEntry
from sourcewise.findings import tracking
from sourcewise.findings.models import FindingRecord, PendingRefresh
from sourcewise.findings.refresh import (
    ensure_fresh,
    refresh_full,
    refresh_scope,
)
from sourcewise.findings.registry import CheckContext, Scope, registered_checks
from sourcewise.guidance import services as guidance_services
from sourcewise.guidance.models import PulseResponse, TrainingRecord
from sourcewise.talent.models import FreelancerLanguage, Reference
from sourcewise.tasks.models import TaskSkill
from tests.engagements.factories import EngagementFactory
from tests.findings.test_stored_equivalence import START, World, assert_equivalent
from tests.talent.factories import FreelancerFactory, SkillFactory
from tests.tasks.factories import TaskFactory, TaskSkillFactory
from tests.workspaces.factories import MembershipFactory


def markers(workspace) -> set[tuple[str, int | None]]:
    return set(PendingRefresh.objects.filter(workspace_id=workspace.pk).values_list("subject_type", "subject_id"))


def clear(workspace) -> None:
    PendingRefresh.objects.filter(workspace_id=workspace.pk).delete()


# -- tracking: every kind of row marks its subjects -----------------------------------------------


def test_an_engagement_marks_itself_its_freelancer_task_and_manager(workspace):
    e = EngagementFactory(workspace=workspace)
    assert markers(workspace) >= {
        ("engagement", e.pk),
        ("freelancer", e.freelancer_id),
        # The engagement changed, not its task or manager: only their own findings are re-read.
        ("task:ref", e.task_id),
        ("membership:ref", e.manager_id),
    }
    clear(workspace)
    e.save()
    assert ("task", e.task_id) not in markers(workspace)
    assert ("membership", e.manager_id) not in markers(workspace)


def test_a_new_manager_marks_the_old_one_too(workspace):
    e = EngagementFactory(workspace=workspace)
    old = e.manager_id
    other = MembershipFactory(workspace=workspace, role=MANAGER)
    clear(workspace)
    e.manager = other
    e.save()
    assert {("membership:ref", old), ("membership:ref", other.pk), ("engagement", e.pk)} <= markers(workspace)


def test_a_referenced_manager_is_refreshed_without_widening_to_their_engagements(workspace):
    e = EngagementFactory(workspace=workspace)
    sibling_of_manager = EngagementFactory(workspace=workspace, manager=e.manager)
    scope = scope_for(workspace, {"engagement": {e.pk}}, {"membership": {e.manager_id}})
    assert e.manager_id in scope.membership
    assert e.pk in scope.engagement
    assert sibling_of_manager.pk not in scope.engagement
    # A change to the member themself (their role) reaches every engagement they manage.
    widened = scope_for(workspace, {"membership": {e.manager_id}})
    assert sibling_of_manager.pk in widened.engagement


@pytest.mark.parametrize(
    "make, subject",
    [
        (
            lambda ws, f, t: Reference.objects.create(
                workspace=ws, freelancer=f, client_name="A", contact="a@b.c", rating=4, comment="."
            ),
            "freelancer",
        ),
        (
            lambda ws, f, t: FreelancerLanguage.objects.create(workspace=ws, freelancer=f, language="fr", level="B2"),
            "freelancer",
        ),
        (
            lambda ws, f, t: PulseResponse.objects.create(
                workspace=ws, freelancer=f, month=datetime.date(2026, 3, 1), score=2
            ),
            "freelancer",
        ),
        (lambda ws, f, t: TaskSkill.objects.create(task=t, skill=ws.skills.get(), level=3), "task"),
    ],
)
def test_rows_of_a_subject_mark_that_subject(workspace, make, subject):
    f = FreelancerFactory(workspace=workspace)
    t = TaskFactory(workspace=workspace)
    SkillFactory(workspace=workspace)
    clear(workspace)
    make(workspace, f, t)
    expected = f.pk if subject == "freelancer" else t.pk
    assert (subject, expected) in markers(workspace)
    assert ("workspace", None) not in markers(workspace)


def test_a_renamed_person_marks_their_memberships(workspace, manager):
    clear(workspace)
    manager.user.full_name = "Someone Else"
    manager.user.save()
    assert markers(workspace) == {("membership", manager.pk)}


def test_a_renamed_person_marks_their_memberships_when_saving_only_the_name(workspace, manager):
    clear(workspace)
    manager.user.full_name = "Someone Else"
    manager.user.save(update_fields=["full_name"])
    assert markers(workspace) == {("membership", manager.pk)}


def test_signing_in_or_a_new_password_marks_nothing(workspace, manager, client):
    """At 100,000 engagements a sign-in used to re-check every engagement its manager manages."""
    clear(workspace)
    manager.user.set_password("a-new-password-123")
    manager.user.save()
    client.force_login(manager.user)  # saves last_login (update_fields)
    manager.user.refresh_from_db()
    manager.user.save()  # a full save that changes nothing shown
    assert markers(workspace) == set()


def test_a_training_record_marks_its_member(workspace, manager):
    clear(workspace)
    TrainingRecord.objects.create(workspace=workspace, member=manager, date=datetime.date(2026, 1, 1), topic="x")
    assert markers(workspace) == {("membership", manager.pk)}


@pytest.mark.parametrize(
    "make",
    [
        lambda ws: SkillFactory(workspace=ws),
        lambda ws: ws.save(),
    ],
)
def test_rows_of_the_whole_workspace_mark_the_workspace(workspace, make):
    clear(workspace)
    make(workspace)
    assert ("workspace", None) in markers(workspace)


def test_a_cost_of_the_workspace_itself_asks_only_for_the_wide_checks(workspace):
    clear(workspace)
    manual_entries.create_entry(
        workspace=workspace,
        actor=None,
        category="tools",
        date=datetime.date(2026, 3, 1),
        amount=Decimal(9),
        currency="GBP",
    )
    assert markers(workspace) == {("wide", None)}


def test_rows_no_rule_reads_leave_no_marker(workspace):
    e = EngagementFactory(workspace=workspace, state=Engagement.State.ACTIVE)
    clear(workspace)
    TimeEntry.objects.create(workspace=workspace, engagement=e, date=datetime.date(2026, 3, 3), hours=Decimal(1))
    assert markers(workspace) == set()


def test_paused_leaves_no_marker_and_says_which_workspace_to_refresh(workspace):
    clear(workspace)
    with tracking.paused() as touched:
        TaskFactory(workspace=workspace)
        FreelancerFactory(workspace=workspace)
    assert markers(workspace) == set()
    assert touched == {workspace.pk}
    TaskFactory(workspace=workspace)
    assert markers(workspace)  # tracking resumes


def test_an_sop_link_removed_marks_the_task_it_left(workspace):
    task = TaskFactory(workspace=workspace)
    sop = guidance_services.create_sop(workspace=workspace, actor=None, title="S", body="b", tasks=[task])
    clear(workspace)
    sop.tasks.remove(task)
    assert ("task", task.pk) in markers(workspace)


def test_an_sop_skill_marks_the_tasks_that_need_it(workspace):
    need = TaskSkillFactory(task=TaskFactory(workspace=workspace))
    sop = guidance_services.create_sop(workspace=workspace, actor=None, title="S", body="b")
    clear(workspace)
    sop.skills.add(need.skill)
    assert ("task", need.task_id) in markers(workspace)
    clear(workspace)
    need.skill.sops.remove(sop)
    assert ("task", need.task_id) in markers(workspace)


def test_clearing_links_marks_the_whole_workspace(workspace):
    sop = guidance_services.create_sop(
        workspace=workspace, actor=None, title="S", body="b", tasks=[TaskFactory(workspace=workspace)]
    )
    clear(workspace)
    sop.tasks.clear()
    assert ("workspace", None) in markers(workspace)


# -- scope_for ------------------------------------------------------------------------------------


def test_an_sop_reaches_the_engagements_of_tasks_needing_its_skills(workspace):
    need = TaskSkillFactory(task=TaskFactory(workspace=workspace))
    e = EngagementFactory(workspace=workspace, task=need.task)
    sop = guidance_services.create_sop(workspace=workspace, actor=None, title="S", body="b", skills=[need.skill])
    scope = scope_for(workspace, {"sop": {sop.pk}})
    assert need.task_id in scope.task and e.pk in scope.engagement and e.manager_id in scope.membership


def test_a_deleted_engagement_stays_in_scope_so_its_findings_resolve(workspace):
    scope = scope_for(workspace, {"engagement": {987654}})
    assert 987654 in scope.engagement


# -- the lifecycle of a stored finding ------------------------------------------------------------


def _no_manager(workspace):
    return FindingRecord.objects.get(workspace=workspace, code="NO_MANAGER")


def test_resolve_sets_resolved_at_and_reopen_starts_a_new_spell(workspace):
    with time_machine.travel(START, tick=False) as traveller:
        e = EngagementFactory(workspace=workspace, manager=None)
        refresh_full(workspace)
        first = _no_manager(workspace)
        assert first.resolved_at is None
        traveller.shift(datetime.timedelta(hours=1))
        e.manager = MembershipFactory(workspace=workspace, role=MANAGER)
        e.save()
        ensure_fresh(workspace)
        resolved = _no_manager(workspace)
        assert resolved.resolved_at is not None and resolved.first_seen == first.first_seen
        traveller.shift(datetime.timedelta(hours=1))
        e.manager = None
        e.save()
        ensure_fresh(workspace)
        reopened = _no_manager(workspace)
        assert reopened.pk == first.pk and reopened.resolved_at is None
        assert reopened.first_seen > first.first_seen  # a new open spell: its age starts again


def test_unchanged_rows_are_not_written(workspace):
    with time_machine.travel(START, tick=False) as traveller:
        EngagementFactory(workspace=workspace, manager=None)
        refresh_full(workspace)
        before = {
            r.pk: (r.last_seen, r.first_seen, r.message) for r in FindingRecord.objects.filter(workspace=workspace)
        }
        traveller.shift(datetime.timedelta(minutes=5))
        result = refresh_full(workspace)
        after = {
            r.pk: (r.last_seen, r.first_seen, r.message) for r in FindingRecord.objects.filter(workspace=workspace)
        }
        assert before == after and (result.created, result.changed, result.resolved, result.reopened) == (0, 0, 0, 0)


def test_a_scoped_refresh_leaves_other_subjects_alone(workspace):
    with time_machine.travel(START, tick=False):
        a = EngagementFactory(workspace=workspace, manager=None)
        b = EngagementFactory(workspace=workspace, manager=None)
        refresh_full(workspace)
        Engagement.objects.filter(pk=b.pk).update(manager=MembershipFactory(workspace=workspace, role=MANAGER))
        refresh_scope(workspace, Scope(engagement=frozenset({a.pk})))
        # b changed behind the markers' back: only a full or its own scoped refresh sees it.
        assert FindingRecord.objects.filter(workspace=workspace, code="NO_MANAGER").unresolved().count() == 2
        refresh_scope(workspace, Scope(engagement=frozenset({b.pk})))
        assert FindingRecord.objects.filter(workspace=workspace, code="NO_MANAGER").unresolved().count() == 1


# -- checks: wide or local, and local ones honest about their scope -------------------------------


def test_a_code_is_either_all_wide_or_all_local():
    wide_of: dict[str, set[bool]] = defaultdict(set)
    for c in registered_checks():
        for code in c.codes:
            wide_of[code].add(c.wide)
    mixed = sorted(code for code, kinds in wide_of.items() if len(kinds) > 1)
    assert mixed == []


def test_the_workspace_wide_checks_are_declared_wide():
    wide = {code for c in registered_checks() if c.wide for code in c.codes}
    assert {"OUTSOURCING_EVERYTHING", "HIGH_CONCENTRATION", "SKILL_GAP", "NO_BACKUP", "MANAGER_OVERLOADED"} <= wide


@pytest.mark.django_db
def test_a_scoped_local_check_yields_every_finding_of_its_subjects():
    """Each local check, run with a scope of one subject, yields what the full run yields for it."""
    with time_machine.travel(START, tick=False):
        world = World()
        for n in range(6):
            world.new_engagement(n * 5 + 1)
            world.engagement_state(n * 3 + 1)
            world.pulse(n)
            world.new_freelancer(n * 7)
        ws, today = world.ws, world.today()
        full = CheckContext(workspace=ws, today=today)
        local = [c for c in registered_checks() if not c.wide]
        everything = [f for c in local for f in c.function(full)]
        subjects = {(f.subject_type, f.subject_id) for f in everything}
        assert len(subjects) > 5
        for subject_type, subject_id in subjects:
            scope = Scope(**{subject_type: frozenset({subject_id})})
            ctx = CheckContext(workspace=ws, today=today, scope=scope)
            scoped = {
                f.fingerprint: f for c in local for f in c.function(ctx) if scope.covers(f.subject_type, f.subject_id)
            }
            expected = {
                f.fingerprint: f for f in everything if (f.subject_type, f.subject_id) == (subject_type, subject_id)
            }
            assert scoped == expected, (subject_type, subject_id)


# -- speed: one write, one bounded refresh --------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [0, 8])
def test_a_write_and_ensure_fresh_issue_a_bounded_number_of_queries(extra, django_assert_max_num_queries):
    with time_machine.travel(START, tick=False):
        world = World()
        for n in range(extra):
            world.new_engagement(n)
            world.new_freelancer(n)
        ensure_fresh(world.ws)
        e = world.engagements[0]
        e.manager = None
        # The same bound with 8 more engagements and freelancers: it does not grow with the
        # workspace (the widening reads one indexed lookup per kind of subject, never a scan).
        # The wide run (immediate here) counts in it: since it computes outside the lock and
        # stores in a second short transaction it takes a few more queries than 100.
        with django_assert_max_num_queries(108):
            e.save()
            ensure_fresh(world.ws)
        assert_equivalent(world.ws, "manager removed")


def test_a_cost_on_an_engagement_names_its_task_only_as_a_reference(workspace, manager):
    """Its task is a copy (no widening to every engagement of the task); a cost of the task itself
    widens (its overhead counts for all of them); the manager of management time is a reference."""
    e = EngagementFactory(workspace=workspace, state=Engagement.State.ACTIVE)
    clear(workspace)
    manual_entries.create_entry(
        workspace=workspace, actor=None, category="tools", date=datetime.date(2026, 3, 1), amount=Decimal(9),
        currency="GBP", engagement=e,
    )  # fmt: skip
    assert markers(workspace) == {("engagement", e.pk), ("task:ref", e.task_id)}
    clear(workspace)
    manual_entries.create_entry(
        workspace=workspace, actor=None, category="tools", date=datetime.date(2026, 3, 1), amount=Decimal(9),
        currency="GBP", task=e.task,
    )  # fmt: skip
    assert markers(workspace) == {("task", e.task_id)}
    manual_entries.set_internal_cost(membership=manager, actor=None, hourly_cost=Decimal(40), currency="GBP")
    clear(workspace)
    manual_entries.create_entry(
        workspace=workspace, actor=None, category="management", date=datetime.date(2026, 3, 1), amount=Decimal(9),
        currency="GBP", engagement=e, manager=manager, hours=Decimal(1),
    )  # fmt: skip
    assert ("membership:ref", manager.pk) in markers(workspace)
    assert ("membership", manager.pk) not in markers(workspace)

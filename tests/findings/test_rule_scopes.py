"""Each of the 28 codes next to its negative case: the situation its scope leaves out must not raise it.

A rule is about active or about-to-start outsourced work (each rule's docstring and the
guardrail guide say exactly what it looks at). Every test below builds one situation the
rule is about (raised) and the nearest one it is not about (not raised).
"""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from sourcewise.core.access import MANAGER, OWNER
from sourcewise.costs import ledger
from sourcewise.costs.models import CostEntry
from sourcewise.engagements.models import Engagement
from sourcewise.findings.codes import CODES
from sourcewise.findings.engine import evaluate
from sourcewise.guidance import services as guidance_services
from sourcewise.guidance.models import DocumentType, PulseResponse, TrainingRecord
from sourcewise.tasks.models import Task
from tests.costs.helpers import active_engagement, cost
from tests.engagements.factories import EngagementFactory
from tests.money.factories import RateBenchmarkFactory
from tests.talent.factories import FreelancerFactory, SkillFactory
from tests.talent.helpers import freelancer, vet
from tests.tasks.factories import ReadyTaskFactory, TaskFactory, TaskSkillFactory
from tests.workspaces.factories import MembershipFactory

TODAY = datetime.date(2026, 3, 31)
ACTIVE, DRAFT, COMPLETED = Engagement.State.ACTIVE, Engagement.State.DRAFT, Engagement.State.COMPLETED


def found(workspace, code, today=TODAY) -> list[tuple[str, int | None, str]]:
    return [
        (f.subject_type, f.subject_id, str(f.severity))
        for f in evaluate(workspace, today=today).findings
        if f.code == code
    ]


def subjects(workspace, code, today=TODAY) -> set[tuple[str, int | None]]:
    return {(t, i) for t, i, _ in found(workspace, code, today)}


def test_every_code_states_its_scope_and_the_guide_shows_it(owner_client):
    assert all(info.scope for info in CODES.values())
    body = owner_client.get(reverse("findings:guide")).content.decode()
    for code in CODES:
        assert f'data-testid="scope-{code}"' in body


# -- G1 ------------------------------------------------------------------------------------------


def _core(workspace, sourcing, **kw):
    return TaskFactory(workspace=workspace, sourcing=sourcing, core_choice="core", **kw)


def test_core_task_outsourced_but_not_kept_in_house_nor_archived(workspace):
    out = _core(workspace, "outsource")
    _core(workspace, "in_house")
    _core(workspace, "outsource", archived_at=timezone.now())
    assert subjects(workspace, "CORE_TASK_OUTSOURCED") == {("task", out.pk)}


def test_no_deliverables_and_no_checkpoints_only_on_outsourced_tasks(workspace):
    out = TaskFactory(workspace=workspace, sourcing="outsource")
    TaskFactory(workspace=workspace, sourcing="in_house")
    TaskFactory(workspace=workspace, sourcing="outsource", archived_at=timezone.now())
    assert subjects(workspace, "NO_DELIVERABLES") == {("task", out.pk)}
    assert subjects(workspace, "NO_CHECKPOINTS") == {("task", out.pk)}


def test_outsourcing_everything_but_not_with_most_hours_in_house(workspace):
    TaskFactory(workspace=workspace, sourcing="outsource", hours=D(10), frequency="recurring")
    kept = TaskFactory(workspace=workspace, sourcing="outsource", hours=D(90), frequency="recurring")
    assert subjects(workspace, "OUTSOURCING_EVERYTHING") == {("workspace", workspace.pk)}
    Task.objects.filter(pk=kept.pk).update(sourcing="in_house")
    assert subjects(workspace, "OUTSOURCING_EVERYTHING") == set()


# -- G2 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("state, flagged", [(ACTIVE, True), (DRAFT, True), (COMPLETED, False), ("cancelled", False)])
def test_no_manager_on_running_or_about_to_start_work_only(workspace, state, flagged):
    e = EngagementFactory(workspace=workspace, manager=None, state=state, trial_rating=4)
    assert subjects(workspace, "NO_MANAGER") == ({("engagement", e.pk)} if flagged else set())


def test_manager_untrained_only_for_whoever_manages_and_owners_too(workspace):
    idle = MembershipFactory(workspace=workspace, role=MANAGER)  # manages nothing: never judged
    owner = MembershipFactory(workspace=workspace, role=OWNER)
    busy = MembershipFactory(workspace=workspace, role=MANAGER)
    EngagementFactory(workspace=workspace, manager=owner)  # a draft: about to start
    EngagementFactory(workspace=workspace, manager=busy, state=ACTIVE)
    retired = MembershipFactory(workspace=workspace, role=MANAGER)
    EngagementFactory(workspace=workspace, manager=retired, state=COMPLETED, trial_rating=4)
    assert sorted(found(workspace, "MANAGER_UNTRAINED")) == sorted(
        [("membership", owner.pk, "warning"), ("membership", busy.pk, "warning")]
    )
    assert ("membership", idle.pk) not in subjects(workspace, "MANAGER_UNTRAINED")
    TrainingRecord.objects.create(workspace=workspace, member=busy, date=TODAY, topic="Briefing")
    assert subjects(workspace, "MANAGER_UNTRAINED") == {("membership", owner.pk)}


def test_manager_overloaded_counts_active_engagements_not_drafts(workspace):
    workspace.manager_max_active_engagements = 1
    workspace.save()
    busy = MembershipFactory(workspace=workspace, role=MANAGER)
    drafts = MembershipFactory(workspace=workspace, role=MANAGER)
    for _ in range(2):
        EngagementFactory(workspace=workspace, manager=busy, state=ACTIVE)
        EngagementFactory(workspace=workspace, manager=drafts)
    assert subjects(workspace, "MANAGER_OVERLOADED") == {("membership", busy.pk)}


# -- G3 ------------------------------------------------------------------------------------------


def test_low_overlap_and_language_only_for_people_you_may_engage(workspace):
    far = freelancer(workspace, status="approved", zone="Pacific/Auckland", languages={"en": "B1"})
    freelancer(workspace, status="prospect", zone="Pacific/Auckland", languages={"en": "B1"})
    freelancer(workspace, status="left", zone="Pacific/Auckland", languages={"en": "B1"})
    assert subjects(workspace, "LOW_TZ_OVERLAP") == {("freelancer", far.pk)}
    assert subjects(workspace, "NO_SHARED_LANGUAGE") == {("freelancer", far.pk)}


def test_skill_gap_on_outsourced_work_never_on_a_task_kept_in_house(workspace):
    skill = SkillFactory(workspace=workspace)
    out = TaskFactory(workspace=workspace, sourcing="outsource")
    kept = TaskFactory(workspace=workspace, sourcing="in_house")
    for task in (out, kept):
        TaskSkillFactory(task=task, skill=skill, level=4)
    assert subjects(workspace, "SKILL_GAP") == {("task", out.pk)}


# -- G4 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rate, code", [("10", "RATE_BELOW_MARKET"), ("20", "RATE_UNDER_FAIR_FLOOR"), ("60", "RATE_ABOVE_HOME")]
)
def test_rates_of_open_engagements_only(workspace, rate, code):
    skill = SkillFactory(workspace=workspace)
    task = ReadyTaskFactory(workspace=workspace)
    TaskSkillFactory(task=task, skill=skill)
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="PH", hourly_rate=D("20.00"))
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="GB", hourly_rate=D("50.00"))
    kw = {"workspace": workspace, "task": task, "rate": D(rate), "currency": "GBP"}
    open_one = EngagementFactory(state=ACTIVE, **kw)
    EngagementFactory(state=COMPLETED, trial_rating=4, **kw)
    EngagementFactory(state="cancelled", **kw)
    assert subjects(workspace, code) == {("engagement", open_one.pk)}


def test_no_rate_benchmark_of_open_engagements_only(workspace):
    task = ReadyTaskFactory(workspace=workspace)  # no skill: nothing to compare with
    draft = EngagementFactory(workspace=workspace, task=task)
    EngagementFactory(workspace=workspace, task=task, state="terminated")
    assert subjects(workspace, "NO_RATE_BENCHMARK") == {("engagement", draft.pk)}


# -- G5 ------------------------------------------------------------------------------------------


def _fees(workspace, e, amount="50"):
    CostEntry.objects.create(
        workspace=workspace, engagement=e, task=e.task, category="fees", date=TODAY, amount=D(amount),
        currency="GBP", source=f"fees:test:{e.pk}",
    )  # fmt: skip
    ledger.rebuild(workspace)


def test_hidden_costs_only_on_active_engagements(workspace):
    running = active_engagement(workspace, start_date=TODAY - datetime.timedelta(days=60))
    ended = active_engagement(workspace, start_date=TODAY - datetime.timedelta(days=60), state=COMPLETED)
    _fees(workspace, running)
    _fees(workspace, ended)
    assert subjects(workspace, "HIDDEN_COSTS_UNTRACKED") == {("engagement", running.pk)}


def _measured(workspace, state=ACTIVE):
    e = active_engagement(
        workspace, start_date=datetime.date(2025, 12, 1), expected_monthly_saving=D("200"), state=state
    )
    Task.objects.filter(pk=e.task_id).update(hours=D("10"), inhouse_hourly_cost=D("30"), inhouse_cost_currency="GBP")
    cost(workspace, category="tools", amount="1000", engagement=e, date=datetime.date(2026, 2, 10))
    return e


def test_savings_and_roi_only_on_active_engagements(workspace):
    running = _measured(workspace)
    _measured(workspace, state="terminated")
    assert subjects(workspace, "SAVINGS_OVERESTIMATED") == {("engagement", running.pk)}
    assert subjects(workspace, "NEGATIVE_ROI") == {("engagement", running.pk)}


# -- G6 ------------------------------------------------------------------------------------------


def test_no_sop_only_on_outsourced_tasks(workspace):
    out = TaskFactory(workspace=workspace, sourcing="outsource")
    TaskFactory(workspace=workspace, sourcing="in_house")
    assert subjects(workspace, "NO_SOP") == {("task", out.pk)}


def test_sop_not_acknowledged_on_active_engagements_not_drafts(workspace):
    task = ReadyTaskFactory(workspace=workspace)
    guidance_services.create_sop(workspace=workspace, actor=None, title="S", body="b", tasks=[task])
    running = EngagementFactory(workspace=workspace, task=task, state=ACTIVE)
    EngagementFactory(workspace=workspace, task=task)
    assert subjects(workspace, "SOP_NOT_ACKNOWLEDGED") == {("engagement", running.pk)}


def test_no_trial_on_open_full_engagements_not_on_trials_nor_ended_ones(workspace):
    full = EngagementFactory(workspace=workspace, kind="full", end_date=None, budget_cap=None)
    EngagementFactory(workspace=workspace, kind="trial")
    EngagementFactory(workspace=workspace, kind="full", state=COMPLETED, end_date=None, budget_cap=None)
    assert subjects(workspace, "NO_TRIAL") == {("engagement", full.pk)}


def test_trial_overrun_only_while_the_trial_is_active(workspace):
    running = EngagementFactory(workspace=workspace, state=ACTIVE)
    EngagementFactory(workspace=workspace, state=COMPLETED, trial_rating=4)
    EngagementFactory(workspace=workspace)  # a draft past its dates: not started, not overrunning
    assert subjects(workspace, "TRIAL_OVERRUN") == {("engagement", running.pk)}


# -- G7 ------------------------------------------------------------------------------------------


def test_unvetted_freelancer_critical_when_active_warning_when_draft_none_when_ended(workspace):
    kw = {"workspace": workspace, "kind": "full", "end_date": None, "budget_cap": None}
    active = EngagementFactory(freelancer__status="vetting", state=ACTIVE, **kw)
    draft = EngagementFactory(freelancer__status="vetting", **kw)
    EngagementFactory(freelancer__status="vetting", state="cancelled", **kw)
    EngagementFactory(freelancer__status="prospect", kind="trial", workspace=workspace)  # a trial is vetting
    on_engagements = [f for f in found(workspace, "UNVETTED_FREELANCER") if f[0] == "engagement"]
    assert sorted(on_engagements) == sorted(
        [("engagement", active.pk, "critical"), ("engagement", draft.pk, "warning")]
    )


def test_weak_references_for_people_in_vetting_or_later_not_prospects(workspace):
    weak = vet(freelancer(workspace, status="vetting"), refs=(2, 2))
    vet(freelancer(workspace, status="prospect"), refs=(2, 2))
    assert subjects(workspace, "WEAK_REFERENCES") == {("freelancer", weak.pk)}


# -- G8 ------------------------------------------------------------------------------------------


def test_no_backup_on_active_engagements_not_drafts(workspace):
    skill = SkillFactory(workspace=workspace)
    task = ReadyTaskFactory(workspace=workspace)
    TaskSkillFactory(task=task, skill=skill, level=3)
    alone = freelancer(workspace, status="approved", skills={skill: 4})
    running = EngagementFactory(workspace=workspace, task=task, freelancer=alone, state=ACTIVE)
    EngagementFactory(workspace=workspace, task=task, freelancer=alone)
    assert subjects(workspace, "NO_BACKUP") == {("engagement", running.pk)}
    freelancer(workspace, status="approved", skills={skill: 3})  # a backup
    assert subjects(workspace, "NO_BACKUP") == set()


def test_high_concentration_one_freelancer_holding_everything_is_one_finding(workspace):
    e = active_engagement(workspace)
    cost(workspace, category="platform_fees", amount="100", engagement=e, date=TODAY)
    assert found(workspace, "HIGH_CONCENTRATION") == [("freelancer", e.freelancer_id, "warning")]


def test_high_concentration_an_even_split_raises_no_single_share(workspace):
    for _ in range(2):
        e = active_engagement(workspace)
        cost(workspace, category="platform_fees", amount="100", engagement=e, date=TODAY)
    # HHI 5 000 is high; no one holds more than 50 %.
    assert found(workspace, "HIGH_CONCENTRATION") == [("workspace", workspace.pk, "warning")]


# -- OPS -----------------------------------------------------------------------------------------


def test_checkpoint_overdue_only_on_active_engagements(workspace):
    start = TODAY - datetime.timedelta(days=30)
    running = EngagementFactory(workspace=workspace, state=ACTIVE, kind="full", start_date=start, end_date=None)
    EngagementFactory(workspace=workspace, kind="full", start_date=start, end_date=None)
    assert subjects(workspace, "CHECKPOINT_OVERDUE") == {("engagement", running.pk)}


def test_unhappy_freelancer_not_once_they_have_left(workspace):
    unhappy = FreelancerFactory(workspace=workspace, status="active")
    gone = FreelancerFactory(workspace=workspace, status="left")
    for person in (unhappy, gone):
        PulseResponse.objects.create(workspace=workspace, freelancer=person, month=datetime.date(2026, 3, 1), score=1)
    assert subjects(workspace, "UNHAPPY_FREELANCER") == {("freelancer", unhappy.pk)}


def test_document_missing_only_for_freelancers_with_a_login(workspace):
    DocumentType.objects.create(workspace=workspace, name="Contract", required=True)
    with_login = FreelancerFactory(
        workspace=workspace, user=MembershipFactory(workspace=workspace, role="freelancer").user
    )
    FreelancerFactory(workspace=workspace)
    assert subjects(workspace, "DOCUMENT_MISSING") == {("freelancer", with_login.pk)}

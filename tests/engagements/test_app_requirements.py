"""The activation requirements the other apps add (talent, tasks, guidance), each refusal through
`lifecycle.activate` at its edge — and the web and API transitions answering with the reasons."""

from __future__ import annotations

import pytest

from sourcewise.engagements import lifecycle
from sourcewise.engagements.models import Engagement
from sourcewise.guidance.services import acknowledge_sop, add_sop_version, create_sop
from sourcewise.tasks.models import Deliverable
from tests.conftest import api_headers
from tests.engagements.factories import EngagementFactory
from tests.engagements.test_services import _assert_refused, _completed_trial
from tests.talent.factories import FreelancerFactory, SkillFactory
from tests.tasks.factories import TaskSkillFactory

pytestmark = pytest.mark.django_db


def _activates(engagement: Engagement) -> None:
    lifecycle.activate(engagement=engagement, actor=None)
    assert Engagement.objects.get(pk=engagement.pk).state == "active"


# ── talent: vetting status ───────────────────────────────────────────────────


@pytest.mark.parametrize("status", ["prospect", "vetting", "inactive"])
def test_a_full_engagement_needs_an_approved_freelancer(workspace, manager, status):
    freelancer = FreelancerFactory(workspace=workspace, status=status)
    _completed_trial(workspace, freelancer, 4)
    full = EngagementFactory(workspace=workspace, manager=manager, freelancer=freelancer, kind="full", end_date=None)
    messages = _assert_refused(full, f"is {status}, not approved: only an approved freelancer gets a full engagement")
    assert len(messages) == 1


@pytest.mark.parametrize("status", ["approved", "active"])
def test_approved_or_active_may_have_a_full_engagement(workspace, manager, status):
    freelancer = FreelancerFactory(workspace=workspace, status=status)
    _completed_trial(workspace, freelancer, 3)
    _activates(EngagementFactory(workspace=workspace, manager=manager, freelancer=freelancer, kind="full"))


@pytest.mark.parametrize(
    "status, allowed", [("prospect", True), ("vetting", True), ("rejected", False), ("left", False)]
)
def test_a_trial_is_part_of_vetting_but_not_for_someone_rejected_or_gone(workspace, manager, status, allowed):
    trial = EngagementFactory(workspace=workspace, manager=manager, freelancer__status=status)
    if allowed:
        _activates(trial)
    else:
        _assert_refused(trial, f"is {status}: choose another freelancer")


# ── tasks: outsourceable ─────────────────────────────────────────────────────


def test_the_task_must_be_outsourceable(workspace, manager):
    e = EngagementFactory(
        workspace=workspace, manager=manager, task__checkpoint_every_days=None, task__deliverable=None
    )
    messages = _assert_refused(e, "No deliverables yet", "No checkpoint cadence")
    assert all(m.startswith(f"The task {e.task} is not ready to outsource") for m in messages)
    Deliverable.objects.create(workspace=workspace, task=e.task, name="Report", acceptance_criteria="  ")
    _assert_refused(e, "No deliverable has written acceptance criteria")
    Deliverable.objects.create(workspace=workspace, task=e.task, name="Final", acceptance_criteria="Signed off.")
    e.task.checkpoint_every_days = workspace.checkpoint_max_days + 1
    e.task.save()
    _assert_refused(e, f"Checkpoints every {workspace.checkpoint_max_days + 1} days are too far apart")
    e.task.checkpoint_every_days = workspace.checkpoint_max_days
    e.task.save()
    _activates(e)


# ── guidance: SOPs acknowledged ──────────────────────────────────────────────


def test_every_sop_of_the_task_must_be_acknowledged_in_its_current_version(workspace, manager, owner):
    e = EngagementFactory(workspace=workspace, manager=manager)
    skill = SkillFactory(workspace=workspace)
    TaskSkillFactory(task=e.task, skill=skill, level=3)
    on_task = create_sop(workspace=workspace, actor=owner.user, title="Inbox rules", body="x", tasks=[e.task])
    on_skill = create_sop(workspace=workspace, actor=owner.user, title="Tone", body="y", skills=[skill])
    create_sop(
        workspace=workspace, actor=owner.user, title="Unrelated", body="z", skills=[SkillFactory(workspace=workspace)]
    )
    messages = _assert_refused(e, "“Inbox rules” (version 1)", "“Tone” (version 1)")
    assert len(messages) == 2 and not any("Unrelated" in m for m in messages)
    acknowledge_sop(sop=on_task, freelancer=e.freelancer, actor=None)
    acknowledge_sop(sop=on_skill, freelancer=e.freelancer, actor=None)
    add_sop_version(sop=on_skill, actor=owner.user, body="y2", change_note="Warmer.")
    assert _assert_refused(e, "“Tone” (version 2)") == [
        f"{e.freelancer} has not acknowledged the SOP “Tone” (version 2): "
        "ask them to read and confirm it in their portal."
    ]
    on_skill.refresh_from_db()
    acknowledge_sop(sop=on_skill, freelancer=e.freelancer, actor=None)
    _activates(e)


def test_someone_elses_acknowledgement_does_not_count(workspace, manager, owner):
    e = EngagementFactory(workspace=workspace, manager=manager)
    sop = create_sop(workspace=workspace, actor=owner.user, title="Inbox rules", body="x", tasks=[e.task])
    acknowledge_sop(sop=sop, freelancer=FreelancerFactory(workspace=workspace), actor=None)
    _assert_refused(e, "“Inbox rules” (version 1)")


# ── every reason at once, on the web and over the API ────────────────────────


def _blocked(workspace, manager, owner):
    freelancer = FreelancerFactory(workspace=workspace, status="vetting", name="Ada Lovelace")
    e = EngagementFactory(
        workspace=workspace, manager=manager, freelancer=freelancer, kind="full", end_date=None,
        task__checkpoint_every_days=None,
    )  # fmt: skip
    create_sop(workspace=workspace, actor=owner.user, title="Inbox rules", body="x", tasks=[e.task])
    return e


EXPECTED = (
    "Ada Lovelace is vetting, not approved",
    "No checkpoint cadence",
    "has not acknowledged the SOP “Inbox rules” (version 1)",
    "no completed trial rated 3 or more",
)


def test_the_web_transition_lists_every_reason(owner_client, workspace, manager, owner):
    e = _blocked(workspace, manager, owner)
    page = owner_client.get(f"/engagements/{e.pk}/").content.decode()
    refused = owner_client.post(f"/engagements/{e.pk}/activate/", follow=True).content.decode()
    for text in EXPECTED:
        assert text in page and text in refused
    assert Engagement.objects.get(pk=e.pk).state == "draft"


def test_the_api_transition_answers_422_with_one_entry_per_reason(client, workspace, manager, owner):
    e = _blocked(workspace, manager, owner)
    response = client.post(f"/api/v1/engagements/{e.pk}/activate", {}, content_type="application/json",
                           headers=api_headers(owner))  # fmt: skip
    assert response.status_code == 422
    messages = [entry["message"] for entry in response.json()["errors"]]
    assert len(messages) == 4
    for text in EXPECTED:
        assert sum(text in m for m in messages) == 1
    assert Engagement.objects.get(pk=e.pk).state == "draft"

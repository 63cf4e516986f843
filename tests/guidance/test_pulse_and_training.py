from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.findings.engine import evaluate
from sourcewise.guidance import services
from sourcewise.guidance.models import PulseResponse, TrainingRecord
from tests.engagements.factories import EngagementFactory
from tests.talent.factories import FreelancerFactory
from tests.workspaces.factories import MembershipFactory

TODAY = datetime.date(2026, 6, 15)


def answer(freelancer, score, month, comment=""):
    return services.answer_pulse(freelancer=freelancer, actor=None, score=score, comment=comment, today=month)


def unhappy(workspace, today=TODAY):
    return [f for f in evaluate(workspace, today=today).findings if f.code == "UNHAPPY_FREELANCER"]


# The pulse -----------------------------------------------------------------------------


def test_one_answer_per_calendar_month_which_can_be_changed_within_it(workspace):
    person = FreelancerFactory(workspace=workspace)
    answer(person, 2, datetime.date(2026, 6, 1))
    answer(person, 4, datetime.date(2026, 6, 30), "Better now")
    answer(person, 5, datetime.date(2026, 7, 1))
    rows = list(PulseResponse.objects.order_by("month").values_list("month", "score", "comment"))
    assert rows == [(datetime.date(2026, 6, 1), 4, "Better now"), (datetime.date(2026, 7, 1), 5, "")]


@pytest.mark.parametrize("score", [0, 6, -1])
def test_a_score_outside_1_to_5_is_refused(workspace, score):
    with pytest.raises(ValidationError):
        answer(FreelancerFactory(workspace=workspace), score, TODAY)
    assert not PulseResponse.objects.exists()


@pytest.mark.parametrize(
    "scores, flagged",
    [
        ([2, 2], True),  # average 2.0 = threshold → finding
        ([3, 1], True),  # 2.0
        ([3, 2], False),  # average 2.5 → none
        ([1], True),  # a single answer is judged alone: 1 ≤ 2
        ([2], True),
        ([3], False),
        ([1, 1, 5, 4], False),  # only the last two count (5 and 4 are the newest)
        ([5, 4, 1, 2], True),  # newest 1 and 2
    ],
)
def test_unhappy_freelancer_at_the_exact_threshold(workspace, scores, flagged):
    person = FreelancerFactory(workspace=workspace, name="Lucía")
    for i, score in enumerate(scores):
        answer(person, score, datetime.date(2026, 1 + i, 10))
    found = unhappy(workspace)
    assert bool(found) is flagged
    if flagged:
        assert found[0].subject_id == person.pk and found[0].severity == "warning"


def test_the_threshold_is_the_workspace_setting(workspace):
    person = FreelancerFactory(workspace=workspace)
    answer(person, 3, datetime.date(2026, 5, 1))
    answer(person, 4, datetime.date(2026, 6, 1))
    assert unhappy(workspace) == []
    workspace.unhappy_pulse_max = 4
    workspace.save()
    [finding] = unhappy(workspace)
    assert "average 3.5" in finding.message


def test_freelancer_answers_the_pulse_in_the_portal_with_htmx(freelancer_client, freelancer_member):
    response = freelancer_client.post(
        "/portal/pulse/", {"score": "4", "comment": "Good month"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and "is saved" in body
    pulse = PulseResponse.objects.get()
    assert (pulse.score, pulse.comment, pulse.freelancer.user) == (4, "Good month", freelancer_member.user)
    refused = freelancer_client.post("/portal/pulse/", {"score": "9"}, headers={"HX-Request": "true"})
    assert "Select a valid choice" in refused.content.decode()
    assert PulseResponse.objects.get().score == 4


def test_owner_sees_pulse_answers_freelancers_do_not_see_others(owner_client, owner, freelancer_client):
    other = FreelancerFactory(workspace=owner.workspace, name="Other Person")
    answer(other, 1, TODAY, "Private remark")
    assert "Private remark" in owner_client.get("/guidance/pulse/").content.decode()
    assert "Private remark" not in freelancer_client.get("/portal/pulse/").content.decode()


def test_pulse_list_is_constant_in_queries(owner_client, owner):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get("/guidance/pulse/").status_code == 200
        return len(queries)

    answer(FreelancerFactory(workspace=owner.workspace), 3, TODAY)
    few = count()
    for _ in range(10):
        answer(FreelancerFactory(workspace=owner.workspace), 4, TODAY)
    assert count() == few


# Training ------------------------------------------------------------------------------


def untrained(workspace):
    return [f for f in evaluate(workspace).findings if f.code == "MANAGER_UNTRAINED"]


def test_a_manager_without_training_is_a_finding_until_it_is_recorded(owner, manager):
    assert untrained(owner.workspace) == []  # manages nothing yet: nothing to judge
    EngagementFactory(workspace=owner.workspace, manager=manager)
    assert [(f.subject_type, f.subject_id) for f in untrained(owner.workspace)] == [("membership", manager.pk)]
    services.record_training(member=manager, actor=owner.user, date=TODAY, topic="Managing freelancers")
    assert untrained(owner.workspace) == []


def test_freelancers_get_no_training_record(owner, freelancer_member):
    with pytest.raises(ValidationError, match="owners and managers"):
        services.record_training(member=freelancer_member, actor=owner.user, date=TODAY, topic="x")
    assert not TrainingRecord.objects.exists()


def test_training_page_per_member(owner_client, owner, manager):
    response = owner_client.post(
        f"/guidance/training/{manager.pk}/", {"date": "2026-03-02", "topic": "Remote teams workshop", "notes": ""}
    )
    assert response.status_code == 302
    page = owner_client.get(f"/guidance/training/{manager.pk}/").content.decode()
    assert "Remote teams workshop" in page and "2 Mar 2026" in page
    listing = owner_client.get("/guidance/training/").content.decode()
    assert manager.user.display_name in listing


def test_training_page_of_a_freelancer_or_another_workspace_is_not_found(owner_client, freelancer_member):
    assert owner_client.get(f"/guidance/training/{freelancer_member.pk}/").status_code == 404
    stranger = MembershipFactory(role="manager")
    assert owner_client.get(f"/guidance/training/{stranger.pk}/").status_code == 404


def test_training_list_is_constant_in_queries(owner_client, owner):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get("/guidance/training/").status_code == 200
        return len(queries)

    few = count()
    for _ in range(6):
        member = MembershipFactory(workspace=owner.workspace, role="manager")
        services.record_training(member=member, actor=None, date=TODAY, topic="Course")
    assert count() == few

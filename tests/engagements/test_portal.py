"""The freelancer's portal home: their own engagements, hours and milestones, and the SOPs of
their engagements' tasks to acknowledge — nobody else's."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.guidance.services import create_sop
from sourcewise.talent.models import Freelancer
from tests.conftest import client_for
from tests.engagements.factories import START, EngagementFactory, MilestoneFactory, TimeEntryFactory
from tests.talent.factories import FreelancerFactory
from tests.workspaces.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(freelancer_member):
    return Freelancer.objects.get(user=freelancer_member.user)


def test_home_lists_my_open_engagements_with_hours_and_milestones_only(freelancer_client, workspace, me, manager):
    mine = EngagementFactory(workspace=workspace, freelancer=me, manager=manager, state="active", task__name="Inbox")
    EngagementFactory(workspace=workspace, freelancer=me, state="cancelled", task__name="Old plan")
    TimeEntryFactory(engagement=mine, hours=Decimal("2.5"), status="approved")
    TimeEntryFactory(engagement=mine, hours=Decimal("1.25"))  # waiting
    MilestoneFactory(engagement=mine, title="Weekly report", due_date=START + datetime.timedelta(days=2))
    MilestoneFactory(engagement=mine, title="Done already", status="accepted")
    theirs = EngagementFactory(workspace=workspace, state="active", task__name="Someone else's task")
    MilestoneFactory(engagement=theirs, title="Their milestone")
    page = freelancer_client.get("/portal/").content.decode()
    assert f'href="/engagements/{mine.pk}/"' in page and "Inbox" in page
    assert "2.50" in page and "1.25" in page
    assert "Weekly report" in page and "Done already" not in page and "Old plan" not in page
    assert "Someone else" not in page and "Their milestone" not in page and f"/engagements/{theirs.pk}/" not in page
    # The linked page opens for them, and another freelancer's is a 404.
    assert freelancer_client.get(f"/engagements/{mine.pk}/").status_code == 200
    assert freelancer_client.get(f"/engagements/{theirs.pk}/").status_code == 404


def test_another_freelancer_sees_none_of_it(workspace, me, manager):
    EngagementFactory(workspace=workspace, freelancer=me, manager=manager, state="active", task__name="Inbox")
    other = MembershipFactory(workspace=workspace, role="freelancer")
    FreelancerFactory(workspace=workspace, user=other.user, email=other.user.email)
    page = client_for(other).get("/portal/").content.decode()
    assert "Inbox" not in page and "No open engagements yet" in page


def test_the_sops_of_my_engagement_task_are_to_acknowledge(freelancer_client, workspace, me, manager, owner):
    e = EngagementFactory(workspace=workspace, freelancer=me, manager=manager, task__name="Inbox")
    sop = create_sop(workspace=workspace, actor=owner.user, title="Inbox rules", body="x", tasks=[e.task])
    page = freelancer_client.get("/portal/").content.decode()
    assert "Inbox rules" in page and f"/portal/sops/{sop.pk}/" in page
    assert freelancer_client.get(f"/portal/sops/{sop.pk}/").status_code == 200
    other = MembershipFactory(workspace=workspace, role="freelancer")
    FreelancerFactory(workspace=workspace, user=other.user, email=other.user.email)
    assert client_for(other).get(f"/portal/sops/{sop.pk}/").status_code == 404


def test_home_takes_a_fixed_number_of_queries(freelancer_client, workspace, me, manager):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert freelancer_client.get("/portal/").status_code == 200
        return len(queries)

    e = EngagementFactory(workspace=workspace, freelancer=me, manager=manager, state="active")
    MilestoneFactory(engagement=e)
    TimeEntryFactory(engagement=e)
    one = count()
    for _ in range(6):
        e = EngagementFactory(workspace=workspace, freelancer=me, manager=manager, state="active")
        MilestoneFactory(engagement=e)
        TimeEntryFactory(engagement=e, status="approved")
    assert count() == one


def test_the_owner_sees_who_of_the_engagement_has_not_acknowledged(owner_client, workspace, me, manager, owner):
    from sourcewise.guidance.selectors import acknowledgement_status

    e = EngagementFactory(workspace=workspace, freelancer=me, manager=manager, state="active", task__name="Inbox")
    EngagementFactory(workspace=workspace, state="cancelled", task=e.task, freelancer__name="Gone Person")
    sop = create_sop(workspace=workspace, actor=owner.user, title="Inbox rules", body="x", tasks=[e.task])
    rows = acknowledgement_status(sop)
    assert [(r.freelancer.pk, r.acknowledged_number) for r in rows] == [(me.pk, None)]
    page = owner_client.get(f"/guidance/sops/{sop.pk}/").content.decode()
    assert me.name in page and "Gone Person" not in page


def test_an_sop_of_a_skill_my_engagement_task_needs_is_mine_and_i_am_in_its_audience(workspace, me, manager, owner):
    """Both sides of the engagement-task audience, by task and by a skill the task needs; a
    closed engagement or an unrelated skill brings nothing."""
    from sourcewise.engagements.wiring import _freelancers_for, _sops_for
    from sourcewise.guidance.models import SOP
    from tests.talent.factories import SkillFactory
    from tests.tasks.factories import TaskSkillFactory

    e = EngagementFactory(workspace=workspace, freelancer=me, manager=manager, state="active")
    needed, unrelated = SkillFactory(workspace=workspace), SkillFactory(workspace=workspace)
    TaskSkillFactory(task=e.task, skill=needed)
    closed = EngagementFactory(workspace=workspace, state="cancelled")
    TaskSkillFactory(task=closed.task, skill=unrelated)
    by_task = create_sop(workspace=workspace, actor=owner.user, title="By task", body="x", tasks=[e.task])
    by_skill = create_sop(workspace=workspace, actor=owner.user, title="By skill", body="x", skills=[needed])
    create_sop(workspace=workspace, actor=owner.user, title="Unrelated", body="x", skills=[unrelated])
    create_sop(workspace=workspace, actor=owner.user, title="Closed", body="x", tasks=[closed.task])

    mine = SOP.objects.filter(_sops_for(Freelancer.objects.filter(pk=me.pk))).distinct()
    assert set(mine.values_list("title", flat=True)) == {"By task", "By skill"}
    for sop in (by_task, by_skill):
        audience = Freelancer.objects.filter(_freelancers_for(SOP.objects.filter(pk=sop.pk)))
        assert list(audience.values_list("pk", flat=True)) == [me.pk]
    closed_sop = SOP.objects.filter(title="Closed")
    assert not Freelancer.objects.filter(_freelancers_for(closed_sop)).exists()

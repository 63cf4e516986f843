"""The guidance pages stay bounded as the workspace grows (SPEC §6 P6): pages, counts, months."""

from __future__ import annotations

import datetime
import re

import pytest

from sourcewise.core.pagination import PAGE_SIZE
from sourcewise.findings.refresh import ensure_fresh
from sourcewise.guidance import selectors, services
from sourcewise.guidance.models import SOP, PulseResponse, SOPAcknowledgement
from tests.guidance.conftest import freelancer_with_login, make_sop
from tests.talent.factories import FreelancerFactory, FreelancerSkillFactory
from tests.workspaces.factories import WorkspaceFactory


def _with_skill(workspace, skill, n, prefix="Person"):
    people = [FreelancerFactory(workspace=workspace, name=f"{prefix} {i:03d}") for i in range(n)]
    for person in people:
        FreelancerSkillFactory(freelancer=person, skill=skill, level=3)
    return people


# The SOP page ------------------------------------------------------------------------------


def test_sop_page_pages_who_has_not_acknowledged_and_counts_who_has(owner, owner_client, skill):
    sop = make_sop(owner.workspace, skills=[skill])
    people = _with_skill(owner.workspace, skill, PAGE_SIZE + 5)
    sop = SOP.objects.select_related("current_version").get(pk=sop.pk)
    for person in people[:3]:
        services.acknowledge_sop(sop=sop, freelancer=person, actor=None)
    body = owner_client.get(f"/guidance/sops/{sop.pk}/").content.decode()
    assert re.search(r'Acknowledged v1 <span class="badge sev-ok">3</span>', body)
    assert re.search(rf'Not acknowledged yet <span class="badge sev-warning">{PAGE_SIZE + 2}</span>', body)
    assert "Person 003" in body and "Person 052" in body and "Person 053" not in body  # by name, a page
    later = owner_client.get(f"/guidance/sops/{sop.pk}/?page=2").content.decode()
    assert "Person 053" in later and "Person 054" in later and "Person 003" not in later


def test_sop_page_says_who_read_an_older_version_only(owner, owner_client, skill):
    sop = make_sop(owner.workspace, skills=[skill])
    [person] = _with_skill(owner.workspace, skill, 1)
    services.acknowledge_sop(sop=SOP.objects.get(pk=sop.pk), freelancer=person, actor=None)
    services.add_sop_version(sop=sop, actor=None, body="# v2\n\nNew.", change_note="Step 2")
    [row] = selectors.waiting_for(SOP.objects.get(pk=sop.pk))
    assert row == person and row.acknowledged_number == 1
    assert "read v1 only" in owner_client.get(f"/guidance/sops/{sop.pk}/").content.decode()


def test_sop_page_matches_the_full_acknowledgement_status(owner, skill, task):
    """The page's two lists are the same people as acknowledgement_status, which the API serves."""
    sop = make_sop(owner.workspace, skills=[skill], tasks=[task])
    people = _with_skill(owner.workspace, skill, 6)
    outsider = FreelancerFactory(workspace=owner.workspace, name="Old reader")
    services.acknowledge_sop(sop=SOP.objects.get(pk=sop.pk), freelancer=people[0], actor=None)
    SOPAcknowledgement.objects.create(
        workspace=owner.workspace, version=SOP.objects.get(pk=sop.pk).current_version, freelancer=outsider
    )
    services.add_sop_version(sop=sop, actor=None, body="# v2\n\nNew.", change_note="Step 2")
    sop = SOP.objects.select_related("current_version").get(pk=sop.pk)
    services.acknowledge_sop(sop=sop, freelancer=people[1], actor=None)
    rows = selectors.acknowledgement_status(sop)
    assert {r.freelancer.pk for r in rows if r.is_current(sop)} == {
        a.freelancer_id for a in selectors.acknowledged_current(sop)
    }
    assert [(r.freelancer.pk, r.acknowledged_number) for r in rows if not r.is_current(sop)] == [
        (p.pk, p.acknowledged_number) for p in selectors.waiting_for(sop)
    ]


def test_sop_page_never_lists_another_workspace(owner, owner_client, skill):
    sop = make_sop(owner.workspace, skills=[skill])
    other = WorkspaceFactory()
    stranger = FreelancerFactory(workspace=other, name="Stranger Danger")
    FreelancerSkillFactory(freelancer=stranger, skill=skill, level=3)  # a crafted cross-workspace row
    assert "Stranger Danger" not in owner_client.get(f"/guidance/sops/{sop.pk}/").content.decode()
    assert selectors.waiting_count(SOP.objects.get(pk=sop.pk)) == 0  # nor counts them


def test_sop_page_queries_do_not_grow_with_people(owner, owner_client, skill, django_assert_max_num_queries):
    sop = make_sop(owner.workspace, skills=[skill])
    people = _with_skill(owner.workspace, skill, 80)
    current = SOP.objects.get(pk=sop.pk)
    for person in people[:60]:
        services.acknowledge_sop(sop=current, freelancer=person, actor=None)
    ensure_fresh(owner.workspace)  # the findings the writes left to refresh: not the page's work
    with django_assert_max_num_queries(15):
        body = owner_client.get(f"/guidance/sops/{sop.pk}/").content.decode()
    assert body.count("<li>Person") == 50 + 20  # the newest 50 acknowledgements, the 20 waiting


# The documents overview ------------------------------------------------------------------


def test_documents_overview_lists_people_with_a_login_and_counts_the_rest(owner, owner_client):
    services.add_default_document_types(workspace=owner.workspace, actor=None)
    with_login = [freelancer_with_login(owner.workspace, name=f"Login {i:02d}") for i in range(3)]
    FreelancerFactory.create_batch(4, workspace=owner.workspace)
    other = WorkspaceFactory()
    freelancer_with_login(other, name="Elsewhere Login")
    body = owner_client.get("/guidance/documents/").content.decode()
    assert all(p.name in body for p in with_login) and "Elsewhere Login" not in body
    assert "4 freelancer(s) without a portal login" in body


def test_documents_overview_queries_do_not_grow(owner, owner_client, django_assert_max_num_queries):
    services.add_default_document_types(workspace=owner.workspace, actor=None)
    for i in range(12):
        freelancer_with_login(owner.workspace, name=f"Login {i:02d}")
    with django_assert_max_num_queries(15):
        assert owner_client.get("/guidance/documents/?page=1").status_code == 200


# The pulse list ----------------------------------------------------------------------------


def _answer(freelancer, month, score=4, comment=""):
    return PulseResponse.objects.create(
        workspace=freelancer.workspace, freelancer=freelancer, month=month, score=score, comment=comment
    )


def test_pulse_list_shows_the_newest_month_and_links_to_the_others(owner, owner_client):
    ann, bob = (FreelancerFactory(workspace=owner.workspace, name=n) for n in ("Ann", "Bob"))
    _answer(ann, datetime.date(2026, 9, 1), comment="September remark")
    _answer(ann, datetime.date(2026, 11, 1), comment="November remark")
    _answer(bob, datetime.date(2026, 11, 1), comment="Bob in November")
    newest = owner_client.get("/guidance/pulse/").content.decode()
    assert "November remark" in newest and "Bob in November" in newest and "September remark" not in newest
    assert "November 2026: 2 answers" in newest and "?month=2026-09" in newest  # the month before, skipping October
    september = owner_client.get("/guidance/pulse/?month=2026-09").content.decode()
    assert "September remark" in september and "November remark" not in september and "?month=2026-11" in september


@pytest.mark.parametrize("asked", ["nonsense", "2026-13", "2026", ""])
def test_pulse_list_takes_a_bad_month_for_the_newest(owner, owner_client, asked):
    _answer(FreelancerFactory(workspace=owner.workspace), datetime.date(2026, 11, 1), comment="Shown")
    assert "Shown" in owner_client.get(f"/guidance/pulse/?month={asked}").content.decode()


def test_pulse_list_never_shows_another_workspace(owner, owner_client):
    _answer(FreelancerFactory(workspace=WorkspaceFactory()), datetime.date(2026, 12, 1), comment="Not yours")
    _answer(FreelancerFactory(workspace=owner.workspace), datetime.date(2026, 11, 1), comment="Yours")
    body = owner_client.get("/guidance/pulse/").content.decode()
    assert "Yours" in body and "Not yours" not in body and "2026-12" not in body


def test_pulse_list_pages_within_a_month(owner, owner_client, django_assert_max_num_queries):
    month = datetime.date(2026, 11, 1)
    for i in range(PAGE_SIZE + 3):
        _answer(FreelancerFactory(workspace=owner.workspace, name=f"P {i:03d}"), month)
    with django_assert_max_num_queries(12):
        body = owner_client.get("/guidance/pulse/?month=2026-11&page=2").content.decode()
    shown = re.findall(r'data-label="Freelancer">(P \d+)<', body)
    assert shown == ["P 050", "P 051", "P 052"] and "month=2026-11&page=1" in body


def test_sop_page_lists_each_audience_as_the_freelancers_own_sops_say(owner, skill, task):
    """Who the page lists (the audiences read from the SOP's side, as id conditions) are exactly
    the people whose own SOPs (read from the freelancer's side) include it, unless acknowledged."""
    from tests.engagements.factories import EngagementFactory
    from tests.tasks.factories import TaskFactory, TaskSkillFactory

    workspace = owner.workspace
    sop = make_sop(workspace, skills=[skill], tasks=[task])
    by_profile = _with_skill(workspace, skill, 3, prefix="Profile")
    needing = TaskFactory(workspace=workspace, name="Needs the skill")
    TaskSkillFactory(task=needing, skill=skill)
    elsewhere = TaskFactory(workspace=workspace, name="Unrelated")
    people = {}
    for name, on, state in [
        ("On the task", task, "active"),
        ("On a task needing the skill", needing, "draft"),
        ("Closed on the task", task, "terminated"),
        ("Unrelated work", elsewhere, "active"),
    ]:
        people[name] = FreelancerFactory(workspace=workspace, name=name)
        EngagementFactory(workspace=workspace, freelancer=people[name], task=on, state=state)
    sop = SOP.objects.select_related("current_version").get(pk=sop.pk)
    services.acknowledge_sop(sop=sop, freelancer=by_profile[0], actor=None)
    waiting = {p.pk for p in selectors.waiting_for(sop)}
    reached = {
        f.pk
        for f in FreelancerFactory._meta.model.objects.filter(workspace=workspace)
        if selectors.sops_for_freelancer(f).filter(pk=sop.pk).exists()
    }
    assert waiting == reached - {by_profile[0].pk}
    assert selectors.waiting_count(sop) == len(waiting) == selectors.waiting_for(sop).count()
    assert {people["On the task"].pk, people["On a task needing the skill"].pk, by_profile[1].pk} <= waiting
    assert people["Closed on the task"].pk not in waiting and people["Unrelated work"].pk not in waiting

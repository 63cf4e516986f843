from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.audit.models import AuditEvent
from sourcewise.findings.refresh import ensure_fresh
from sourcewise.guidance import audiences, selectors, services
from sourcewise.guidance.markdown import render_markdown
from sourcewise.guidance.models import SOP, SOPAcknowledgement, SOPVersion
from tests.guidance.conftest import make_sop
from tests.talent.factories import FreelancerFactory, FreelancerSkillFactory, SkillFactory
from tests.tasks.factories import TaskSkillFactory
from tests.workspaces.factories import WorkspaceFactory

# Sanitising ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "markdown, forbidden",
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src="x.png" onerror="alert(1)">', "onerror"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "javascript"),
        ('<a href="data:text/html,<script>alert(1)</script>">x</a>', "data:"),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ('<p style="background:url(javascript:alert(1))">x</p>', "style="),
        ('<svg onload="alert(1)"></svg>', "onload"),
        ('<div onclick="steal()">hi</div>', "onclick"),
        ("<form action='https://evil.example'><input name=pw></form>", "<form"),
    ],
)
def test_markdown_rendering_lets_no_script_through(markdown, forbidden):
    html = render_markdown(f"Intro\n\n{markdown}\n")
    assert forbidden.lower() not in html.lower()


def test_markdown_keeps_ordinary_formatting_and_safe_links():
    html = render_markdown("# Title\n\n- **bold** item\n- [guide](https://lumen.example/tone)\n\n`code`")
    assert "<h1>Title</h1>" in html and "<strong>bold</strong>" in html and "<code>code</code>" in html
    assert 'href="https://lumen.example/tone"' in html and 'rel="noopener noreferrer nofollow"' in html


# Services ------------------------------------------------------------------------------


def test_create_sop_makes_version_one_and_audits(owner, skill, task):
    sop = make_sop(owner.workspace, owner.user, skills=[skill], tasks=[task])
    assert sop.current_version.number == 1 and sop.current_version.author == owner.user
    assert list(sop.skills.all()) == [skill] and list(sop.tasks.all()) == [task]
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {"sop.create", "sop.version"}


def test_empty_body_or_duplicate_title_is_refused_and_nothing_is_saved(owner):
    with pytest.raises(ValidationError, match="cannot be empty"):
        make_sop(owner.workspace, owner.user, body="   ")
    make_sop(owner.workspace, owner.user, title="Playbook")
    with pytest.raises(ValidationError, match="already exists"):
        make_sop(owner.workspace, owner.user, title="PLAYBOOK")
    assert SOP.objects.count() == 1 and SOPVersion.objects.count() == 1


def test_attaching_another_workspaces_skill_is_refused(owner):
    foreign = SkillFactory(workspace=WorkspaceFactory())
    with pytest.raises(ValidationError):
        make_sop(owner.workspace, owner.user, skills=[foreign])
    assert not SOP.objects.exists()


def test_new_versions_are_numbered_in_turn_and_become_current(owner):
    sop = make_sop(owner.workspace, owner.user)
    v2 = services.add_sop_version(sop=sop, actor=owner.user, body="Within 1 hour.", change_note="Faster")
    v3 = services.add_sop_version(sop=sop, actor=owner.user, body="Within 30 minutes.", change_note="Faster still")
    sop.refresh_from_db()
    assert (v2.number, v3.number, sop.current_version_id) == (2, 3, v3.pk)
    with pytest.raises(ValidationError, match="Nothing changed"):
        services.add_sop_version(sop=sop, actor=owner.user, body="Within 30 minutes.", change_note="Same")
    with pytest.raises(ValidationError, match="what this version changes"):
        services.add_sop_version(sop=sop, actor=owner.user, body="Other", change_note=" ")
    assert SOPVersion.objects.filter(sop=sop).count() == 3


def test_a_new_version_asks_for_acknowledgement_again(owner, me, skill):
    sop = make_sop(owner.workspace, owner.user, skills=[skill])
    assert list(selectors.unacknowledged_sops(me)) == [sop]
    services.acknowledge_sop(sop=sop, freelancer=me, actor=me.user)
    services.acknowledge_sop(sop=sop, freelancer=me, actor=me.user)  # twice: still one row
    assert SOPAcknowledgement.objects.count() == 1
    assert list(selectors.unacknowledged_sops(me)) == []
    services.add_sop_version(sop=sop, actor=owner.user, body="New rules", change_note="New rules")
    assert list(selectors.unacknowledged_sops(me)) == [sop]
    [row] = selectors.acknowledgement_status(SOP.objects.select_related("current_version").get(pk=sop.pk))
    assert (row.freelancer, row.acknowledged_number) == (me, 1)


# Selectors for engagements -------------------------------------------------------------


def test_sops_for_task_come_from_the_task_and_from_its_skills(owner, task):
    needed = TaskSkillFactory(task=task).skill
    by_task = make_sop(owner.workspace, title="By task", tasks=[task])
    by_skill = make_sop(owner.workspace, title="By skill", skills=[needed])
    both = make_sop(owner.workspace, title="Both", skills=[needed], tasks=[task])
    make_sop(owner.workspace, title="Unrelated", skills=[SkillFactory(workspace=owner.workspace)])
    assert set(selectors.sops_for_task(task)) == {by_task, by_skill, both}
    assert selectors.sops_for_task(task).count() == 3  # each once


def test_tasks_without_any_sop(owner, task):
    from sourcewise.tasks.models import Task
    from tests.tasks.factories import TaskFactory

    covered_by_skill = TaskSkillFactory(task__workspace=owner.workspace).task
    make_sop(owner.workspace, title="Via skill", skills=[covered_by_skill.skill_needs.get().skill])
    covered_by_task = TaskFactory(workspace=owner.workspace)
    make_sop(owner.workspace, title="Via task", tasks=[covered_by_task])
    tasks = Task.objects.filter(workspace=owner.workspace)
    assert list(selectors.tasks_without_sops(tasks)) == [task]


def test_unacknowledged_sops_for_a_task(owner, task):
    needed = TaskSkillFactory(task=task).skill
    freelancer = FreelancerFactory(workspace=owner.workspace)
    first = make_sop(owner.workspace, title="First", skills=[needed])
    second = make_sop(owner.workspace, title="Second", tasks=[task])
    services.acknowledge_sop(sop=first, freelancer=freelancer, actor=None)
    assert list(selectors.unacknowledged_sops(freelancer, task)) == [second]


def test_sops_for_a_freelancer_follow_the_skills_in_their_profile(owner, skill):
    freelancer = FreelancerSkillFactory(freelancer__workspace=owner.workspace, skill=skill).freelancer
    mine = make_sop(owner.workspace, title="Mine", skills=[skill])
    make_sop(owner.workspace, title="Someone else's", skills=[SkillFactory(workspace=owner.workspace)])
    assert list(selectors.sops_for_freelancer(freelancer)) == [mine]
    assert list(selectors.freelancers_for_sops(SOP.objects.filter(pk=mine.pk))) == [freelancer]


def test_an_extra_audience_can_be_registered(owner, skill, task):
    from django.db.models import Q

    freelancer = FreelancerFactory(workspace=owner.workspace)
    sop = make_sop(owner.workspace, tasks=[task])
    audience = audiences.SopAudience(
        "test_everyone_on_tasks",
        sops_for=lambda freelancers: Q(tasks__isnull=False, workspace__freelancers__in=freelancers),
        freelancers_for=lambda sops: Q(workspace__sops__in=sops.filter(tasks__isnull=False)),
    )
    audiences.register_sop_audience(audience)
    try:
        assert list(selectors.sops_for_freelancer(freelancer)) == [sop]
        # Its join is asked apart: each person listed and counted once on the SOP's page.
        other = FreelancerFactory(workspace=owner.workspace)
        sop = SOP.objects.get(pk=sop.pk)
        assert sorted(f.pk for f in selectors.waiting_for(sop)) == sorted([freelancer.pk, other.pk])
        assert selectors.waiting_count(sop) == 2
    finally:
        audiences._AUDIENCES.pop("test_everyone_on_tasks")
    assert list(selectors.sops_for_freelancer(freelancer)) == []


# Pages ---------------------------------------------------------------------------------


def test_owner_writes_an_sop_and_sees_who_has_not_acknowledged(owner_client, owner, me, skill):
    response = owner_client.post(
        "/guidance/sops/new/", {"title": "Support playbook", "body": "Be **kind**.", "skills": [skill.pk]}
    )
    sop = SOP.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/guidance/sops/{sop.pk}/"
    page = owner_client.get(response["Location"]).content.decode()
    assert "<strong>kind</strong>" in page and "Not acknowledged yet" in page and me.name in page
    response = owner_client.post(
        f"/guidance/sops/{sop.pk}/versions/new/", {"body": "Be **very** kind.", "change_note": "Kinder"}
    )
    version = SOPVersion.objects.get(sop=sop, number=2)
    diff = owner_client.get(f"/guidance/sop-versions/{version.pk}/").content.decode()
    assert "diff-del" in diff and "diff-add" in diff and "Kinder" in diff


def test_sop_list_is_constant_in_queries(owner_client, owner, skill, task):
    for i in range(30):
        make_sop(owner.workspace, title=f"SOP {i:02}", skills=[skill], tasks=[task])
    with CaptureQueriesContext(connection) as queries:
        body = owner_client.get("/guidance/sops/").content.decode()
    assert "SOP 00" in body and "SOP 29" in body
    assert len(queries) <= 12
    fragment = owner_client.get("/guidance/sops/?q=SOP 07", headers={"HX-Request": "true"}).content.decode()
    assert "SOP 07" in fragment and "SOP 08" not in fragment and "<html" not in fragment


def test_sop_detail_is_constant_in_queries(owner_client, owner, skill):
    sop = make_sop(owner.workspace, skills=[skill])

    def count():
        ensure_fresh(owner.workspace)  # the findings the writes left to refresh: not the page's work
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(f"/guidance/sops/{sop.pk}/").status_code == 200
        return len(queries)

    few = count()
    for _ in range(10):
        person = FreelancerSkillFactory(freelancer__workspace=owner.workspace, skill=skill).freelancer
        services.acknowledge_sop(sop=sop, freelancer=person, actor=None)
    assert count() == few


def test_managers_may_write_sops_freelancers_may_not_open_the_owner_pages(manager_client, freelancer_client):
    assert manager_client.get("/guidance/sops/new/").status_code == 200
    assert freelancer_client.get("/guidance/sops/").status_code == 403

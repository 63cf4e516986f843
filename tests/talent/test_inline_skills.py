"""Skills created inline from the freelancer and task forms, reused by name case-insensitively, audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from sourcewise.audit.models import AuditEvent
from sourcewise.talent.forms import parse_new_skills
from sourcewise.talent.models import Freelancer, FreelancerSkill, Skill
from sourcewise.talent.services import ensure_skills
from sourcewise.tasks.models import Task, TaskSkill
from tests.talent.factories import FreelancerSkillFactory, SkillFactory
from tests.talent.test_talent_pages import HOURS
from tests.tasks.factories import TaskFactory, TaskSkillFactory
from tests.workspaces.factories import WorkspaceFactory


def test_parse_names_with_levels():
    assert parse_new_skills("Xero:3; Payroll : 2,  Sales  tax:5") == {"Xero": 3, "Payroll": 2, "Sales tax": 5}
    assert parse_new_skills("  ") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Xero", "Give 'Xero' a level after a colon"),
        ("Xero:9", "The level of Xero must be 1 to 5"),
        (":3", "Give ':3' a level"),
        ("x" * 81 + ":2", "at most 80 characters"),
    ],
)
def test_parse_refuses_what_it_cannot_read(text, message):
    with pytest.raises(ValidationError, match=message):
        parse_new_skills(text)


def test_ensure_skills_reuses_by_name_and_creates_the_rest_audited(owner):
    workspace = owner.workspace
    xero = SkillFactory(workspace=workspace, name="Xero")
    SkillFactory(workspace=WorkspaceFactory(), name="Payroll")  # another workspace's skill is not reused
    skills = ensure_skills(workspace=workspace, actor=owner.user, names=["xero", " Payroll ", "PAYROLL", ""])
    assert [s.name for s in skills] == ["Xero", "Payroll"] and skills[0] == xero
    assert skills[1].workspace == workspace
    assert Skill.objects.filter(workspace=workspace).count() == 2
    created = AuditEvent.objects.filter(action="skill.create")
    assert [(e.target_label, e.workspace_id) for e in created] == [("Payroll", workspace.pk)]


def test_a_new_freelancer_with_inline_skills(owner_client, owner):
    SkillFactory(workspace=owner.workspace, name="Bookkeeping")
    response = owner_client.post(
        "/talent/freelancers/new/",
        {"name": "Amani", "email": "amani@example.org", "country": "KE", "timezone": "Africa/Nairobi",
         "new_skills": "bookkeeping:4; Xero:3", **HOURS},
    )  # fmt: skip
    assert response.status_code == 302
    amani = Freelancer.objects.get()
    levels = FreelancerSkill.objects.filter(freelancer=amani).values_list("skill__name", "level")
    assert sorted(levels) == [("Bookkeeping", 4), ("Xero", 3)]
    assert Skill.objects.filter(workspace=owner.workspace).count() == 2  # Bookkeeping reused
    assert AuditEvent.objects.filter(action="skill.create", target_label="Xero", actor=owner.user).count() == 1


def test_editing_adds_inline_skills_next_to_the_chosen_levels(owner_client, owner):
    link = FreelancerSkillFactory(freelancer__workspace=owner.workspace, skill__workspace=owner.workspace, level=2)
    f = link.freelancer
    response = owner_client.post(
        f"/talent/freelancers/{f.pk}/edit/",
        {"name": f.name, "email": f.email, "country": f.country, "timezone": f.timezone,
         f"skill_{link.skill.pk}": "5", "new_skills": "Canva:2", **HOURS},
    )  # fmt: skip
    assert response.status_code == 302
    levels = FreelancerSkill.objects.filter(freelancer=f).values_list("skill__name", "level")
    assert sorted(levels) == sorted([(link.skill.name, 5), ("Canva", 2)])


def test_unreadable_inline_skills_change_nothing(owner_client, owner):
    response = owner_client.post(
        "/talent/freelancers/new/",
        {"name": "A", "email": "a@example.org", "country": "KE", "timezone": "", "new_skills": "Xero", **HOURS},
    )
    assert response.status_code == 200
    assert "Give &#x27;Xero&#x27; a level after a colon" in response.content.decode()
    assert not Freelancer.objects.exists() and not Skill.objects.exists()


def test_a_task_form_creates_skills_inline(owner_client, owner):
    response = owner_client.post("/tasks/new/", {"name": "Payroll run", "new_skills": "Payroll:3, Xero:2"})
    assert response.status_code == 302
    task = Task.objects.get()
    needs = TaskSkill.objects.filter(task=task).values_list("skill__name", "level")
    assert sorted(needs) == [("Payroll", 3), ("Xero", 2)]


def test_a_task_edit_keeps_needs_and_adds_inline_ones(owner_client, owner):
    need = TaskSkillFactory(task=TaskFactory(workspace=owner.workspace), skill=SkillFactory(workspace=owner.workspace))
    task = need.task
    response = owner_client.post(
        f"/tasks/{task.pk}/edit/",
        {"name": task.name, f"skill_{need.skill.pk}": "4", "new_skills": "Payroll:1"},
    )
    assert response.status_code == 302
    assert sorted(TaskSkill.objects.filter(task=task).values_list("skill__name", "level")) == sorted(
        [(need.skill.name, 4), ("Payroll", 1)]
    )

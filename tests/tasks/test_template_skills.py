"""Task templates carry their skills: creating a task from one links them, creating missing Skill rows."""

from __future__ import annotations

from sourcewise.audit.models import AuditEvent
from sourcewise.talent.models import Skill
from sourcewise.tasks.models import TaskSkill
from sourcewise.tasks.services import apply_template, create_task
from sourcewise.tasks.task_templates import TEMPLATES
from tests.talent.factories import SkillFactory
from tests.tasks.factories import TaskFactory, TaskSkillFactory
from tests.workspaces.factories import WorkspaceFactory


def _needs(task) -> list[tuple[str, int]]:
    return sorted(TaskSkill.objects.filter(task=task).values_list("skill__name", "level"))


def test_every_template_names_skills_with_valid_levels():
    for template in TEMPLATES.values():
        assert template.skills, template.key
        assert all(1 <= level <= 5 and 0 < len(name) <= 80 for name, level in template.skills)


def test_a_task_from_a_template_needs_its_skills_creating_the_missing_ones(owner):
    workspace = owner.workspace
    existing = SkillFactory(workspace=workspace, name="bookkeeping")  # reused whatever its case
    SkillFactory(workspace=WorkspaceFactory(), name="Bank reconciliation")  # another workspace's: not reused
    task = create_task(workspace=workspace, actor=owner.user, template="bookkeeping", name="Books")
    assert _needs(task) == [("Bank reconciliation", 3), ("Sales tax / VAT", 2), ("bookkeeping", 3)]
    assert TaskSkill.objects.get(task=task, skill__name="bookkeeping").skill == existing
    assert Skill.objects.filter(workspace=workspace).count() == 3
    created = AuditEvent.objects.filter(action="skill.create", workspace=workspace).values_list(
        "target_label", flat=True
    )
    assert sorted(created) == ["Bank reconciliation", "Sales tax / VAT"]


def test_a_level_chosen_on_the_form_wins_over_the_templates(owner):
    skill = SkillFactory(workspace=owner.workspace, name="SEO")
    task = create_task(
        workspace=owner.workspace, actor=owner.user, template="copywriting", name="Blog", skills={skill: 5}
    )
    assert _needs(task) == [("Copywriting", 3), ("SEO", 5)]


def test_applying_a_template_adds_its_missing_skills_and_keeps_the_task_levels(owner):
    need = TaskSkillFactory(task=TaskFactory(workspace=owner.workspace), skill__name="Data entry", level=5)
    apply_template(task=need.task, actor=owner.user, template="data_entry")
    assert _needs(need.task) == [("Data entry", 5), ("Spreadsheets", 2)]
    apply_template(task=need.task, actor=owner.user, template="data_entry")  # twice: nothing more
    assert _needs(need.task) == [("Data entry", 5), ("Spreadsheets", 2)]
    assert Skill.objects.filter(workspace=owner.workspace).count() == 2


def test_the_form_shows_the_templates_skills_and_prefills_known_ones(owner_client, owner):
    seo = SkillFactory(workspace=owner.workspace, name="SEO")
    page = owner_client.get("/tasks/new/?template=copywriting").content.decode()
    assert "<strong>Copywriting</strong> level 3" in page and "<strong>SEO</strong> level 2" in page
    assert '<option value="2" selected>' in page.split(f'id="id_skill_{seo.pk}"')[1].split("</select>")[0]


def test_a_task_created_from_a_template_page_shows_its_skills(owner_client, owner):
    response = owner_client.post(
        "/tasks/new/", {"template": "video_editing", "name": "Reels", "frequency": "recurring", "hours": "12"}
    )
    assert response.status_code == 302
    page = owner_client.get(response["Location"]).content.decode()
    assert "Video editing ≥ 3" in page and "Captioning ≥ 2" in page

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.talent.models import Freelancer, FreelancerSkill
from tests.talent.factories import FreelancerSkillFactory, SkillFactory

HOURS = {"work_start": "09:00", "work_end": "17:00", "work_days": ["0", "1", "2", "3", "4"], "availability_hours": "40"}


def test_add_a_freelancer_with_skills(owner_client, owner):
    skill = SkillFactory(workspace=owner.workspace, name="Bookkeeping")
    response = owner_client.post(
        "/talent/freelancers/new/",
        {"name": "Amani Otieno", "email": "Amani@Example.org", "country": "KE", "timezone": "Africa/Nairobi",
         f"skill_{skill.pk}": "4", **HOURS},
    )  # fmt: skip
    freelancer = Freelancer.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/talent/freelancers/{freelancer.pk}/"
    assert (freelancer.email, freelancer.country, freelancer.workspace) == ("amani@example.org", "KE", owner.workspace)
    assert list(FreelancerSkill.objects.values_list("skill__name", "level")) == [("Bookkeeping", 4)]
    page = owner_client.get(f"/talent/freelancers/{freelancer.pk}/").content.decode()
    assert "Kenya" in page and "Bookkeeping 4/5" in page


def test_bad_freelancer_input_changes_nothing(owner_client, owner):
    response = owner_client.post(
        "/talent/freelancers/new/",
        {"name": "X", "email": "x@example.org", "country": "KE", "timezone": "Africa/Atlantis"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Freelancer.objects.exists()


def test_duplicate_email_is_refused_in_the_same_workspace_only(owner_client, owner):
    data = {"name": "A", "email": "same@example.org", "country": "PH", "timezone": "Asia/Manila", **HOURS}
    owner_client.post("/talent/freelancers/new/", data)
    response = owner_client.post("/talent/freelancers/new/", {**data, "email": "SAME@example.org"})
    assert "already exists" in response.content.decode()
    assert Freelancer.objects.count() == 1


def test_edit_records_the_change(owner_client, owner):
    skill = FreelancerSkillFactory(freelancer__workspace=owner.workspace, skill__workspace=owner.workspace)
    f = skill.freelancer
    response = owner_client.post(
        f"/talent/freelancers/{f.pk}/edit/",
        {"name": "New Name", "email": f.email, "country": f.country, "timezone": f.timezone, **HOURS},
    )
    assert response.status_code == 302
    f.refresh_from_db()
    assert f.name == "New Name"
    assert not FreelancerSkill.objects.filter(freelancer=f).exists()  # skill level cleared on the form


def test_freelancer_list_is_paginated_searchable_and_constant_in_queries(owner_client, owner):
    for i in range(60):
        FreelancerSkillFactory(
            freelancer__workspace=owner.workspace, freelancer__name=f"Person {i:02}", skill__workspace=owner.workspace
        )
    with CaptureQueriesContext(connection) as queries:
        page = owner_client.get("/talent/freelancers/")
    body = page.content.decode()
    assert "Next →" in body and "Person 00" in body and "Person 55" not in body  # keyset pages, no count
    assert len(queries) <= 12
    fragment = owner_client.get("/talent/freelancers/?q=Person 07", headers={"HX-Request": "true"}).content.decode()
    assert "Person 07" in fragment and "Person 08" not in fragment and "<html" not in fragment


def test_skills_page_counts_people_and_tasks(owner_client, owner):
    link = FreelancerSkillFactory(freelancer__workspace=owner.workspace, skill__workspace=owner.workspace)
    body = owner_client.get("/talent/skills/").content.decode()
    assert link.skill.name in body

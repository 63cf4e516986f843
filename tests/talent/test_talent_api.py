from __future__ import annotations

from sourcewise.talent.models import Freelancer
from tests.talent.factories import SkillFactory
from tests.talent.helpers import freelancer, vet

PAYLOAD = {
    "name": "Amani Otieno",
    "email": "amani@example.org",
    "country": "KE",
    "timezone": "Africa/Nairobi",
    "work_start": "08:00",
    "work_end": "17:00",
    "work_days": [0, 1, 2, 3, 4],
    "languages": [{"language": "en", "level": "C1"}, {"language": "sw", "level": "C2"}],
    "hourly_rate": "14.50",
    "rate_currency": "usd",
    "availability_hours": 30,
}


def test_create_and_read_a_full_profile(client, owner, owner_api):
    skill = SkillFactory(workspace=owner.workspace, name="Bookkeeping")
    response = client.post(
        "/api/v1/freelancers", {**PAYLOAD, "skills": [{"skill_id": skill.pk, "level": 4}]},
        content_type="application/json", headers=owner_api,
    )  # fmt: skip
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["work_start"], data["hourly_rate"], data["rate_currency"], data["status"]) == (
        "08:00", "14.50", "USD", "prospect")  # fmt: skip
    assert data["languages"] == [{"language": "en", "level": "C1"}, {"language": "sw", "level": "C2"}]
    overlap = client.get(f"/api/v1/freelancers/{data['id']}/overlap", headers=owner_api).json()
    assert overlap["business_days"] == 20 and overlap["minimum"] == "2.0"


def test_unknown_names_are_refused_and_nothing_is_created(client, owner_api):
    for field, value in (("country", "ZZ"), ("timezone", "Mars/Base"), ("rate_currency", "ABC"),
                         ("languages", [{"language": "xx", "level": "C1"}]), ("work_start", "25:00")):  # fmt: skip
        response = client.post(
            "/api/v1/freelancers", {**PAYLOAD, field: value}, content_type="application/json", headers=owner_api
        )
        assert response.status_code == 422, (field, response.content)
        assert response.json()["errors"]
    assert not Freelancer.objects.exists()


def test_vetting_over_the_api_refuses_approval_with_the_missing_steps(client, owner, owner_api):
    f = freelancer(owner.workspace, status="vetting")
    url = f"/api/v1/freelancers/{f.pk}"
    refused = client.post(f"{url}/status", {"status": "approved"}, content_type="application/json", headers=owner_api)
    assert refused.status_code == 422
    assert [e["message"].split(":")[0] for e in refused.json()["errors"]] == [
        "Portfolio reviewed", "References", "Interview", "Trial"]  # fmt: skip
    post = lambda path, body: client.post(f"{url}/{path}", body, content_type="application/json", headers=owner_api)  # noqa: E731
    assert post("portfolio", {"title": "Site", "url": "https://example.org", "rating": 4}).status_code == 201
    for client_name in ("A Ltd", "B Ltd"):
        body = {"client_name": client_name, "contact": "x@example.org", "rating": 4, "comment": "Good"}
        assert post("references", body).status_code == 201
    assert post("interviews", {"held_on": "2026-01-05", "communication": 4, "culture_fit": 5}).status_code == 201
    state = post("trials", {"title": "Trial", "completed_on": "2026-01-09", "rating": 4}).json()
    assert state["complete"] and state["missing"] == [] and state["reference_average"] == "4"
    approved = post("status", {"status": "approved"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


def test_bench_lists_depth_per_skill(client, owner, owner_api):
    deep, thin = (
        SkillFactory(workspace=owner.workspace, name="Deep"),
        SkillFactory(workspace=owner.workspace, name="Thin"),
    )
    for level in (3, 4):
        vet(freelancer(owner.workspace, status="approved", skills={deep: level}))
    vet(freelancer(owner.workspace, status="approved", skills={thin: 2}))  # below the bench level 3
    freelancer(owner.workspace, status="prospect", skills={thin: 5})  # not approved
    items = client.get("/api/v1/bench", headers=owner_api).json()["items"]
    assert {(i["skill"], i["depth"], i["thin"]) for i in items} == {("Deep", 2, False), ("Thin", 0, True)}

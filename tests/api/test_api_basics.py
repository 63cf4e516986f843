from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.api.models import ApiToken
from sourcewise.api.services import create_token, revoke_token
from sourcewise.talent.models import Freelancer
from tests.talent.factories import FreelancerSkillFactory, SkillFactory


def test_token_is_stored_hashed_and_shown_once(owner_client, owner):
    response = owner_client.post("/settings/api-tokens/", {"name": "sync"})
    raw = response.context["new_token"]
    token = ApiToken.objects.get(user=owner.user)
    assert raw not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in owner_client.get("/settings/api-tokens/").content.decode()


def test_revoked_token_and_removed_member_are_refused(client, owner, manager):
    token, raw = create_token(user=manager.user, workspace=manager.workspace, name="x")
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/skills", headers=headers).status_code == 200
    revoke_token(token=token, actor=owner.user)
    assert client.get("/api/v1/skills", headers=headers).status_code == 401
    _, raw2 = create_token(user=manager.user, workspace=manager.workspace, name="y")
    manager.delete()
    assert client.get("/api/v1/skills", headers={"Authorization": f"Bearer {raw2}"}).status_code == 401


@pytest.mark.parametrize("value", ["", "Bearer", "Bearer sw_x_y", "Bearer sw_00000000_nope", "Token abc"])
def test_bad_tokens_get_a_json_401(client, owner, value):
    response = client.get("/api/v1/health", headers={"Authorization": value})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert "Bearer" in response.json()["message"]


def test_wrong_role_gets_a_json_403(client, freelancer_member):
    from tests.conftest import api_headers

    response = client.get("/api/v1/tasks", headers=api_headers(freelancer_member))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_cursor_pages_walk_every_row_once(client, owner, owner_api):
    skills = [SkillFactory(workspace=owner.workspace) for _ in range(7)]
    SkillFactory()  # another workspace: never listed
    seen, cursor = [], None
    while True:
        url = "/api/v1/skills?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=owner_api).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [s.pk for s in skills]


@pytest.mark.parametrize(
    "query, field",
    [("limit=0", "limit"), ("limit=201", "limit"), ("cursor=abc", "cursor"), ("cursor=-1", "cursor")],
)
def test_bad_paging_input_is_a_clear_422(client, owner_api, query, field):
    response = client.get(f"/api/v1/skills?{query}", headers=owner_api)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input" and body["errors"][0]["field"] == field


def test_list_query_count_does_not_grow_with_the_page(client, owner, owner_api):
    for _ in range(30):
        FreelancerSkillFactory(freelancer__workspace=owner.workspace, skill__workspace=owner.workspace)
    client.get("/api/v1/freelancers?limit=1", headers=owner_api)  # stamps last-used (once a minute)
    counts = []
    for limit in (1, 30):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/freelancers?limit={limit}", headers=owner_api)
        assert response.status_code == 200 and len(response.json()["items"]) == limit
        counts.append(len(queries))
    # token with its membership, the page, the skills of the page: SPEC §6 P1 allows 4
    assert counts == [3, 3]


def test_unknown_country_zone_and_skill_are_refused_by_name(client, owner, owner_api):
    body = {"name": "Ana", "email": "ana@example.org", "country": "XX", "timezone": "Europe/Nowhere", "skills": []}
    response = client.post("/api/v1/freelancers", body, content_type="application/json", headers=owner_api)
    assert response.status_code == 422
    messages = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert "Unknown country 'XX'" in messages["country"]
    assert "Unknown time zone 'Europe/Nowhere'" in messages["timezone"]
    body.update(country="ro", timezone="Europe/Bucharest", skills=[{"skill_id": 999999, "level": 3}])
    response = client.post("/api/v1/freelancers", body, content_type="application/json", headers=owner_api)
    assert response.status_code == 422 and "999999" in response.json()["message"]
    assert not Freelancer.objects.exists()


def test_create_and_read_a_freelancer(client, owner, owner_api):
    skill = SkillFactory(workspace=owner.workspace, name="SEO")
    body = {"name": "Ana", "email": "Ana@Example.org", "country": "ro", "timezone": "Europe/Bucharest",
            "skills": [{"skill_id": skill.pk, "level": 4}]}  # fmt: skip
    created = client.post("/api/v1/freelancers", body, content_type="application/json", headers=owner_api)
    assert created.status_code == 201
    data = created.json()
    assert (data["country"], data["email"]) == ("RO", "ana@example.org")
    assert data["skills"] == [{"skill_id": skill.pk, "skill": "SEO", "level": 4}]
    again = client.post("/api/v1/freelancers", body, content_type="application/json", headers=owner_api)
    assert again.status_code == 409 and again.json()["code"] == "duplicate"
    fetched = client.get(f"/api/v1/freelancers/{data['id']}", headers=owner_api)
    assert fetched.json() == data


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/health" in schema["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"cdn" not in docs.content.lower()


def test_a_token_of_an_inactive_user_or_a_former_member_is_refused(client, owner, owner_api):
    assert client.get("/api/v1/health", headers=owner_api).status_code == 200
    owner.user.is_active = False
    owner.user.save()
    assert client.get("/api/v1/health", headers=owner_api).status_code == 401
    owner.user.is_active = True
    owner.user.save()
    owner.delete()
    assert client.get("/api/v1/health", headers=owner_api).status_code == 401

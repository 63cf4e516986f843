from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.guidance import services
from sourcewise.guidance.models import SOP, PulseResponse, SOPAcknowledgement, TrainingRecord
from tests.conftest import api_headers
from tests.guidance.conftest import make_sop
from tests.talent.factories import SkillFactory
from tests.workspaces.factories import MembershipFactory, WorkspaceFactory


def post(client, url, payload, headers, method="post"):
    return getattr(client, method)(url, data=json.dumps(payload), content_type="application/json", headers=headers)


@pytest.fixture
def freelancer_api(freelancer_member, me):
    return api_headers(freelancer_member)


def test_create_version_and_read_an_sop(client, owner, owner_api, skill):
    response = post(
        client,
        "/api/v1/sops",
        {"title": "Playbook", "body": "Hi <script>x()</script>**there**", "skill_ids": [skill.pk]},
        owner_api,
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["skill_ids"] == [skill.pk] and data["current_version"]["number"] == 1
    assert (
        "<script" not in data["current_version"]["html"] and "<strong>there</strong>" in data["current_version"]["html"]
    )
    sop_id = data["id"]
    version = post(client, f"/api/v1/sops/{sop_id}/versions", {"body": "New", "change_note": "Shorter"}, owner_api)
    assert version.status_code == 201 and version.json()["number"] == 2
    assert client.get(f"/api/v1/sops/{sop_id}", headers=owner_api).json()["current_version"]["body"] == "New"
    versions = client.get(f"/api/v1/sops/{sop_id}/versions", headers=owner_api).json()["items"]
    assert [v["number"] for v in versions] == [1, 2]
    updated = post(client, f"/api/v1/sops/{sop_id}", {"title": "Renamed", "skill_ids": []}, owner_api, "put")
    assert updated.json()["title"] == "Renamed" and updated.json()["skill_ids"] == []


def test_sop_refusals(client, owner, owner_api):
    make_sop(owner.workspace, title="Taken")
    duplicate = post(client, "/api/v1/sops", {"title": "taken", "body": "x"}, owner_api)
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "duplicate"
    foreign = SkillFactory(workspace=WorkspaceFactory())
    unknown = post(client, "/api/v1/sops", {"title": "New", "body": "x", "skill_ids": [foreign.pk]}, owner_api)
    assert unknown.status_code == 422 and "Unknown skill" in unknown.json()["message"]
    blank = post(client, "/api/v1/sops", {"title": "New", "body": "   "}, owner_api)
    assert blank.status_code == 422
    assert SOP.objects.count() == 1


def test_freelancer_acknowledges_over_the_api_and_sees_only_what_applies(
    client, owner, owner_api, me, skill, freelancer_api
):
    mine = make_sop(owner.workspace, title="Mine", skills=[skill])
    other = make_sop(owner.workspace, title="Other")
    listed = client.get("/api/v1/sops", headers=freelancer_api).json()["items"]
    assert [s["title"] for s in listed] == ["Mine"]
    assert client.get(f"/api/v1/sops/{other.pk}", headers=freelancer_api).status_code == 404
    assert client.post(f"/api/v1/sops/{other.pk}/acknowledgement", headers=freelancer_api).status_code == 404
    response = client.post(f"/api/v1/sops/{mine.pk}/acknowledgement", headers=freelancer_api)
    assert response.status_code == 201 and response.json()["version"] == 1
    assert SOPAcknowledgement.objects.get().freelancer == me
    status = client.get(f"/api/v1/sops/{mine.pk}/acknowledgements", headers=owner_api).json()
    assert status == [
        {
            "freelancer_id": me.pk,
            "freelancer": me.name,
            "acknowledged_version": 1,
            "acknowledged_at": status[0]["acknowledged_at"],
            "is_current": True,
        }
    ]
    assert client.post(f"/api/v1/sops/{mine.pk}/acknowledgement", headers=owner_api).status_code == 403
    assert client.get(f"/api/v1/sops/{mine.pk}/acknowledgements", headers=freelancer_api).status_code == 403
    assert len(client.get("/api/v1/acknowledgements", headers=freelancer_api).json()["items"]) == 1


def test_pulse_over_the_api(client, owner_api, freelancer_api, me):
    first = post(client, "/api/v1/pulses/current", {"score": 2, "comment": "Slow feedback"}, freelancer_api, "put")
    again = post(client, "/api/v1/pulses/current", {"score": 3}, freelancer_api, "put")
    assert first.status_code == again.status_code == 200 and first.json()["id"] == again.json()["id"]
    assert PulseResponse.objects.get().score == 3
    assert post(client, "/api/v1/pulses/current", {"score": 6}, freelancer_api, "put").status_code == 422
    assert post(client, "/api/v1/pulses/current", {"score": 3}, owner_api, "put").status_code == 403
    assert [p["score"] for p in client.get("/api/v1/pulses", headers=owner_api).json()["items"]] == [3]


def test_document_types_and_metadata(client, owner, owner_api, freelancer_api, me):
    created = post(client, "/api/v1/document-types", {"name": "NDA", "expires": False}, owner_api)
    assert created.status_code == 201
    doc_type_id = created.json()["id"]
    assert post(client, "/api/v1/document-types", {"name": "nda"}, owner_api).status_code == 409
    assert post(client, "/api/v1/document-types", {"name": "W-8BEN"}, freelancer_api).status_code == 403
    changed = post(client, f"/api/v1/document-types/{doc_type_id}", {"name": "NDA", "expires": True}, owner_api, "put")
    assert changed.json()["expires"] is True
    assert [t["name"] for t in client.get("/api/v1/document-types", headers=freelancer_api).json()["items"]] == ["NDA"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.guidance.conftest import PDF

    doc = services.upload_document(
        freelancer=me,
        document_type=services.DocumentType.objects.get(),
        upload=SimpleUploadedFile("x.pdf", PDF),
        expires_on=datetime.date(2030, 1, 1),
        actor=me.user,
    )
    [item] = client.get("/api/v1/documents", headers=freelancer_api).json()["items"]
    assert item["download_url"] == f"/guidance/documents/{doc.pk}/file/" and item["content_type"] == "application/pdf"


def test_training_over_the_api(client, owner, owner_api, manager, freelancer_member):
    response = post(
        client, "/api/v1/training", {"member_id": manager.pk, "date": "2026-02-01", "topic": "Workshop"}, owner_api
    )
    assert response.status_code == 201 and TrainingRecord.objects.get().member == manager
    assert (
        post(
            client,
            "/api/v1/training",
            {"member_id": freelancer_member.pk, "date": "2026-02-01", "topic": "x"},
            owner_api,
        ).status_code
        == 422
    )
    stranger = MembershipFactory(role="manager")
    assert (
        post(
            client, "/api/v1/training", {"member_id": stranger.pk, "date": "2026-02-01", "topic": "x"}, owner_api
        ).status_code
        == 422
    )
    assert [t["topic"] for t in client.get("/api/v1/training", headers=owner_api).json()["items"]] == ["Workshop"]


def test_sop_list_api_is_constant_in_queries(client, owner, owner_api, skill):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/sops?limit=200", headers=owner_api).status_code == 200
        return len(queries)

    make_sop(owner.workspace, title="First", skills=[skill])
    count()  # the token's first use records it
    few = count()
    for i in range(15):
        make_sop(owner.workspace, title=f"SOP {i}", skills=[skill])
    assert count() == few

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from sourcewise.findings.engine import evaluate
from sourcewise.guidance import services
from sourcewise.guidance.models import DocumentType, FreelancerDocument
from tests.conftest import client_for
from tests.guidance.conftest import JPEG, PDF, PNG, freelancer_with_login
from tests.talent.factories import FreelancerFactory
from tests.workspaces.factories import MembershipFactory, WorkspaceFactory

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture
def types(owner):
    created = services.add_default_document_types(workspace=owner.workspace, actor=owner.user)
    return {t.name: t for t in created}


def upload(freelancer, doc_type, content=PDF, name="agreement.pdf", expires_on=None, today=TODAY):
    return services.upload_document(
        freelancer=freelancer,
        document_type=doc_type,
        upload=SimpleUploadedFile(name, content),
        expires_on=expires_on,
        actor=freelancer.user,
        today=today,
    )


def test_defaults_are_the_usual_three_and_adding_them_twice_adds_nothing(owner, types):
    assert sorted(types) == ["NDA", "Signed agreement", "Tax form"]
    assert types["Tax form"].expires and not types["NDA"].expires
    assert services.add_default_document_types(workspace=owner.workspace, actor=owner.user) == []
    assert DocumentType.objects.count() == 3


@pytest.mark.parametrize("content, content_type", [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")])
def test_pdf_png_and_jpeg_are_accepted_by_content_and_stored_privately(me, types, content, content_type, private_media):
    document = upload(me, types["NDA"], content=content, name="scan.bin")
    assert document.content_type == content_type and document.size == len(content)
    path = document.file.name
    assert path.startswith(f"private/ws{me.workspace_id}/documents/") and "scan" not in path
    assert (private_media / path).read_bytes() == content
    assert document.original_name == "scan.bin"


def test_a_file_that_is_not_a_pdf_is_refused_whatever_its_name(me, types, private_media):
    with pytest.raises(ValidationError, match="not a PDF, PNG or JPEG"):
        upload(me, types["NDA"], content=b"<html><script>alert(1)</script></html>", name="nda.pdf")
    with pytest.raises(ValidationError, match="not a PDF"):
        upload(me, types["NDA"], content=b"MZ\x90\x00 an exe", name="nda.pdf")
    assert not FreelancerDocument.objects.exists()
    assert not list(private_media.rglob("*.*"))


def test_a_file_over_ten_megabytes_is_refused(me, types):
    too_big = PDF + b"0" * (services.MAX_UPLOAD_BYTES - len(PDF) + 1)
    with pytest.raises(ValidationError, match="the limit is 10 MB"):
        upload(me, types["NDA"], content=too_big)
    upload(me, types["NDA"], content=PDF + b"0" * (services.MAX_UPLOAD_BYTES - len(PDF)))  # exactly 10 MB is fine
    assert FreelancerDocument.objects.count() == 1


def test_an_expiring_document_needs_a_future_expiry_date(me, types):
    with pytest.raises(ValidationError, match="give its expiry date"):
        upload(me, types["Tax form"])
    with pytest.raises(ValidationError, match="already expired"):
        upload(me, types["Tax form"], expires_on=TODAY - datetime.timedelta(days=1))
    assert upload(me, types["Tax form"], expires_on=TODAY).expires_on == TODAY
    assert upload(me, types["NDA"], expires_on=TODAY).expires_on is None  # ignored for a type that does not expire


def test_freelancer_uploads_in_the_portal(freelancer_client, me, types):
    response = freelancer_client.post(
        "/portal/documents/",
        {"document_type": types["NDA"].pk, "file": SimpleUploadedFile("nda.pdf", PDF)},
    )
    assert response.status_code == 302
    assert FreelancerDocument.objects.get().freelancer == me
    refused = freelancer_client.post(
        "/portal/documents/",
        {"document_type": types["NDA"].pk, "file": SimpleUploadedFile("nda.pdf", b"GIF89a not allowed")},
    )
    assert refused.status_code == 200 and "not a PDF, PNG or JPEG" in refused.content.decode()
    assert FreelancerDocument.objects.count() == 1


# The file view -------------------------------------------------------------------------


def test_file_is_served_to_the_team_and_to_its_freelancer_only(owner, manager, freelancer_client, me, types):
    document = upload(me, types["NDA"])
    url = f"/guidance/documents/{document.pk}/file/"
    for client in (client_for(owner), client_for(manager), freelancer_client):
        response = client.get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf" and response["Cache-Control"] == "private, no-store"
    other = client_for(MembershipFactory(workspace=owner.workspace, role="freelancer"))
    freelancer_with_login(owner.workspace)
    assert other.get(url).status_code in {403, 404}
    another_freelancer = freelancer_with_login(owner.workspace)
    assert client_for(another_freelancer.user.memberships.get()).get(url).status_code == 404
    stranger = MembershipFactory(workspace=WorkspaceFactory())
    assert client_for(stranger).get(url).status_code == 404
    assert "/accounts/login/" in client_for_anonymous(url)


def client_for_anonymous(url):
    from django.test import Client

    return Client().get(url)["Location"]


def test_media_files_are_not_served_at_any_public_url(client, me, types, settings):
    document = upload(me, types["NDA"])
    assert client.get(f"/{settings.MEDIA_URL.strip('/')}/{document.file.name}".replace("//", "/")).status_code == 404
    assert client.get(f"/media/{document.file.name}").status_code == 404


# DOCUMENT_MISSING ----------------------------------------------------------------------


def findings(workspace, code="DOCUMENT_MISSING", today=TODAY):
    return [f for f in evaluate(workspace, today=today).findings if f.code == code]


def test_missing_and_expired_documents_are_findings_for_freelancers_with_a_login(owner, types):
    complete = freelancer_with_login(owner.workspace, name="Complete")
    lacking = freelancer_with_login(owner.workspace, name="Lacking")
    FreelancerFactory(workspace=owner.workspace, name="No login")  # not asked for documents yet
    for doc_type in types.values():
        upload(complete, doc_type, expires_on=TODAY + datetime.timedelta(days=90))
    upload(lacking, types["Signed agreement"])
    upload(lacking, types["Tax form"], expires_on=TODAY, today=TODAY)
    assert findings(owner.workspace) == findings(owner.workspace)  # deterministic
    [finding] = findings(owner.workspace)
    assert (finding.subject_id, finding.severity) == (lacking.pk, "warning")
    assert "missing: NDA" in finding.message and "expired" not in finding.message
    # The day after the tax form's expiry date it has expired.
    [later] = findings(owner.workspace, today=TODAY + datetime.timedelta(days=1))
    assert "missing: NDA" in later.message and "expired: Tax form" in later.message
    # A newer upload replaces the expired one.
    upload(lacking, types["Tax form"], expires_on=TODAY + datetime.timedelta(days=400), today=TODAY)
    upload(lacking, types["NDA"])
    assert findings(owner.workspace, today=TODAY + datetime.timedelta(days=1)) == []


def test_a_type_that_is_not_required_is_not_asked_for(owner, types):
    freelancer_with_login(owner.workspace)
    assert len(findings(owner.workspace)) == 1
    for doc_type in types.values():
        services.update_document_type(document_type=doc_type, actor=owner.user, required=False)
    assert findings(owner.workspace) == []


def test_owner_overview_lists_each_freelancers_state(owner_client, owner, types):
    person = freelancer_with_login(owner.workspace, name="Zed Person")
    upload(person, types["NDA"])
    body = owner_client.get("/guidance/documents/").content.decode()
    assert "Zed Person" in body and "missing" in body and "received" in body
    detail = owner_client.get(f"/guidance/documents/freelancers/{person.pk}/").content.decode()
    assert "agreement.pdf" in detail


def test_owner_overview_is_constant_in_queries(owner_client, owner, types):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get("/guidance/documents/").status_code == 200
        return len(queries)

    freelancer_with_login(owner.workspace)
    few = count()
    for _ in range(8):
        upload(freelancer_with_login(owner.workspace), types["NDA"])
    assert count() == few


def test_owner_adds_the_default_types_with_one_click(owner_client, owner):
    response = owner_client.post("/guidance/documents/", {"action": "defaults"})
    assert response.status_code == 302 and DocumentType.objects.filter(workspace=owner.workspace).count() == 3


@pytest.mark.parametrize("content", [PDF, PNG])
def test_every_document_is_served_as_an_attachment_with_nosniff_and_a_sandbox(owner, me, types, content):
    document = upload(me, types["NDA"], content=content, name="file.bin")

    response = client_for(owner).get(f"/guidance/documents/{document.pk}/file/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_a_stored_html_document_is_never_served_as_a_page(owner, me, types):
    # What a crafted backup once planted: a "document" whose stored type is HTML with a script.
    document = upload(me, types["NDA"])
    FreelancerDocument.objects.filter(pk=document.pk).update(content_type="text/html")
    document.file.open("wb").write(b"<script>fetch('/api/v1/backup')</script>")
    document.file.close()

    response = client_for(owner).get(f"/guidance/documents/{document.pk}/file/")

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox;")

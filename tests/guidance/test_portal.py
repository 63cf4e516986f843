from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.guidance import services
from sourcewise.guidance.models import SOPAcknowledgement
from tests.conftest import client_for
from tests.guidance.conftest import freelancer_with_login, make_sop
from tests.workspaces.factories import MembershipFactory


def test_freelancer_lands_on_the_portal(freelancer_client, me):
    assert freelancer_client.get("/").url == "/portal/"
    body = freelancer_client.get("/portal/").content.decode()
    assert me.name in body and "Monthly pulse" in body


def test_a_freelancer_member_without_a_profile_gets_a_clear_refusal(workspace):
    member = MembershipFactory(workspace=workspace, role="freelancer")
    response = client_for(member).get("/portal/")
    assert response.status_code == 403


def test_freelancer_reads_and_acknowledges_with_htmx(freelancer_client, owner, me, skill):
    sop = make_sop(owner.workspace, owner.user, title="Support playbook", skills=[skill])
    home = freelancer_client.get("/portal/").content.decode()
    assert "Support playbook" in home and "Procedures to read" in home
    page = freelancer_client.get(f"/portal/sops/{sop.pk}/").content.decode()
    assert "<h1>Answer fast</h1>" in page and "I have read" in page
    response = freelancer_client.post(f"/portal/sops/{sop.pk}/acknowledge/", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "You acknowledged version 1" in response.content.decode()
    assert "<html" not in response.content.decode()
    assert SOPAcknowledgement.objects.get().freelancer == me
    assert "up to date" in freelancer_client.get("/portal/").content.decode()


def test_freelancer_cannot_read_or_acknowledge_an_sop_that_is_not_theirs(freelancer_client, owner, me):
    other = make_sop(owner.workspace, owner.user, title="Bookkeeping close")
    assert freelancer_client.get(f"/portal/sops/{other.pk}/").status_code == 404
    assert freelancer_client.post(f"/portal/sops/{other.pk}/acknowledge/").status_code == 404
    assert not SOPAcknowledgement.objects.exists()


def test_another_freelancers_acknowledgement_is_theirs_alone(owner, skill):
    from tests.talent.factories import FreelancerSkillFactory

    sop = make_sop(owner.workspace, owner.user, skills=[skill])
    first, second = freelancer_with_login(owner.workspace), freelancer_with_login(owner.workspace)
    for person in (first, second):
        FreelancerSkillFactory(freelancer=person, skill=skill)
    client_for(first.user.memberships.get()).post(f"/portal/sops/{sop.pk}/acknowledge/")
    assert list(SOPAcknowledgement.objects.values_list("freelancer_id", flat=True)) == [first.pk]
    assert "Procedures to read" in client_for(second.user.memberships.get()).get("/portal/").content.decode()


def test_portal_home_is_constant_in_queries(freelancer_client, owner, me, skill):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert freelancer_client.get("/portal/").status_code == 200
        return len(queries)

    make_sop(owner.workspace, title="SOP first", skills=[skill])
    services.add_default_document_types(workspace=owner.workspace, actor=None)
    few = count()
    for i in range(10):
        make_sop(owner.workspace, title=f"SOP {i}", skills=[skill])
    assert count() == few

"""Every subject page shows its own open findings at the top, with the fix one click away.

The pages read the stored findings (`{% subject_findings %}`), so a fix made from the page
shows the finding gone on the next view and the stored record resolved.
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.audit.models import AuditEvent
from sourcewise.core.access import FREELANCER, MANAGER
from sourcewise.engagements.models import Engagement
from sourcewise.findings.codes import Severity
from sourcewise.findings.models import FindingRecord
from sourcewise.findings.refresh import ensure_fresh
from sourcewise.findings.registry import Finding
from sourcewise.guidance import services as guidance_services
from sourcewise.guidance.models import SOPAcknowledgement
from tests.conftest import client_for
from tests.engagements.factories import EngagementFactory
from tests.talent.factories import FreelancerFactory
from tests.tasks.factories import ReadyTaskFactory, TaskFactory
from tests.workspaces.factories import MembershipFactory, WorkspaceFactory

# ── each page shows its subject's findings, and no other subject's ─────────────────────────


def _pages(ws, owner):
    """(subject type, two subjects of that type, the URL of a subject's page)."""
    e1, e2 = EngagementFactory(workspace=ws), EngagementFactory(workspace=ws)
    f1, f2 = FreelancerFactory(workspace=ws), FreelancerFactory(workspace=ws)
    t1, t2 = TaskFactory(workspace=ws), TaskFactory(workspace=ws)
    s1 = guidance_services.create_sop(workspace=ws, actor=None, title="One", body="# One", skills=[], tasks=[])
    s2 = guidance_services.create_sop(workspace=ws, actor=None, title="Two", body="# Two", skills=[], tasks=[])
    m1, m2 = MembershipFactory(workspace=ws, role=MANAGER), MembershipFactory(workspace=ws, role=MANAGER)
    return [
        ("engagement", e1.pk, e2.pk, lambda pk: f"/engagements/{pk}/"),
        ("freelancer", f1.pk, f2.pk, lambda pk: f"/talent/freelancers/{pk}/"),
        ("task", t1.pk, t2.pk, lambda pk: f"/tasks/{pk}/"),
        ("sop", s1.pk, s2.pk, lambda pk: f"/guidance/sops/{pk}/"),
        ("membership", m1.pk, m2.pk, lambda pk: f"/engagements/managers/{pk}/"),
        ("membership", m1.pk, m2.pk, lambda pk: f"/guidance/training/{pk}/"),
    ]


def test_each_subject_page_shows_its_own_finding_and_not_another_subjects(owner, owner_client, temporary_check):
    ws = owner.workspace
    pages = _pages(ws, owner)

    def produce(ctx):
        for subject_type, mine, other, _url in pages:
            for pk, whose in ((mine, "mine"), (other, "other")):
                yield Finding(
                    "UNHAPPY_FREELANCER",
                    Severity.WARNING,
                    subject_type,
                    pk,
                    f"finding of {whose} {subject_type} #{pk}",
                    "talk to them",
                )

    temporary_check(["UNHAPPY_FREELANCER"], produce)
    for subject_type, mine, other, url in pages:
        body = owner_client.get(url(mine)).content.decode()
        assert 'data-testid="subject-findings"' in body, url(mine)
        assert f"finding of mine {subject_type} #{mine}" in body, url(mine)
        assert f"finding of other {subject_type} #{other}" not in body, url(mine)
        # The findings open the page: no section of the page's own comes between its title and them.
        between = body[body.index("</h1>") : body.index('<section class="subject-findings"')]
        assert "<h2" not in between and "<section" not in between, url(mine)


def test_a_finding_shows_its_age_and_accepted_and_coming_up_badges(owner, owner_client, temporary_check):
    ws = owner.workspace
    task = TaskFactory(workspace=ws)
    today = ws.today()

    def produce(ctx):
        yield Finding("UNHAPPY_FREELANCER", Severity.WARNING, "task", task.pk, "old one", "fix", key="a")
        yield Finding("WEAK_REFERENCES", Severity.WARNING, "task", task.pk, "accepted one", "fix")
        yield Finding(
            "NO_BACKUP",
            Severity.WARNING,
            "task",
            task.pk,
            "later one",
            "fix",
            starts_on=today + datetime.timedelta(days=5),
        )

    temporary_check(["UNHAPPY_FREELANCER", "WEAK_REFERENCES", "NO_BACKUP"], produce)
    ensure_fresh(ws)
    records = FindingRecord.objects.filter(workspace=ws, subject_type="task", subject_id=task.pk)
    records.filter(code="UNHAPPY_FREELANCER").update(
        first_seen=records.get(code="UNHAPPY_FREELANCER").first_seen - datetime.timedelta(days=12)
    )
    records.filter(code="WEAK_REFERENCES").update(
        accepted_until=today + datetime.timedelta(days=30), accepted_reason="our partner agency"
    )
    body = owner_client.get(f"/tasks/{task.pk}/").content.decode()
    assert "open for 12 days" in body
    assert 'data-testid="accepted"' in body and "our partner agency" in body
    assert 'data-testid="coming-up"' in body


# ── NO_MANAGER: assign a manager from the engagement page ─────────────────────────────────


def _unmanaged(ws, **kwargs):
    return EngagementFactory(workspace=ws, manager=None, **kwargs)


@pytest.mark.parametrize("state", [Engagement.State.DRAFT, Engagement.State.ACTIVE])
def test_assigning_a_manager_from_the_page_resolves_no_manager(owner, owner_client, manager, state):
    ws = owner.workspace
    engagement = _unmanaged(ws, state=state)
    managed = EngagementFactory(workspace=ws, manager=manager)
    page = owner_client.get(f"/engagements/{engagement.pk}/").content.decode()
    assert 'data-code="NO_MANAGER"' in page
    assert f'action="/engagements/{engagement.pk}/assign-manager/"' in page
    assert 'data-code="NO_MANAGER"' not in owner_client.get(f"/engagements/{managed.pk}/").content.decode()

    response = owner_client.post(f"/engagements/{engagement.pk}/assign-manager/", {"manager": manager.pk})
    assert response.status_code == 302

    engagement.refresh_from_db()
    assert engagement.manager == manager and engagement.state == state
    page = owner_client.get(f"/engagements/{engagement.pk}/").content.decode()
    assert 'data-code="NO_MANAGER"' not in page
    record = FindingRecord.objects.get(workspace=ws, code="NO_MANAGER", subject_id=engagement.pk)
    assert record.resolved_at is not None
    event = AuditEvent.objects.get(action="engagement.assign_manager", target_id=str(engagement.pk))
    assert event.changes["manager"][1] == manager.pk


def test_assign_manager_refuses_another_workspaces_engagement_and_a_freelancer(owner, owner_client, manager):
    other = _unmanaged(WorkspaceFactory())
    response = owner_client.post(f"/engagements/{other.pk}/assign-manager/", {"manager": manager.pk})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.manager is None

    mine = _unmanaged(owner.workspace)
    freelancer = MembershipFactory(workspace=owner.workspace, role=FREELANCER)
    response = client_for(freelancer).post(f"/engagements/{mine.pk}/assign-manager/", {"manager": manager.pk})
    assert response.status_code == 403
    # A manager may not take over an engagement they do not manage (only an owner hands it on).
    response = client_for(manager).post(f"/engagements/{mine.pk}/assign-manager/", {"manager": manager.pk})
    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.manager is None


def test_assign_manager_refuses_a_freelancer_or_another_workspaces_member_as_manager(owner, owner_client):
    engagement = _unmanaged(owner.workspace)
    freelancer = MembershipFactory(workspace=owner.workspace, role=FREELANCER)
    outsider = MembershipFactory(workspace=WorkspaceFactory(), role=MANAGER)
    for candidate in (freelancer, outsider):
        owner_client.post(f"/engagements/{engagement.pk}/assign-manager/", {"manager": candidate.pk})
        engagement.refresh_from_db()
        assert engagement.manager is None


def test_a_manager_sees_no_assign_button_on_an_engagement_they_cannot_manage(owner, manager):
    engagement = _unmanaged(owner.workspace)
    page = client_for(manager).get(f"/engagements/{engagement.pk}/").content.decode()
    assert 'data-code="NO_MANAGER"' in page and "assign-manager" not in page


def test_the_engagement_page_stays_bounded_in_queries(
    owner, owner_client, temporary_check, django_assert_max_num_queries
):
    engagement = _unmanaged(owner.workspace, state=Engagement.State.ACTIVE)

    def produce(ctx):
        for n in range(30):
            yield Finding("UNHAPPY_FREELANCER", Severity.INFO, "engagement", engagement.pk, f"m{n}", "f", key=str(n))

    owner_client.get(f"/engagements/{engagement.pk}/")
    ensure_fresh(owner.workspace)
    with CaptureQueriesContext(connection) as few:
        owner_client.get(f"/engagements/{engagement.pk}/")
    temporary_check(["UNHAPPY_FREELANCER"], produce)
    from sourcewise.findings.refresh import refresh_full

    refresh_full(owner.workspace)
    with django_assert_max_num_queries(len(few)):
        body = owner_client.get(f"/engagements/{engagement.pk}/").content.decode()
    assert body.count('data-code="UNHAPPY_FREELANCER"') == 30


@pytest.mark.parametrize(
    "url",
    [
        lambda e, f, t, s, m: f"/engagements/{e}/",
        lambda e, f, t, s, m: f"/talent/freelancers/{f}/",
        lambda e, f, t, s, m: f"/tasks/{t}/",
        lambda e, f, t, s, m: f"/guidance/sops/{s}/",
        lambda e, f, t, s, m: f"/engagements/managers/{m}/",
        lambda e, f, t, s, m: "/costs/",
    ],
)
def test_every_subject_page_stays_within_the_query_budget(owner, owner_client, django_assert_max_num_queries, url):
    ws = owner.workspace
    engagement = _unmanaged(ws, state=Engagement.State.ACTIVE)
    sop = guidance_services.create_sop(workspace=ws, actor=None, title="S", body="# S", skills=[], tasks=[])
    path = url(engagement.pk, engagement.freelancer_id, engagement.task_id, sop.pk, owner.pk)
    owner_client.get(path)
    ensure_fresh(ws)
    with CaptureQueriesContext(connection) as base:
        owner_client.get(path)
    budget = len(base.captured_queries)  # now: the next request empties the connection's query log
    # Ten more open findings on other subjects change nothing on this page.
    for _ in range(10):
        _unmanaged(ws, state=Engagement.State.ACTIVE)
    ensure_fresh(ws)
    owner_client.get(path)  # the costs page recomputes its stored report once after engagements change
    with django_assert_max_num_queries(budget):
        assert owner_client.get(path).status_code == 200


# ── SOP_NOT_ACKNOWLEDGED: email the reminder again ────────────────────────────────────────


@pytest.fixture
def unacknowledged(owner, manager):
    ws = owner.workspace
    person = MembershipFactory(workspace=ws, role=FREELANCER)
    freelancer = FreelancerFactory(workspace=ws, user=person.user, email=person.user.email, status="approved")
    task = ReadyTaskFactory(workspace=ws)
    sop = guidance_services.create_sop(
        workspace=ws, actor=None, title="Support playbook", body="# Answer fast", skills=[], tasks=[task]
    )
    engagement = EngagementFactory(
        workspace=ws, freelancer=freelancer, task=task, manager=manager, state=Engagement.State.ACTIVE
    )
    return engagement, sop


def test_requesting_the_acknowledgement_emails_the_freelancer_once_a_day(owner, owner_client, unacknowledged):
    engagement, sop = unacknowledged
    page = owner_client.get(f"/engagements/{engagement.pk}/").content.decode()
    assert 'data-code="SOP_NOT_ACKNOWLEDGED"' in page
    assert f'action="/engagements/{engagement.pk}/request-acknowledgement/"' in page
    mail.outbox.clear()

    assert owner_client.post(f"/engagements/{engagement.pk}/request-acknowledgement/").status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [engagement.freelancer.user.email] and "Support playbook" in mail.outbox[0].subject
    assert AuditEvent.objects.filter(action="sop.acknowledgement_requested", target_id=str(engagement.pk)).exists()
    owner_client.post(f"/engagements/{engagement.pk}/request-acknowledgement/")
    assert len(mail.outbox) == 1  # a double click sends one
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=1)):
        owner_client.post(f"/engagements/{engagement.pk}/request-acknowledgement/")
    assert len(mail.outbox) == 2  # and the next day, another

    guidance_services.acknowledge_sop(sop=sop, freelancer=engagement.freelancer, actor=None)
    assert SOPAcknowledgement.objects.filter(freelancer=engagement.freelancer).exists()
    assert 'data-code="SOP_NOT_ACKNOWLEDGED"' not in owner_client.get(f"/engagements/{engagement.pk}/").content.decode()


def test_request_acknowledgement_is_scoped_and_role_checked(owner, owner_client, unacknowledged):
    engagement, _sop = unacknowledged
    other = EngagementFactory(workspace=WorkspaceFactory(), state=Engagement.State.ACTIVE)
    assert owner_client.post(f"/engagements/{other.pk}/request-acknowledgement/").status_code == 404
    freelancer = MembershipFactory(workspace=owner.workspace, role=FREELANCER)
    response = client_for(freelancer).post(f"/engagements/{engagement.pk}/request-acknowledgement/")
    assert response.status_code == 403
    outsider_manager = MembershipFactory(workspace=owner.workspace, role=MANAGER)
    response = client_for(outsider_manager).post(f"/engagements/{engagement.pk}/request-acknowledgement/")
    assert response.status_code == 403


# ── DOCUMENT_MISSING: ask for the document ─────────────────────────────────────────────────


@pytest.fixture
def missing_document(owner):
    ws = owner.workspace
    guidance_services.create_document_type(workspace=ws, actor=None, name="Signed contract")
    person = MembershipFactory(workspace=ws, role=FREELANCER)
    return FreelancerFactory(workspace=ws, user=person.user, email=person.user.email)


def test_requesting_a_missing_document_emails_the_freelancer(owner, owner_client, missing_document):
    freelancer = missing_document
    page = owner_client.get(f"/talent/freelancers/{freelancer.pk}/").content.decode()
    assert 'data-code="DOCUMENT_MISSING"' in page
    assert f'action="/guidance/documents/freelancers/{freelancer.pk}/request/"' in page
    mail.outbox.clear()
    response = owner_client.post(f"/guidance/documents/freelancers/{freelancer.pk}/request/")
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "Signed contract" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="document.requested", target_id=str(freelancer.pk)).exists()
    owner_client.post(f"/guidance/documents/freelancers/{freelancer.pk}/request/")
    assert len(mail.outbox) == 1


# ── fixes that are a link ──────────────────────────────────────────────────────────────────


def test_no_trial_links_to_a_prefilled_trial_and_no_sop_to_a_prefilled_sop(owner, owner_client):
    ws = owner.workspace
    full = EngagementFactory(workspace=ws, manager=owner, kind=Engagement.Kind.FULL)
    page = owner_client.get(f"/engagements/{full.pk}/").content.decode()
    link = f"/engagements/new/?freelancer={full.freelancer_id}&amp;task={full.task_id}&amp;kind=trial"
    assert 'data-code="NO_TRIAL"' in page and link in page
    form = owner_client.get(link.replace("&amp;", "&")).content.decode()
    assert f'<option value="{full.freelancer_id}" selected>' in form
    assert '<option value="trial" selected>' in form

    task = ReadyTaskFactory(workspace=ws, sourcing="outsource")
    page = owner_client.get(f"/tasks/{task.pk}/").content.decode()
    assert 'data-code="NO_SOP"' in page and f"/guidance/sops/new/?task={task.pk}" in page
    form = owner_client.get(f"/guidance/sops/new/?task={task.pk}").content.decode()
    assert re.search(rf'name="tasks" value="{task.pk}" id="id_tasks_\d+" checked>', form)


def test_manager_untrained_links_to_record_training_and_recording_it_clears_the_finding(owner, owner_client, manager):
    EngagementFactory(workspace=owner.workspace, manager=manager, state=Engagement.State.ACTIVE)
    page = owner_client.get(f"/engagements/managers/{manager.pk}/").content.decode()
    assert 'data-code="MANAGER_UNTRAINED"' in page and f"/guidance/training/{manager.pk}/" in page
    response = owner_client.post(
        f"/guidance/training/{manager.pk}/", {"date": "2026-01-10", "topic": "Managing freelancers"}
    )
    assert response.status_code == 302
    assert 'data-code="MANAGER_UNTRAINED"' not in owner_client.get(f"/guidance/training/{manager.pk}/").content.decode()
    record = FindingRecord.objects.get(workspace=owner.workspace, code="MANAGER_UNTRAINED", subject_id=manager.pk)
    assert record.subject_type == "membership" and record.resolved_at is not None


def test_unvetted_freelancer_links_to_the_vetting_section(owner, owner_client):
    engagement = EngagementFactory(
        workspace=owner.workspace, manager=owner, kind=Engagement.Kind.FULL, freelancer__status="prospect"
    )
    page = owner_client.get(f"/engagements/{engagement.pk}/").content.decode()
    assert 'data-code="UNVETTED_FREELANCER"' in page
    assert f"/talent/freelancers/{engagement.freelancer_id}/#vetting" in page
    assert 'id="vetting"' in owner_client.get(f"/talent/freelancers/{engagement.freelancer_id}/").content.decode()


# ── the cost dashboard ─────────────────────────────────────────────────────────────────────


def test_cost_dashboard_shows_workspace_cost_findings_and_summarises_engagements(owner, owner_client, temporary_check):
    ws = owner.workspace
    engagement = EngagementFactory(workspace=ws, manager=owner, state=Engagement.State.ACTIVE)

    def produce(ctx):
        yield Finding("HIGH_CONCENTRATION", Severity.WARNING, "workspace", ws.pk, "spend is concentrated", "spread it")
        yield Finding("OUTSOURCING_EVERYTHING", Severity.WARNING, "workspace", ws.pk, "everything is out", "keep")
        yield Finding(
            "NEGATIVE_ROI", Severity.WARNING, "engagement", engagement.pk, "costs more", "look", str(engagement)
        )

    temporary_check(["HIGH_CONCENTRATION", "OUTSOURCING_EVERYTHING", "NEGATIVE_ROI"], produce)
    page = owner_client.get("/costs/").content.decode()
    assert "spend is concentrated" in page
    assert "everything is out" not in page  # not a cost finding
    summary = page.split('data-testid="engagement-cost-findings"')[1]
    assert f"/engagements/{engagement.pk}/" in summary


def test_the_team_page_links_each_internal_member_to_their_page(owner, owner_client, manager, freelancer_member):
    page = owner_client.get("/workspaces/members/").content.decode()
    assert f'href="/engagements/managers/{manager.pk}/"' in page
    assert f'href="/engagements/managers/{freelancer_member.pk}/"' not in page


@pytest.mark.django_db
def test_a_subjects_findings_are_read_through_the_subject_index_on_sqlite():
    """SQLite keeps no statistics: with an ORDER BY severity_rank it walked finding_open_rank
    over every open finding of the workspace (0.4–1.4 s at 275,000 findings)."""
    if connection.vendor != "sqlite":
        pytest.skip("the plan asked of SQLite, which plans without statistics")
    from sourcewise.findings.store import subject_findings

    ws = WorkspaceFactory()
    ensure_fresh(ws)
    with CaptureQueriesContext(connection) as queries:
        subject_findings(ws, "membership", 1)
    (read,) = [q["sql"] for q in queries.captured_queries if "findings_findingrecord" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {read}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "finding_subject_open" in plan
    assert "TEMP B-TREE" not in plan

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from sourcewise.audit.models import AuditEvent, AuditImmutableError
from sourcewise.audit.services import record


@pytest.fixture
def event(owner):
    return record(actor=owner.user, workspace=owner.workspace, action="test.write", changes={"a": 1})


def test_rows_cannot_be_edited_through_the_model(event):
    event.action = "tampered"
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()


def test_querysets_cannot_edit_or_delete_rows(event):
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_rows_cannot_be_edited_in_the_database_either(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'tampered' WHERE id = %s", [event.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.write"


def test_a_write_through_the_web_is_audited(owner_client, owner):
    owner_client.post("/talent/skills/", {"name": "Bookkeeping", "description": ""})
    event = AuditEvent.objects.get(action="skill.create")
    assert event.actor == owner.user and event.workspace == owner.workspace
    assert event.target_label == "Bookkeeping"


def test_an_update_records_what_changed(owner_client, owner):
    owner_client.post("/talent/skills/", {"name": "Bookeeping", "description": ""})
    skill_id = AuditEvent.objects.get(action="skill.create").target_id
    owner_client.post(f"/talent/skills/{skill_id}/edit/", {"name": "Bookkeeping", "description": ""})
    assert AuditEvent.objects.get(action="skill.update").changes == {"name": ["Bookeeping", "Bookkeeping"]}


def test_a_permission_denial_is_audited(freelancer_client, freelancer_member):
    response = freelancer_client.get("/tasks/")
    assert response.status_code == 403
    event = AuditEvent.objects.get(action="permission.denied")
    assert event.actor == freelancer_member.user
    assert event.changes["path"] == "/tasks/"


def test_the_audit_page_is_for_owners_and_shows_only_their_workspace(owner_client, manager_client, owner):
    record(actor=None, workspace=None, action="elsewhere.secret")
    record(actor=owner.user, workspace=owner.workspace, action="here.visible")
    body = owner_client.get("/audit/").content.decode()
    assert "here.visible" in body and "elsewhere.secret" not in body
    assert manager_client.get("/audit/").status_code == 403

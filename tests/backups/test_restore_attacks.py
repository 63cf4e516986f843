"""A backup file is untrusted input: each attack found on the landed restore, replayed.

An owner of their own workspace can upload any file. These tests craft such files and
check the restore never reaches outside the new workspace (issue 10, item 2).
"""

from __future__ import annotations

import base64
import copy
import json
import re
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from sourcewise.audit.models import AuditEvent
from sourcewise.backups import api as backups_api
from sourcewise.backups import forms as backups_forms
from sourcewise.backups.document import BackupError, BackupRowError
from sourcewise.backups.export import export_workspace
from sourcewise.backups.parsing import parse_backup
from sourcewise.backups.restore import restore_backup, restore_workspace
from sourcewise.guidance import services as guidance_services
from sourcewise.guidance.models import DocumentType, FreelancerDocument, Notification, TrainingRecord
from sourcewise.guidance.services import upload_document
from sourcewise.talent.models import Freelancer
from sourcewise.workspaces.models import Invitation, Membership, Workspace
from tests.accounts.factories import UserFactory
from tests.conftest import api_headers, client_for
from tests.talent.factories import FreelancerFactory, SkillFactory
from tests.workspaces.factories import MembershipFactory

User = get_user_model()
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>fetch('/api/v1/backup').then(r => r.text())</script></body></html>"


@pytest.fixture
def victim(db):
    """Another customer of the same instance, with an owner account the attacker knows the address of."""
    membership = MembershipFactory(role="owner", user=UserFactory(email="victim@victim.test"))
    FreelancerFactory(workspace=membership.workspace)
    return membership


@pytest.fixture
def attacker(db):
    """An owner of their own small workspace (one freelancer with one PDF) and its backup."""
    owner = MembershipFactory(role="owner", user=UserFactory(email="mallory@attacker.test"))
    freelancer = FreelancerFactory(workspace=owner.workspace)
    SkillFactory(workspace=owner.workspace)
    doc_type = DocumentType.objects.create(workspace=owner.workspace, name="NDA")
    upload_document(
        freelancer=freelancer,
        document_type=doc_type,
        upload=SimpleUploadedFile("nda.pdf", PDF),
        expires_on=None,
        actor=owner.user,
    )
    document = json.loads(json.dumps(export_workspace(owner.workspace), default=str))
    return SimpleNamespace(owner=owner, workspace=owner.workspace, document=document, client=client_for(owner))


def _upload(document: dict | bytes) -> SimpleUploadedFile:
    content = document if isinstance(document, bytes) else json.dumps(document).encode()
    return SimpleUploadedFile("backup.json", content, content_type="application/json")


def _counts() -> tuple[int, ...]:
    return (
        Workspace.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        Invitation.objects.count(),
        AuditEvent.objects.count(),
        FreelancerDocument.objects.count(),
    )


def _with_victim_as_owner(document: dict) -> dict:
    crafted = copy.deepcopy(document)
    crafted["users"].append({"email": "victim@victim.test", "full_name": "Me now", "is_active": True})
    member = copy.deepcopy(crafted["tables"]["workspaces.membership"][0])
    member.update(id=9001, user="victim@victim.test", role="owner")
    crafted["tables"]["workspaces.membership"].append(member)
    crafted["tables"]["talent.freelancer"][0]["user"] = "victim@victim.test"
    return crafted


# ------------------------------------------------------------- existing accounts


def test_a_web_restore_invites_an_existing_account_and_never_makes_it_a_member(
    attacker, victim, django_capture_on_commit_callbacks
):
    victim_password = victim.user.password
    with django_capture_on_commit_callbacks(execute=True):
        response = attacker.client.post("/backup/", {"file": _upload(_with_victim_as_owner(attacker.document))})

    assert response.status_code == 302
    restored = Workspace.objects.latest("pk")
    assert list(Membership.objects.filter(user=victim.user).values_list("workspace", flat=True)) == [
        victim.workspace.pk
    ]
    assert dict(Membership.objects.filter(workspace=restored).values_list("user__email", "role")) == {
        "mallory@attacker.test": "owner"
    }
    invitation = Invitation.objects.get(workspace=restored)
    assert (invitation.email, invitation.role, invitation.accepted_at) == ("victim@victim.test", "owner", None)
    assert Freelancer.objects.get(workspace=restored).user is None  # a file never links someone else's account
    assert [m.to for m in mail.outbox] == [["victim@victim.test"]]
    victim_name = victim.user.full_name
    victim.user.refresh_from_db()
    assert (victim.user.password, victim.user.full_name) == (victim_password, victim_name)  # the file says "Me now"
    progress = attacker.client.get(response["Location"]).content.decode()  # the restore's job page says whom
    assert "invited" in progress and "victim@victim.test (owner)" in progress, progress


def test_the_api_restore_invites_and_says_whom(attacker, victim, django_capture_on_commit_callbacks):
    headers = api_headers(attacker.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = attacker.client.post(
            "/api/v1/backup/restore",
            data=_with_victim_as_owner(attacker.document),
            content_type="application/json",
            headers=headers,
        )
    assert response.status_code == 201, response.content
    assert response.json()["invited"] == ["victim@victim.test"]
    restored = Workspace.objects.get(pk=response.json()["id"])
    assert not Membership.objects.filter(workspace=restored, user=victim.user).exists()
    assert Invitation.objects.filter(workspace=restored, email="victim@victim.test", role="owner").exists()


def test_accepting_the_invitation_links_the_freelancer_profile(attacker, django_capture_on_commit_callbacks):
    from sourcewise.workspaces.services import accept_invitation

    person = UserFactory(email="frida@elsewhere.test")
    crafted = copy.deepcopy(attacker.document)
    crafted["users"].append({"email": person.email, "full_name": "Frida", "is_active": True})
    member = dict(crafted["tables"]["workspaces.membership"][0], id=77, user=person.email, role="freelancer")
    crafted["tables"]["workspaces.membership"].append(member)
    crafted["tables"]["talent.freelancer"][0]["user"] = person.email
    with django_capture_on_commit_callbacks(execute=True):
        result = restore_backup(crafted, actor=attacker.owner.user)
    assert result.invited == [(person.email, "freelancer")]
    profile = Freelancer.objects.get(workspace=result.workspace)
    assert profile.user is None
    accept_invitation(invitation=Invitation.objects.get(workspace=result.workspace), user=person)
    profile.refresh_from_db()
    assert profile.user == person


def test_rows_that_need_an_invited_members_membership_wait_and_are_reported(attacker, victim):
    crafted = _with_victim_as_owner(attacker.document)
    crafted["tables"]["workspaces.membership"][-1]["role"] = "manager"
    crafted["tables"]["guidance.trainingrecord"] = [
        {"id": 1, "date": "2026-03-02", "topic": "Briefs", "notes": "", "created_at": "2026-03-02T10:00:00+00:00",
         "member": 9001, "recorded_by": "mallory@attacker.test"}
    ]  # fmt: skip
    result = restore_backup(crafted, actor=attacker.owner.user)
    assert not TrainingRecord.objects.filter(workspace=result.workspace).exists()
    assert result.left_out == {"guidance.trainingrecord": 1}
    assert "1 guidance.trainingrecord" in result.summary()


@pytest.mark.django_db(transaction=True)  # the CLI commits, stores the documents, then re-reads them to verify
def test_the_operator_cli_invites_by_default_and_links_only_when_asked(attacker, victim, tmp_path, capsys):
    path = tmp_path / "crafted.json"
    path.write_text(json.dumps(_with_victim_as_owner(attacker.document)))
    call_command("restore", str(path), "--name", "Invited")
    invited = Workspace.objects.get(name="Invited")
    assert "invited" in capsys.readouterr().out
    assert not Membership.objects.filter(workspace=invited, user=victim.user).exists()
    assert Invitation.objects.get(workspace=invited, email="victim@victim.test").invited_by is None

    call_command("restore", str(path), "--name", "Linked", "--attach-existing-accounts")
    linked = Workspace.objects.get(name="Linked")
    assert Membership.objects.get(workspace=linked, user=victim.user).role == "owner"
    assert not Invitation.objects.filter(workspace=linked).exists()
    assert "verified identical" in capsys.readouterr().out


# ------------------------------------------------------------- passwords


def test_backups_carry_no_password_hash(attacker):
    assert attacker.document["users"]
    assert all("password" not in user for user in attacker.document["users"])
    assert "pbkdf2" not in json.dumps(attacker.document)


def test_a_password_hash_in_a_file_is_ignored_and_new_members_get_a_reset_link(
    attacker, client, django_capture_on_commit_callbacks
):
    planted = "pbkdf2_sha256$1000000$salt$QkNDvF2v0u1q4dO6OYkQ2k1m1U0n4Gm0YVh0Xb1n9yA="
    crafted = copy.deepcopy(attacker.document)
    crafted["users"].append({"email": "newbie@new.test", "full_name": "New", "is_active": True, "password": planted})
    member = dict(crafted["tables"]["workspaces.membership"][0], id=55, user="newbie@new.test", role="manager")
    crafted["tables"]["workspaces.membership"].append(member)
    with django_capture_on_commit_callbacks(execute=True):
        result = restore_backup(crafted, actor=attacker.owner.user)

    newbie = User.objects.get(email="newbie@new.test")
    assert newbie.password != planted and not newbie.has_usable_password()
    assert result.new_accounts == ["newbie@new.test"]
    assert Membership.objects.get(workspace=result.workspace, user=newbie).role == "manager"
    (message,) = [m for m in mail.outbox if m.to == ["newbie@new.test"]]
    link = re.search(r"http\S+/reset/(\S+)/(\S+)/", message.body)
    assert link and default_token_generator.check_token(newbie, link.group(2))
    page = client.get(link.group(0), follow=True)
    assert page.status_code == 200 and b"new_password1" in page.content


# ------------------------------------------------------------- audit history


def test_restored_audit_rows_are_marked_imported_and_shown_so(attacker, victim, django_capture_on_commit_callbacks):
    crafted = copy.deepcopy(attacker.document)
    crafted["users"].append({"email": "victim@victim.test", "full_name": "V", "is_active": True})
    forged = dict(crafted["tables"]["audit.auditevent"][0], id=4242, action="workspace.transfer")
    forged.update(actor="victim@victim.test", actor_label="victim@victim.test", imported=False)
    crafted["tables"]["audit.auditevent"].append(forged)
    with django_capture_on_commit_callbacks(execute=True):
        response = attacker.client.post("/backup/", {"file": _upload(crafted)})
    assert response.status_code == 302
    restored = Workspace.objects.latest("pk")
    events = AuditEvent.objects.filter(workspace=restored)
    assert events.get(action="workspace.transfer").imported is True
    assert all(e.imported for e in events if e.action != "workspace.restore")
    assert events.get(action="workspace.restore").imported is False  # written here, by this restore
    attacker.client.post(f"/workspaces/{restored.pk}/switch/")
    page = attacker.client.get("/audit/")
    assert page.status_code == 200
    assert page.content.count(b"imported from backup") == events.filter(imported=True).count()


# ------------------------------------------------------------- files


def _with_file(document: dict, content: bytes, **row) -> dict:
    crafted = copy.deepcopy(document)
    target = crafted["tables"]["guidance.freelancerdocument"][0]
    target["file"] = {"name": "cv.pdf", "content": base64.b64encode(content).decode()}
    target.update(row)
    return crafted


def test_an_html_document_disguised_as_pdf_is_refused(attacker, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    crafted = _with_file(attacker.document, HTML, content_type="application/pdf", original_name="cv.pdf")
    before = _counts()
    with pytest.raises(BackupRowError, match=r"guidance\.freelancerdocument row 1: file: This file is not a PDF"):
        restore_workspace(crafted, actor=attacker.owner.user)
    assert _counts() == before
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_a_documents_type_and_size_come_from_its_bytes_not_the_file(attacker, django_capture_on_commit_callbacks):
    crafted = _with_file(attacker.document, PDF, content_type="text/html", size=1)
    with django_capture_on_commit_callbacks(execute=True):
        restored = restore_workspace(crafted, actor=attacker.owner.user)
    stored = FreelancerDocument.objects.get(workspace=restored)
    assert (stored.content_type, stored.size, stored.file.name.endswith(".pdf")) == ("application/pdf", len(PDF), True)
    assert stored.file.read() == PDF


def test_a_document_over_the_upload_limit_is_refused(attacker, monkeypatch):
    monkeypatch.setattr(guidance_services, "MAX_UPLOAD_BYTES", len(PDF) - 1)
    with pytest.raises(BackupRowError, match=r"guidance\.freelancerdocument row 1: file: The file is"):
        restore_workspace(attacker.document, actor=attacker.owner.user)


def _files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_a_failed_restore_leaves_no_file_behind(attacker, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path  # after the backup was made: only the restore writes here
    crafted = copy.deepcopy(attacker.document)
    # the documents are read first; the membership table comes later in the file's order
    crafted["tables"]["workspaces.membership"][0]["role"] = "emperor"
    before = _counts()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(BackupError, match="membership row 1"):
        restore_workspace(crafted, actor=attacker.owner.user)
    assert _files(tmp_path) == []
    assert _counts() == before

    with django_capture_on_commit_callbacks(execute=True):  # the same file, repaired, stores its one document
        restore_workspace(attacker.document, actor=attacker.owner.user)
    assert len(_files(tmp_path)) == 1


def test_files_are_stored_only_after_the_commit(attacker, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        restore_workspace(attacker.document, actor=attacker.owner.user)
    assert _files(tmp_path) == []  # rows written, transaction still open: no file yet
    for callback in callbacks:
        callback()
    assert len(_files(tmp_path)) == 1


# ------------------------------------------------------------- malformed files

HEADER = b'{"format": "sourcewise-backup", "version": 1, '
MALFORMED = {
    "infinity": (HEADER + b'"workspace": {"min_tz_overlap_hours": Infinity}, "users": [], "tables": {}}', "Infinity"),
    "minus infinity": (HEADER + b'"workspace": {}, "users": [], "tables": {}, "x": -Infinity}', "Infinity"),
    "nan": (HEADER + b'"workspace": {"min_tz_overlap_hours": NaN}, "users": [], "tables": {}}', "NaN"),
    "overflowing float": (HEADER + b'"workspace": {"x": 1e999}, "users": [], "tables": {}}', "too large"),
    "deep list": (b"[" * 100_000 + b"]" * 100_000, "levels deep"),
    "deep object": (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "levels deep"),
    "deep but parseable": (HEADER + b'"workspace": {}, "users": [], "tables": {}, "x": ' + b"[" * 200 + b"]" * 200
                           + b"}", "levels deep"),
    "duplicate keys": (HEADER + b'"workspace": {}, "users": [], "tables": {}, "users": []}', "twice"),
    "duplicate row keys": (HEADER + b'"workspace": {}, "users": [], "tables": {"talent.skill": [{"id": 1, "id": 2}]}}',
                           "twice"),
    "top-level list": (b"[]", "not a Sourcewise backup"),
    "top-level string": (b'"sourcewise-backup"', "not a Sourcewise backup"),
    "top-level number": (b"42", "not a Sourcewise backup"),
    "top-level null": (b"null", "not a Sourcewise backup"),
    "workspace a list": (HEADER + b'"workspace": [], "users": [], "tables": {}}', "workspace"),
    "users an object": (HEADER + b'"workspace": {}, "users": {}, "tables": {}}', "users"),
    "tables a list": (HEADER + b'"workspace": {}, "users": [], "tables": []}', "tables"),
    "rows an object": (HEADER + b'"workspace": {}, "users": [], "tables": {"talent.skill": {}}}', "list of rows"),
    "version an object": (b'{"format": "sourcewise-backup", "version": {"a": 1}}', "version"),
    "huge integer": (HEADER + b'"workspace": {}, "users": [], "tables": {}, "x": ' + b"9" * 5000 + b"}", "not a JSON"),
    "not utf-8": (b"\xff\xfe{}", "not a JSON backup"),
    "not json": (b"not json at all", "not a JSON backup"),
    "empty": (b"", "not a JSON backup"),
}  # fmt: skip


@pytest.mark.parametrize(("content", "message"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_files_get_a_clear_message_on_the_web(attacker, content, message):
    before = _counts()
    response = attacker.client.post("/backup/", {"file": _upload(content)})
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    expected = message if content else "The submitted file is empty."  # Django's own check comes first
    assert any(expected in e for e in errors), errors
    assert b"Traceback" not in response.content
    assert _counts() == before


@pytest.mark.parametrize(("content", "message"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_files_get_a_clear_4xx_over_the_api(attacker, content, message):
    headers = api_headers(attacker.owner)
    before = _counts()
    response = attacker.client.post(
        "/api/v1/backup/restore", data=content, content_type="application/json", headers=headers
    )
    assert response.status_code in (400, 422), response.content
    assert message in response.json()["message"] and response.json()["message"].startswith("Nothing was restored")
    assert _counts() == before


def test_a_file_over_the_size_limit_is_refused_on_the_web_and_with_413_over_the_api(attacker, monkeypatch):
    content = json.dumps(attacker.document).encode()
    headers = api_headers(attacker.owner)
    monkeypatch.setattr(backups_forms, "MAX_BACKUP_BYTES", len(content) - 1)
    monkeypatch.setattr(backups_api, "MAX_BACKUP_BYTES", len(content) - 1)
    before = _counts()
    page = attacker.client.post("/backup/", {"file": _upload(content)})
    assert page.status_code == 200 and "larger than" in page.context["form"].errors["file"][0]
    response = attacker.client.post(
        "/api/v1/backup/restore", data=content, content_type="application/json", headers=headers
    )
    assert response.status_code == 413 and "larger than" in response.json()["message"]
    assert _counts() == before


def test_parse_backup_accepts_what_export_writes(attacker):
    assert parse_backup(json.dumps(attacker.document).encode()) == attacker.document


# ------------------------------------------------------------- rows validated like forms


def _set(label: str, column: str, value, row: int = 0):
    def change(document: dict) -> None:
        document["tables"][label][row][column] = value

    return change


BAD_VALUES = {
    "negative rate": (_set("talent.freelancer", "hourly_rate", "-5.00"), "talent.freelancer row 1: hourly_rate"),
    "rate not a number": (_set("talent.freelancer", "hourly_rate", "lots"), "talent.freelancer row 1: hourly_rate"),
    "rate NaN text": (_set("talent.freelancer", "hourly_rate", "NaN"), "talent.freelancer row 1: hourly_rate"),
    "too many digits": (_set("talent.freelancer", "hourly_rate", "1" * 30), "talent.freelancer row 1: hourly_rate"),
    "text too long": (_set("talent.freelancer", "name", "x" * 151), "talent.freelancer row 1: name"),
    "blank name": (_set("talent.freelancer", "name", ""), "talent.freelancer row 1: name"),
    "number for text": (_set("talent.freelancer", "name", 12), "talent.freelancer row 1: name: text expected"),
    "list for text": (_set("talent.freelancer", "country", ["GB"]), "talent.freelancer row 1: country"),
    "unknown choice": (_set("talent.freelancer", "status", "royalty"), "talent.freelancer row 1: status"),
    "unknown country": (_set("talent.freelancer", "country", "XX"), "talent.freelancer row 1: country"),
    "out of range": (_set("talent.freelancer", "availability_hours", 10**30), "availability_hours"),
    "over the maximum": (_set("talent.freelancer", "availability_hours", 169), "availability_hours"),
    "bool for number": (_set("talent.freelancer", "availability_hours", True), "availability_hours"),
    "impossible date": (_set("talent.freelancer", "created_at", "2026-02-30T10:00:00+00:00"), "created_at"),
    "date of another type": (_set("talent.freelancer", "created_at", 20260101), "created_at"),
    "bad weekdays": (_set("talent.freelancer", "work_days", [9]), "talent.freelancer row 1: work_days"),
    "bad e-mail": (_set("talent.freelancer", "email", "not-an-address"), "talent.freelancer row 1: email"),
    "NUL in text": (_set("talent.freelancer", "notes", "a\x00b"), "talent.freelancer row 1: notes"),
    "unknown role": (_set("workspaces.membership", "role", "emperor"), "workspaces.membership row 1: role"),
    "negative cost": (_set("workspaces.membership", "internal_hourly_cost", "-1"), "internal_hourly_cost"),
    "missing required ref": (_set("guidance.freelancerdocument", "freelancer", None), "freelancer is required"),
    "string id": (_set("talent.skill", "id", "1"), "talent.skill row 1: each row needs its id"),
    "boolean id": (_set("talent.skill", "id", True), "talent.skill row 1: each row needs its id"),
    "unknown column": (_set("talent.skill", "is_staff", True), "unknown columns is_staff"),
    "user field smuggled": (lambda d: d["users"][0].update(is_superuser=True), "users entry 1: unknown fields"),
    "user name too long": (
        lambda d: d["users"].append({"email": "long@new.test", "full_name": "x" * 151}),
        "users entry 2: full_name",
    ),
    "user twice": (lambda d: d["users"].append(dict(d["users"][0])), "users entry 2"),
    "workspace currency": (lambda d: d["workspace"].update(base_currency="XYZ"), "workspace: base_currency"),
}


@pytest.mark.parametrize(("change", "message"), BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_every_row_is_validated_like_a_form_and_the_error_names_it(attacker, victim, change, message):
    crafted = copy.deepcopy(attacker.document)
    change(crafted)
    before = _counts()
    with pytest.raises(BackupError, match=re.escape(message)):
        restore_workspace(crafted, actor=attacker.owner.user)
    assert _counts() == before


def test_a_bad_row_gets_422_over_the_api(attacker):
    crafted = copy.deepcopy(attacker.document)
    crafted["tables"]["talent.freelancer"][0]["hourly_rate"] = "-5"
    response = attacker.client.post(
        "/api/v1/backup/restore", data=crafted, content_type="application/json", headers=api_headers(attacker.owner)
    )
    assert response.status_code == 422
    assert "talent.freelancer row 1: hourly_rate" in response.json()["message"]


# ------------------------------------------------------------- references stay inside the file


def test_a_reference_to_a_row_outside_the_file_is_refused(attacker, victim):
    outside = Freelancer.objects.get(workspace=victim.workspace)  # exists in the database, not in the file
    crafted = copy.deepcopy(attacker.document)
    assert crafted["tables"]["talent.freelancer"][0]["id"] != outside.pk
    crafted["tables"]["guidance.freelancerdocument"][0]["freelancer"] = outside.pk
    before = _counts()
    refused = rf"guidance\.freelancerdocument row 1: freelancer = {outside.pk} is not a row"
    with pytest.raises(BackupRowError, match=refused):
        restore_workspace(crafted, actor=attacker.owner.user)
    assert _counts() == before

    crafted["tables"]["talent.freelancer"][0]["id"] = outside.pk  # the same number as a file id means the file's row
    restored = restore_workspace(crafted, actor=attacker.owner.user)
    assert FreelancerDocument.objects.get(workspace=restored).freelancer.workspace_id == restored.pk


def test_many_to_many_links_outside_the_file_are_refused(attacker, victim):
    victim_skill = SkillFactory(workspace=victim.workspace)
    crafted = copy.deepcopy(attacker.document)
    crafted["tables"]["guidance.sop"] = [
        {"id": 1, "created_at": "2026-03-02T10:00:00+00:00", "updated_at": "2026-03-02T10:00:00+00:00",
         "title": "Playbook", "current_version": None,
         "skills": [victim_skill.pk + 500], "tasks": []}
    ]  # fmt: skip
    with pytest.raises(BackupError, match=r"guidance\.sop row 1"):
        restore_workspace(crafted, actor=attacker.owner.user)


def test_duplicate_ids_within_a_table_are_refused(attacker):
    crafted = copy.deepcopy(attacker.document)
    twin = dict(crafted["tables"]["talent.skill"][0], name="Another skill")
    crafted["tables"]["talent.skill"].append(twin)
    before = _counts()
    with pytest.raises(BackupRowError, match=r"talent.skill row 2: id \d+ is used by two rows of talent.skill"):
        restore_workspace(crafted, actor=attacker.owner.user)
    assert _counts() == before


def test_the_notification_log_of_an_old_backup_is_ignored(attacker, victim):
    crafted = copy.deepcopy(attacker.document)
    crafted["users"].append({"email": "victim@victim.test", "full_name": "V", "is_active": True})
    crafted["tables"]["guidance.notification"] = [
        {"id": 1, "kind": "sop", "key": "sopversion:1", "subject": "x", "created_at": "2026-03-02T10:00:00+00:00",
         "sent_at": None, "recipient": "victim@victim.test"}
    ]  # fmt: skip
    restored = restore_workspace(crafted, actor=attacker.owner.user)
    assert not Notification.objects.filter(workspace=restored).exists()
    assert not Notification.objects.filter(recipient=victim.user).exists()


def test_progress_is_reported_up_to_the_total(attacker):
    calls: list[tuple[int, int]] = []
    restore_workspace(
        attacker.document, actor=attacker.owner.user, progress=lambda done, total: calls.append((done, total))
    )
    total = len(attacker.document["users"]) + sum(len(rows) for rows in attacker.document["tables"].values())
    assert calls and calls[-1] == (total, total)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_a_restored_account_without_a_password_can_still_choose_one(attacker, client):
    crafted = copy.deepcopy(attacker.document)
    crafted["users"].append({"email": "historian@new.test", "full_name": "H", "is_active": True})
    crafted["tables"]["guidance.freelancerdocument"][0]["uploaded_by"] = "historian@new.test"  # history, not a member
    restore_workspace(crafted, actor=attacker.owner.user)
    assert not User.objects.get(email="historian@new.test").has_usable_password()
    mail.outbox.clear()

    response = client.post("/accounts/password-reset/", {"email": "Historian@new.test"})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["historian@new.test"]]  # Django's own form would skip this account


def test_rows_that_clash_with_each_other_are_refused_with_the_models_message(attacker):
    crafted = copy.deepcopy(attacker.document)
    twin = dict(crafted["tables"]["talent.freelancer"][0], id=999, name="Same address")
    crafted["tables"]["talent.freelancer"].append(twin)
    crafted["tables"]["talent.freelancer"].append(dict(twin, id=1000, email="other@x.test"))
    before = _counts()
    with pytest.raises(BackupRowError, match=r"talent\.freelancer row 2: A freelancer with this email already exists"):
        restore_workspace(crafted, actor=attacker.owner.user)
    assert _counts() == before


def test_a_storage_failure_after_the_commit_removes_the_files_it_wrote(
    attacker, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.files.storage import FileSystemStorage

    settings.MEDIA_ROOT = tmp_path
    crafted = copy.deepcopy(attacker.document)
    crafted["tables"]["guidance.freelancerdocument"].append(
        dict(crafted["tables"]["guidance.freelancerdocument"][0], id=2)
    )
    real_save, saved = FileSystemStorage.save, []

    def save_once(storage, name, content, max_length=None):
        if saved:
            raise OSError("disk full")
        saved.append(real_save(storage, name, content, max_length=max_length))
        return saved[-1]

    monkeypatch.setattr(FileSystemStorage, "save", save_once)
    with django_capture_on_commit_callbacks(execute=True):
        restore_workspace(crafted, actor=attacker.owner.user)  # the rows are committed; no 500 for the files
    assert len(saved) == 1 and _files(tmp_path) == []


def test_a_person_invited_twice_is_refused(attacker, victim):
    crafted = _with_victim_as_owner(attacker.document)
    crafted["tables"]["workspaces.membership"].append(dict(crafted["tables"]["workspaces.membership"][-1], id=9002))
    with pytest.raises(BackupRowError, match=re.escape("victim@victim.test is a member twice")):
        restore_workspace(crafted, actor=attacker.owner.user)


def test_the_api_accepts_a_backup_larger_than_djangos_default_body_limit(
    attacker, settings, django_capture_on_commit_callbacks
):
    headers = api_headers(attacker.owner)
    content = json.dumps(attacker.document).encode()
    padded = content + b" " * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)  # whitespace is valid JSON
    with django_capture_on_commit_callbacks(execute=True):
        response = attacker.client.post(
            "/api/v1/backup/restore", data=padded, content_type="application/json", headers=headers
        )
    assert response.status_code == 201, response.content[:300]

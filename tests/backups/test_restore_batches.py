"""A restore writes in short transactions and stays all-or-nothing as people see it (issue 10, item 3).

While it runs, the new workspace is marked `restoring`: nobody can see it, switch to it or
make a token for it, although its rows (even its members) are already committed. A failure
in a late table deletes everything it wrote; a killed restore is deleted at the next start.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory

from sourcewise.api.services import create_token
from sourcewise.audit.models import AuditEvent
from sourcewise.backups import discard, restore, restore_rows
from sourcewise.backups.document import BackupRowError
from sourcewise.backups.export import export_workspace
from sourcewise.backups.restore import restore_backup
from sourcewise.backups.tables import backup_models
from sourcewise.demo.builder import build_demo
from sourcewise.ops.startup import recover
from sourcewise.talent.models import Freelancer
from sourcewise.workspaces.models import Membership, Workspace
from sourcewise.workspaces.selectors import memberships_of
from sourcewise.workspaces.services import switch_workspace

User = get_user_model()
SMALL_BATCH = 25  # the demo holds some 870 rows: dozens of transactions


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def small_batches(monkeypatch) -> None:
    """Every step of a restore and of its discard writes SMALL_BATCH rows per transaction."""
    for module in (restore, restore_rows, discard):
        monkeypatch.setattr(module, "BATCH", SMALL_BATCH)


def _files(root: Path) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file()) if Path(root).exists() else []


def _demo_backup() -> SimpleNamespace:
    demo = build_demo(domain="demo.test")
    owner = Membership.objects.get(workspace=demo.workspace, role="owner").user
    document = json.loads(json.dumps(export_workspace(demo.workspace), default=str))
    return SimpleNamespace(workspace=demo.workspace, owner=owner, document=document)


def _everything() -> dict[str, int]:
    counts = {spec.label: spec.model._base_manager.count() for spec in backup_models()}
    counts["workspaces"] = Workspace._base_manager.count()
    counts["users"] = User._base_manager.count()
    return counts


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # real commits: each batch is visible to everyone as it lands
def test_rows_are_committed_batch_by_batch_while_the_workspace_stays_invisible(monkeypatch, media):
    backup = _demo_backup()
    small_batches(monkeypatch)
    request = RequestFactory().get("/")
    request.user = backup.owner
    request.session = {}
    seen: list[tuple[int, int]] = []
    hidden_member_checked = []

    def progress(done: int, total: int) -> None:
        # Outside any transaction, in autocommit: whatever this connection reads is committed.
        assert connection.get_autocommit() and not connection.in_atomic_block
        restoring = Workspace._base_manager.filter(restoring=True).first()
        assert restoring is not None
        committed = sum(
            spec.model._base_manager.filter(workspace=restoring).count()
            for spec in backup_models()
            if spec.reference("workspace") is not None
        )
        seen.append((done, committed))
        # Invisible everywhere, even once the owner's own membership row from the file is in.
        assert not Workspace.objects.filter(pk=restoring.pk).exists()
        assert restoring.pk not in {m.workspace_id for m in memberships_of(backup.owner)}
        if Membership._base_manager.filter(workspace=restoring, user=backup.owner).exists():
            hidden_member_checked.append(restoring.pk)
            with pytest.raises(ValidationError):
                switch_workspace(request, restoring.pk)
            with pytest.raises(ValidationError):
                create_token(user=backup.owner, workspace=restoring, name="early")

    result = restore_backup(backup.document, actor=backup.owner, name="Copy", progress=progress)

    rows = sum(len(rows) for rows in backup.document["tables"].values())
    assert len(seen) > rows // SMALL_BATCH  # one report per committed batch, at least
    committed_midway = [committed for done, committed in seen if committed > 0]
    assert len(set(committed_midway)) > 10  # rows landed in many separate commits, not one at the end
    assert hidden_member_checked  # the owner's file membership was committed while still hidden
    result.workspace.refresh_from_db()
    assert not result.workspace.restoring
    assert Workspace.objects.filter(pk=result.workspace.pk).exists()
    assert result.workspace.pk in {m.workspace_id for m in memberships_of(backup.owner)}
    assert Freelancer.objects.filter(workspace=result.workspace).count() == len(
        backup.document["tables"]["talent.freelancer"]
    )


def _last_table_with_rows(document: dict) -> str:
    return [spec.label for spec in backup_models() if document["tables"].get(spec.label)][-1]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_failure_in_a_late_table_leaves_nothing_behind(monkeypatch, media):
    backup = _demo_backup()
    small_batches(monkeypatch)
    document = copy.deepcopy(backup.document)
    document["users"].append({"email": "brand-new@restore.test", "full_name": "Brand New"})
    label = _last_table_with_rows(document)
    rows = document["tables"][label]
    rows[-1]["id"] = "not an id"
    before, files_before = _everything(), _files(media)
    committed: list[int] = []

    def progress(done: int, total: int) -> None:
        restoring = Workspace._base_manager.filter(restoring=True).first()
        if restoring is not None:
            committed.append(Freelancer._base_manager.filter(workspace=restoring).count())

    with pytest.raises(BackupRowError, match=rf"^{label} row {len(rows)}: each row needs its id"):
        restore_backup(document, actor=backup.owner, name="Broken", progress=progress)

    assert max(committed) > 0  # rows had been committed before the late table failed ...
    assert _everything() == before  # ... and are all gone: no workspace, row, imported audit row, user
    assert not User._base_manager.filter(email="brand-new@restore.test").exists()
    assert not AuditEvent.objects.filter(imported=True).exclude(workspace=backup.workspace).exists()
    assert _files(media) == files_before


@pytest.mark.slow
def test_a_killed_restore_is_deleted_at_the_next_start(db, monkeypatch, media):
    backup = _demo_backup()
    small_batches(monkeypatch)
    monkeypatch.setattr(restore, "_discard_after_failure", lambda *args: None)  # the process died: no clean-up
    before = _everything()

    def killed(done: int, total: int) -> None:
        if done > total // 2:
            raise KeyboardInterrupt  # what a SIGTERM/SIGKILL mid-restore looks like from here

    with pytest.raises(KeyboardInterrupt):
        restore_backup(backup.document, actor=backup.owner, name="Killed", progress=killed)
    left = Workspace._base_manager.get(restoring=True)
    assert Freelancer._base_manager.filter(workspace=left).exists()
    assert not Workspace.objects.filter(pk=left.pk).exists()  # invisible meanwhile

    recover()

    assert not Workspace._base_manager.filter(pk=left.pk).exists()
    after = _everything()
    new_users = after.pop("users") - before.pop("users")
    assert after == before  # every row of the unfinished copy is gone, the original untouched
    assert new_users == 0  # the demo's people all had accounts: the killed restore made none
    assert Workspace.objects.filter(pk=backup.workspace.pk).exists()


@pytest.mark.slow
def test_only_a_restoring_workspace_can_be_discarded(db):
    backup = _demo_backup()
    assert discard.discard_restoring_workspace(backup.workspace.pk) is False
    assert Workspace.objects.filter(pk=backup.workspace.pk).exists()
    assert Freelancer.objects.filter(workspace=backup.workspace).exists()

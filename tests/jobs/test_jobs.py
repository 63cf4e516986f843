"""Background jobs: lifecycle, progress page and API scoping, crash recovery."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from sourcewise.jobs import services
from sourcewise.jobs.models import Job
from sourcewise.jobs.services import JobRefused, job_kind, recover_stale_jobs, save_upload, start_job
from tests.conftest import api_headers, client_for
from tests.workspaces.factories import MembershipFactory


@job_kind("test.count")
def _count(job, progress):
    lines = Path(job.temp_path).read_text().splitlines() if job.temp_path else []
    for number, _ in enumerate(lines, start=1):
        progress(number, len(lines))
    return {"summary": f"Counted {len(lines)} lines.", "lines": len(lines)}


@job_kind("test.refuse")
def _refuse(job, progress):
    raise JobRefused("Nothing was done: the file is wrong.", ["Row 2: bad", "Row 3: worse"])


@job_kind("test.crash")
def _crash(job, progress):
    progress(1, 10)
    raise RuntimeError("boom")


def test_a_job_runs_to_done_with_its_progress_and_result_and_its_file_is_deleted(owner):
    path = save_upload([b"a\nb\n", b"c\n"], suffix=".txt")
    job = start_job(workspace=owner.workspace, actor=owner.user, kind="test.count", title="Count", temp_path=path)
    assert (job.state, job.done, job.total, job.percent) == ("done", 3, 3, 100)
    assert job.result == {"summary": "Counted 3 lines.", "lines": 3} and job.message == "Counted 3 lines."
    assert job.created_by == owner.user and job.started_at <= job.finished_at
    assert not path.exists()


def test_a_refused_job_keeps_its_errors_and_a_crashed_job_says_nothing_was_kept(owner):
    refused = start_job(workspace=owner.workspace, actor=owner.user, kind="test.refuse", title="Refuse")
    assert (refused.state, refused.message, refused.errors) == (
        "failed",
        "Nothing was done: the file is wrong.",
        ["Row 2: bad", "Row 3: worse"],
    )
    path = save_upload([b"x"], suffix=".csv")
    crashed = start_job(workspace=owner.workspace, actor=owner.user, kind="test.crash", title="Crash", temp_path=path)
    assert (crashed.state, crashed.message, crashed.errors) == ("failed", services.UNEXPECTED_MESSAGE, [])
    assert not path.exists()


def test_a_job_runs_once_only(owner):
    job = start_job(workspace=owner.workspace, actor=owner.user, kind="test.count", title="Count")
    Job.objects.filter(pk=job.pk).update(result={})
    services.run_job(job_id=job.pk)  # a second delivery of the same task changes nothing
    job.refresh_from_db()
    assert job.result == {}


def test_unknown_kinds_are_refused_before_anything_is_stored(owner):
    with pytest.raises(ValueError, match="No job kind"):
        start_job(workspace=owner.workspace, actor=owner.user, kind="nope", title="x")
    assert not Job.objects.exists()


def test_jobs_left_running_by_a_killed_server_fail_on_the_next_start_and_lose_their_file(owner):
    path = save_upload([b"name,email\n"], suffix=".csv")
    stale = Job.objects.create(
        workspace=owner.workspace, kind="talent.import", title="Import", state="running", temp_path=str(path)
    )
    finished = Job.objects.create(workspace=owner.workspace, kind="talent.import", title="Old", state="done")
    assert recover_stale_jobs() == 1
    stale.refresh_from_db()
    finished.refresh_from_db()
    assert stale.state == "failed" and stale.message == services.CRASHED_MESSAGE and stale.finished_at
    assert finished.state == "done"
    assert not path.exists()


def test_a_start_leaves_a_live_job_of_another_hosts_worker_alone(owner):
    """More hosts, one worker each: a host starting must not fail what another host is running."""
    now = timezone.now()
    path = save_upload([b"name,email\n"], suffix=".csv")

    def running(host: str, heartbeat: datetime.datetime | None) -> Job:
        return Job.objects.create(
            workspace=owner.workspace, kind="talent.import", title=host, state="running", host=host,
            heartbeat_at=heartbeat, temp_path=str(path) if host == "other" else "",
        )  # fmt: skip

    alive_elsewhere = running("other", now - datetime.timedelta(seconds=30))
    silent_elsewhere = running("gone", now - services.STALE_AFTER - datetime.timedelta(seconds=1))
    mine = running("here", now)  # this host's worker is only starting: nothing of it is alive

    assert recover_stale_jobs(host="here") == 2
    states = dict(Job.objects.values_list("title", "state"))
    assert states == {"other": "running", "gone": "failed", "here": "failed"}
    assert path.exists()  # the live job's upload stays
    alive_elsewhere.refresh_from_db()
    assert alive_elsewhere.state == "running" and mine.pk and silent_elsewhere.pk


def test_progress_is_a_heartbeat_and_a_claimed_job_names_its_host(owner):
    job = Job.objects.create(workspace=owner.workspace, kind="talent.import", title="x", state="running")
    services.update_progress(job_id=job.pk, done=1, total=2)
    job.refresh_from_db()
    assert job.heartbeat_at is not None and job.done == 1
    queued = Job.objects.create(workspace=owner.workspace, kind="nope", title="y")
    services.run_job(job_id=queued.pk)
    queued.refresh_from_db()
    assert queued.host == services.worker_host() and queued.started_at == queued.heartbeat_at


def test_temporary_files_outside_the_jobs_folder_are_never_deleted(tmp_path):
    outside = tmp_path / "keep.txt"
    outside.write_text("x")
    services.remove_temp_file(str(outside))
    assert outside.exists()


def _running_job(membership, **extra):
    return Job.objects.create(
        workspace=membership.workspace,
        created_by=membership.user,
        kind="talent.import",
        title="Import of big.csv",
        state="running",
        total=200,
        done=50,
        **extra,
    )


def test_the_progress_page_polls_until_the_job_ends(owner_client, owner):
    job = _running_job(owner)
    page = owner_client.get(f"/jobs/{job.pk}/").content.decode()
    assert "<html" in page and "50 of 200" in page and 'value="25"' in page and 'hx-trigger="every 1s"' in page
    Job.objects.filter(pk=job.pk).update(state="done", done=200, message="200 rows: 200 added.")
    fragment = owner_client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and "every 1s" not in fragment and "200 rows: 200 added." in fragment


def test_the_api_reports_a_job(owner, owner_api, client):
    job = _running_job(owner)
    response = client.get(f"/api/v1/jobs/{job.pk}", headers=owner_api)
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["state"], body["done"], body["total"], body["percent"]) == (job.pk, "running", 50, 200, 25)


def test_another_workspaces_job_is_not_found_on_the_page_or_the_api(owner, client):
    other = MembershipFactory(role="owner")
    theirs = _running_job(other)
    assert client_for(owner).get(f"/jobs/{theirs.pk}/").status_code == 404
    response = client.get(f"/api/v1/jobs/{theirs.pk}", headers=api_headers(owner))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_freelancers_may_not_follow_jobs_and_managers_only_their_own(owner, manager, freelancer_member, client):
    owners_job = _running_job(owner)
    managers_job = _running_job(manager)
    assert client_for(freelancer_member).get(f"/jobs/{owners_job.pk}/").status_code == 403
    assert client.get(f"/api/v1/jobs/{owners_job.pk}", headers=api_headers(freelancer_member)).status_code == 403
    manager_client = client_for(manager)
    assert manager_client.get(f"/jobs/{managers_job.pk}/").status_code == 200
    assert manager_client.get(f"/jobs/{owners_job.pk}/").status_code == 404
    assert client_for(owner).get(f"/jobs/{managers_job.pk}/").status_code == 200

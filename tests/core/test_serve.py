"""`sourcewise serve`: production never loads the demo (its passwords are public)."""

from __future__ import annotations

import io

import pytest

from sourcewise.accounts.models import User
from sourcewise.ops.management.commands.serve import Command, demo_wanted
from sourcewise.workspaces.models import Workspace


@pytest.mark.parametrize(
    ("debug", "demo", "no_demo", "wanted"),
    [
        (False, False, False, False),  # production start: never by default
        (False, True, False, True),  # --demo is the explicit way
        (True, False, False, True),  # make run (DEBUG=1) keeps loading it
        (True, False, True, False),
        (False, False, True, False),
    ],
)
def test_demo_is_loaded_only_when_debug_is_on_or_asked_for(debug, demo, no_demo, wanted):
    assert demo_wanted(debug=debug, demo=demo, no_demo=no_demo) is wanted


@pytest.mark.django_db
def test_serve_with_debug_off_on_an_empty_database_creates_no_account(settings):
    settings.DEBUG = False
    assert not User.objects.exists()

    Command(stdout=io.StringIO()).prepare()

    assert User.objects.count() == 0
    assert Workspace.objects.count() == 0


@pytest.mark.django_db
def test_demo_flag_is_refused_together_with_no_demo():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("serve", "--demo", "--no-demo")


class Exec(Exception):
    """Raised instead of replacing the test process with gunicorn."""


@pytest.mark.django_db
@pytest.mark.parametrize("no_worker", [True, False])
def test_no_worker_serves_web_requests_only_and_leaves_the_jobs_queued(monkeypatch, settings, no_worker):
    """Scale-out: an app host started with --no-worker runs gunicorn alone (no worker, no
    recovery of this host's jobs); without it, serve runs the worker beside gunicorn."""
    from django.core.management import call_command

    from sourcewise.ops.management.commands import serve

    settings.DEBUG = True  # no collectstatic in a test
    settings.SOURCEWISE_JOBS = "database"
    started: dict[str, list[str]] = {}

    def execvp(file: str, args: list[str]) -> None:
        started["exec"] = args
        raise Exec

    def beside_worker(web: list[str]) -> int:
        started["beside_worker"] = web
        return 0

    monkeypatch.setattr(serve.os, "execvp", execvp)
    monkeypatch.setattr(serve, "run_beside_worker", beside_worker)
    monkeypatch.setattr(serve, "recover", lambda: 0)
    args = ["serve", "--no-demo", "--bind", "127.0.0.1:8999", "--workers", "3"]
    if no_worker:
        with pytest.raises(Exec):
            call_command(*args, "--no-worker", stdout=io.StringIO())
        assert "beside_worker" not in started
        command = started["exec"]
    else:
        with pytest.raises(SystemExit):
            call_command(*args, stdout=io.StringIO())
        assert "exec" not in started
        command = started["beside_worker"]
    assert command[command.index("--bind") + 1] == "127.0.0.1:8999"
    assert command[command.index("--workers") + 1] == "3"

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

from __future__ import annotations

import json
import zoneinfo
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sourcewise.demo.builder import build_demo
from sourcewise.talent.models import Freelancer
from sourcewise.tasks.models import Task
from sourcewise.workspaces.models import Membership


@pytest.fixture
def demo(db):
    return build_demo(domain="demo.test")


def test_demo_is_a_believable_studio(demo):
    workspace = demo.workspace
    assert workspace.stage == "growth" and workspace.timezone == "Europe/London"
    assert Membership.objects.filter(workspace=workspace, role__in=["owner", "manager"]).count() == 3
    freelancers = Freelancer.objects.filter(workspace=workspace)
    assert freelancers.count() >= 15
    assert len({f.country for f in freelancers}) >= 6
    assert Task.objects.filter(workspace=workspace).count() >= 8


def test_demo_spans_utc_offsets_including_a_half_hour_zone(demo):
    moment = datetime(2026, 1, 15, 12, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
    offsets = {
        moment.astimezone(zoneinfo.ZoneInfo(f.timezone)).utcoffset()
        for f in Freelancer.objects.filter(workspace=demo.workspace)
    }
    assert len(offsets) >= 5
    assert any(offset % timedelta(hours=1) == timedelta(minutes=30) for offset in offsets)


def test_demo_freelancer_logins_reach_only_their_profile(demo, client):
    freelancer = Freelancer.objects.filter(workspace=demo.workspace, user__isnull=False).first()
    client.force_login(freelancer.user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/").url == "/portal/"
    assert freelancer.name in client.get("/portal/").content.decode()
    assert freelancer.name in client.get("/workspaces/me/").content.decode()
    assert client.get("/dashboard/").status_code == 403


def test_demo_command_loads_once_and_health_reports_json(db):
    out = StringIO()
    call_command("demo", stdout=out)
    assert "olivia@lumen.example" in out.getvalue() and "lumen-demo-2026" in out.getvalue()
    with pytest.raises(CommandError, match="loaded already"):
        call_command("demo", stdout=StringIO())
    quiet = StringIO()
    call_command("demo", "--if-empty", stdout=quiet)
    assert "not loaded" in quiet.getvalue()
    health = StringIO()
    call_command("health", "--json", stdout=health)
    payload = json.loads(health.getvalue())
    assert payload["workspace"]["name"] == "Lumen Studio" and 0 <= payload["score"] <= 100

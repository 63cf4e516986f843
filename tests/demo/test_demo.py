from __future__ import annotations

import json
import zoneinfo
from datetime import datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from sourcewise.core.guardrails import GUARDRAILS
from sourcewise.demo.builder import build_demo
from sourcewise.findings.codes import CODES
from sourcewise.findings.engine import evaluate
from sourcewise.talent.models import Freelancer
from sourcewise.tasks.models import Task
from sourcewise.workspaces.models import Membership, Workspace

SHARED_DEMO = {"domain": "demo.test"}


@pytest.fixture
def demo(shared_demo):
    """The demo, built once for this module (see tests/conftest.py)."""
    return shared_demo


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


def test_demo_command_loads_once_and_health_reports_json_for_both_workspaces(db):
    out = StringIO()
    call_command("demo", stdout=out)
    printed = out.getvalue()
    assert "olivia@lumen.example" in printed and "lumen-demo-2026" in printed
    main = Workspace.objects.get(name="Lumen Studio")
    classic = Workspace.objects.get(name="Every classic mistake")
    assert f"Lumen Studio (#{main.pk})" in printed and f"Every classic mistake (#{classic.pk})" in printed
    assert "switch" in printed
    with pytest.raises(CommandError, match="loaded already"):
        call_command("demo", stdout=StringIO())
    quiet = StringIO()
    call_command("demo", "--if-empty", stdout=quiet)
    assert "not loaded" in quiet.getvalue()
    payloads = {}
    for workspace in (main, classic):
        health = StringIO()
        call_command("health", "--json", "--workspace", str(workspace.pk), stdout=health)
        payloads[workspace.name] = json.loads(health.getvalue())
    assert 45 <= payloads["Lumen Studio"]["score"] <= 75
    assert len(payloads["Lumen Studio"]["findings"]) <= 20
    assert {f["code"] for f in payloads["Every classic mistake"]["findings"]} == set(CODES)
    every = StringIO()
    call_command("health", "--json", stdout=every)  # several workspaces: a list, one report each
    assert [r["workspace"]["name"] for r in json.loads(every.getvalue())] == ["Lumen Studio", "Every classic mistake"]


def test_the_owner_lands_in_lumen_studio_and_can_switch_to_the_classic_mistakes(demo, client):
    owner = demo.users["owner"]
    assert demo.classic.users["owner"] == owner
    roles = dict(Membership.objects.filter(user=owner).values_list("workspace__name", "role"))
    assert roles == {"Lumen Studio": "owner", "Every classic mistake": "owner"}
    managers = Membership.objects.filter(workspace=demo.classic.workspace, role="manager")
    assert {m.user for m in managers} == {demo.users["sam"], demo.users["jordan"]}  # the same people
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    assert "<h1>Lumen Studio</h1>" in client.get("/dashboard/").content.decode()
    switched = client.post(f"/workspaces/{demo.classic.workspace.pk}/switch/")
    assert switched.status_code == 302
    assert "<h1>Every classic mistake</h1>" in client.get("/dashboard/").content.decode()


MAIN_GUARDRAILS = {f"G{n}" for n in range(1, 9)}

# The demo is built relative to today: its story must hold whatever the day (month ends, a DST
# change, 29 February, New Year's Eve, mid-month) — the same moments as `make test-dates`.
MOMENTS = [
    datetime(2026, 12, 2, 9, tzinfo=zoneinfo.ZoneInfo("UTC")),
    datetime(2026, 11, 30, 23, 30, tzinfo=zoneinfo.ZoneInfo("UTC")),
    datetime(2027, 3, 28, 0, 30, tzinfo=zoneinfo.ZoneInfo("UTC")),
    datetime(2028, 2, 29, 12, tzinfo=zoneinfo.ZoneInfo("UTC")),
    datetime(2026, 12, 31, 23, 59, tzinfo=zoneinfo.ZoneInfo("UTC")),
    datetime(2027, 1, 15, 12, tzinfo=zoneinfo.ZoneInfo("UTC")),
    datetime(2027, 6, 30, 22, 0, tzinfo=zoneinfo.ZoneInfo("UTC")),  # midsummer month end, BST
]


@pytest.mark.own_clock
@pytest.mark.slow
@pytest.mark.parametrize("moment", MOMENTS, ids=lambda m: m.strftime("%Y-%m-%dT%H:%M"))
def test_lumen_studio_invites_and_every_classic_mistake_has_every_code(db, moment):
    with time_machine.travel(moment, tick=False):
        demo = build_demo(domain="demo.test")
        main = evaluate(demo.workspace, today=demo.today)
        classic = evaluate(demo.classic.workspace, today=demo.today)
    # Lumen Studio: in the middle of getting it right — not a wall of findings, not perfect.
    assert 45 <= main.score <= 75, [(f.code, f.subject_label) for f in main.findings]
    assert len(main.findings) <= 20
    assert {f.guardrail for f in main.findings} >= MAIN_GUARDRAILS, sorted(
        MAIN_GUARDRAILS - {f.guardrail for f in main.findings}
    )
    # Every classic mistake: every code of the catalogue (read from codes.py, so a new code
    # makes this fail until the demo shows it).
    codes = {f.code for f in classic.findings}
    assert codes == set(CODES), sorted(set(CODES) - codes)
    assert set(GUARDRAILS) == {f.guardrail for f in classic.findings}

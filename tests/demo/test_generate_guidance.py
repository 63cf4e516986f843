"""generate(audit_events=...) adds guidance, documents, pulses, training, portal logins and audit rows."""

from __future__ import annotations

from django.db.models import Count, Max

from sourcewise.audit.models import AuditEvent
from sourcewise.demo.generate import generate
from sourcewise.demo.generate_guidance import portal_user
from sourcewise.engagements.models import Engagement
from sourcewise.guidance import selectors
from sourcewise.guidance.models import SOP, PulseResponse, SOPAcknowledgement
from sourcewise.talent.models import Freelancer


def test_guidance_volumes_keep_the_models_rules(db):
    ws = generate(name="Guided", freelancers=60, tasks=4, engagements=40, audit_events=300).workspace
    assert AuditEvent.objects.filter(workspace=ws).count() == 300
    events = list(AuditEvent.objects.filter(workspace=ws).order_by("id").values_list("created_at", flat=True))
    assert events == sorted(events)  # ids and times rise together, as when recorded
    assert not AuditEvent.objects.filter(workspace=ws, actor__isnull=False).exclude(actor_label__contains="@").exists()
    for sop in SOP.objects.filter(workspace=ws).annotate(n=Count("versions"), top=Max("versions__number")):
        assert sop.current_version.number == sop.top == sop.n  # numbered 1..n, the newest current
    assert SOPAcknowledgement.objects.filter(workspace=ws).exists()
    assert PulseResponse.objects.filter(workspace=ws, score__range=(1, 5)).exists()
    person = portal_user(ws.pk)
    profile = Freelancer.objects.get(workspace=ws, user=person)
    assert Engagement.objects.filter(freelancer=profile).exists()
    assert selectors.sops_for_freelancer(profile).exists()  # something to read in the portal


def test_guidance_generation_is_deterministic(db):
    def signature(ws):
        return list(AuditEvent.objects.filter(workspace=ws).order_by("id").values_list("action", "target_id"))[:50]

    one = generate(name="One", freelancers=40, tasks=3, engagements=20, audit_events=80, seed=3).workspace
    two = generate(name="Two", freelancers=40, tasks=3, engagements=20, audit_events=80, seed=3).workspace
    assert [a for a, _ in signature(one)] == [a for a, _ in signature(two)]


def test_without_audit_events_nothing_is_added(db):
    ws = generate(name="Plain", freelancers=20, tasks=2, engagements=8).workspace
    assert not AuditEvent.objects.filter(workspace=ws).exists() and not SOP.objects.filter(workspace=ws).exists()

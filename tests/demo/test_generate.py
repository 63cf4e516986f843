from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from sourcewise.demo.generate import generate
from sourcewise.engagements.models import Engagement
from sourcewise.findings.engine import evaluate
from sourcewise.talent.models import Freelancer, FreelancerSkill


def test_generate_writes_the_requested_volume_of_valid_rows(db):
    result = generate(name="Scale", freelancers=60, tasks=6, engagements=45)
    ws = result.workspace
    assert Freelancer.objects.filter(workspace=ws).count() == 60
    assert FreelancerSkill.objects.filter(freelancer__workspace=ws).count() == 120
    assert Engagement.objects.filter(workspace=ws).count() == 45
    assert set(Engagement.objects.filter(workspace=ws).values_list("state", flat=True)) == {
        "draft",
        "active",
        "completed",
        "terminated",
    }
    for row in [*Freelancer.objects.filter(workspace=ws)[:20], *Engagement.objects.filter(workspace=ws)[:20]]:
        row.full_clean()  # real countries, zones, currencies, consistent trials
    assert 0 <= evaluate(ws).score <= 100  # every rule runs on generated data


def test_generate_is_deterministic_for_a_seed(db):
    def signature(ws):
        return list(Freelancer.objects.filter(workspace=ws).order_by("pk").values_list("status", "hourly_rate"))

    first = generate(name="One", freelancers=30, tasks=3, engagements=10, seed=5).workspace
    second = generate(name="Two", freelancers=30, tasks=3, engagements=10, seed=5).workspace
    third = generate(name="Three", freelancers=30, tasks=3, engagements=10, seed=6).workspace
    assert signature(first) == signature(second) != signature(third)


def test_generate_command_reports_what_it_made(db):
    out = StringIO()
    call_command("generate", "--freelancers", "20", "--tasks", "2", "--engagements", "8", stdout=out, stderr=StringIO())
    assert "20 freelancers" in out.getvalue() and "8 engagements" in out.getvalue()


def test_generated_workspace_is_ready_to_read(db):
    """Bulk writes leave no markers; the findings are stored and equal a full recomputation."""
    from sourcewise.findings.models import FindingRecord, FindingsState, PendingRefresh

    ws = generate(name="Ready", freelancers=40, tasks=4, engagements=30).workspace
    assert not PendingRefresh.objects.filter(workspace_id=ws.pk).exists()
    assert FindingsState.objects.get(workspace=ws).evaluated_on is not None
    stored = set(FindingRecord.objects.filter(workspace=ws, resolved_at=None).values_list("fingerprint", flat=True))
    assert stored == {f.fingerprint for f in evaluate(ws).findings}
    assert stored  # generated data does raise findings

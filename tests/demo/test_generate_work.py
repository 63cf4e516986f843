"""`generate(work=N)`: the work inside generated engagements, for the work pages' bench."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, Sum

from sourcewise.core.dates import server_today
from sourcewise.demo.generate import generate
from sourcewise.engagements.models import CheckpointReview, Engagement, Handover, Milestone, Offboarding, TimeEntry


def _work(workspace) -> list[tuple]:
    return [
        *Milestone.objects.filter(workspace=workspace)
        .order_by("pk")
        .values_list("engagement__pk", "status", "due_date"),
        *TimeEntry.objects.filter(workspace=workspace).order_by("pk").values_list("engagement__pk", "status", "hours"),
    ]


def test_generate_work_writes_believable_work_within_the_rules(db):
    result = generate(name="Work", freelancers=120, tasks=6, engagements=200, work=100)
    workspace = result.workspace
    counts = result.counts
    assert counts["milestones"] == 200 and counts["offboardings"] == 2
    assert counts["time entries waiting"] > 0 and counts["checkpoint reviews"] > 0
    assert TimeEntry.objects.filter(workspace=workspace).count() == counts["time entries"]
    worked = Engagement.objects.filter(pk__in=Milestone.objects.values("engagement"))
    assert not worked.filter(state__in=["draft", "cancelled"]).exists()
    assert set(worked.values_list("state", flat=True)) == {"active", "completed", "terminated"}
    # Hours wait for approval only on active engagements; a trial stays within its 20 hours.
    assert not TimeEntry.objects.filter(status="submitted").exclude(engagement__state="active").exists()
    for trial in worked.filter(kind="trial"):
        used = trial.time_entries.exclude(status="returned").aggregate(h=Sum("hours"))["h"] or 0
        assert used <= Decimal(20)
    reviews = CheckpointReview.objects.filter(workspace=workspace)
    assert not reviews.filter(date__lte=F("engagement__start_date")).exists()
    assert not reviews.filter(date__gt=server_today()).exists()
    # A handover is done with a replacement once its engagement ended, open while it runs.
    for handover in Handover.objects.filter(workspace=workspace).select_related("engagement", "offboarding"):
        done = handover.engagement.state != "active"
        assert (handover.status == "done") is done and (handover.replacement_id is not None) is done
        assert handover.offboarding.status == ("done" if done else "in_progress")
        assert handover.replacement_id != handover.engagement.freelancer_id


def test_generate_work_is_deterministic_and_off_by_default(db):
    first = generate(name="One", freelancers=30, tasks=3, engagements=40, seed=5, work=20).workspace
    second = generate(name="Two", freelancers=30, tasks=3, engagements=40, seed=5, work=20).workspace
    offset = Engagement.objects.filter(workspace=second).order_by("pk")[0].pk - (
        Engagement.objects.filter(workspace=first).order_by("pk")[0].pk
    )
    assert [(pk + offset, *rest) for pk, *rest in _work(first)] == _work(second)
    plain = generate(name="Plain", freelancers=30, tasks=3, engagements=40, seed=5)
    assert "milestones" not in plain.counts
    assert not Milestone.objects.filter(workspace=plain.workspace).exists()
    assert not Offboarding.objects.filter(workspace=plain.workspace).exists()

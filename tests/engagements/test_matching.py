"""Matching: explained scores, hard failures shown, one overlap per schedule, constant queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sourcewise.engagements import matching_scores
from sourcewise.engagements.matching_queries import rank_candidates
from sourcewise.engagements.matching_scores import WEIGHTS
from sourcewise.talent import overlap
from tests.talent.factories import SkillFactory
from tests.talent.helpers import freelancer, vet
from tests.tasks.factories import TaskFactory, TaskSkillFactory

TODAY = datetime.date(2026, 6, 1)


def make_task(workspace, **needs):
    task = TaskFactory(workspace=workspace, name="Site build")
    skills = {}
    for name, level in needs.items():
        skills[name] = SkillFactory(workspace=workspace, name=name)
        TaskSkillFactory(task=task, skill=skills[name], level=level)
    return task, skills


def test_weights_add_up_to_100_and_the_fair_rate_counts():
    assert sum(WEIGHTS.values()) == 100 and WEIGHTS["fair_rate"] == 10
    assert max(matching_scores.RATE_POINTS.values()) == WEIGHTS["fair_rate"]


def test_ranking_puts_eligible_first_and_explains_failures(workspace):
    task, s = make_task(workspace, webdev=4)
    best = vet(freelancer(workspace, status="approved", skills={s["webdev"]: 5}, name="Best"))
    good = vet(freelancer(workspace, status="active", skills={s["webdev"]: 4}, name="Good"), refs=(4, 4), trial=3)
    gap = vet(freelancer(workspace, status="approved", skills={s["webdev"]: 3}, name="Gap"))
    prospect = freelancer(workspace, status="prospect", skills={s["webdev"]: 5}, name="New")
    far = vet(freelancer(workspace, status="approved", zone="Australia/Sydney", skills={s["webdev"]: 5}, name="Far"))
    mute = vet(freelancer(workspace, status="approved", languages={"fr": "C2"}, skills={s["webdev"]: 5}, name="Mute"))
    freelancer(workspace, status="rejected", skills={s["webdev"]: 5}, name="Rejected")
    no_skill = freelancer(workspace, status="approved", name="No skill")

    ranking = rank_candidates(task, today=TODAY)
    assert [c.name for c in ranking.eligible] == [best.name, good.name]
    assert ranking.eligible[0].score > ranking.eligible[1].score
    failures = {c.name: c.failures for c in ranking.failing}
    assert failures[gap.name] == ["Skill gap: webdev 3/4 (has/needs)."]
    assert failures[prospect.name] == ["Not vetted: the freelancer is prospect, not approved."]
    assert failures[far.name] == ["Overlap 0.0 h a day is below the minimum of 2.0 h."]
    assert failures[mute.name] == ["No shared working language at the minimum level (none of your working languages)."]
    # A near miss may miss a skill entirely (issue 14 item 6); the rejected are never considered.
    assert failures[no_skill.name] == ["Skill gap: webdev 0/4 (has/needs)."]
    assert ranking.considered == 7
    terms = {t.key: t for t in ranking.eligible[0].terms}
    assert set(terms) == {"skills", "overlap", "language", "vetting", "ratings", "load", "fair_rate"}
    assert all(0 <= t.points <= t.max_points for t in terms.values())
    assert terms["fair_rate"].max_points == 0 and "No hourly rate recorded" in terms["fair_rate"].detail


def test_overlap_is_computed_once_per_schedule_not_per_person(workspace, monkeypatch):
    task, s = make_task(workspace, copy=3)
    for i in range(12):
        freelancer(workspace, status="approved", zone=["Asia/Kolkata", "Europe/Lisbon"][i % 2],
                   skills={s["copy"]: 4}, name=f"P{i}")  # fmt: skip
    overlap.overlap_for.cache_clear()
    matching_scores._overlap_part.cache_clear()
    calls = []
    real = overlap.overlap_between
    monkeypatch.setattr(overlap, "overlap_between", lambda *a, **k: calls.append(a) or real(*a, **k))
    rank_candidates(task, today=TODAY)
    assert len(calls) == 2


def test_ranking_queries_do_not_grow_with_the_network(workspace, django_assert_max_num_queries):
    task, s = make_task(workspace, copy=3, seo=2)
    counts = []
    for batch in (5, 40):
        for i in range(batch):
            vet(
                freelancer(
                    workspace, status="approved", skills={s["copy"]: 3 + i % 3, s["seo"]: 2}, name=f"N{batch}-{i}"
                )
            )
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(11):
            rank_candidates(task, today=TODAY)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_same_top_20_as_a_brute_force_check(workspace):
    task, s = make_task(workspace, copy=3)
    zones = ["Europe/London", "Asia/Kolkata", "America/New_York", "Asia/Kathmandu", "Europe/Berlin"]
    for i in range(45):
        f = freelancer(workspace, status=["approved", "active", "vetting"][i % 3], zone=zones[i % 5],
                       skills={s["copy"]: 1 + i % 5}, name=f"F{i:02}", availability_hours=i % 50)  # fmt: skip
        if i % 4:
            vet(f, refs=(1 + i % 5, 5), trial=1 + i % 5)
    ranking = rank_candidates(task, today=TODAY, limit=20)
    full = rank_candidates(task, today=TODAY, limit=10_000)
    brute = sorted(full.eligible, key=lambda c: (-c.score, c.name, c.freelancer_id))[:20]
    assert [c.freelancer_id for c in ranking.eligible] == [c.freelancer_id for c in brute]
    for c in full.eligible:
        maximum = sum(t.max_points for t in c.terms)
        assert c.score == round(sum(t.points for t in c.terms) * 100 / maximum)


def test_candidates_page_and_api(owner_client, owner, owner_api, client):
    task, s = make_task(owner.workspace, webdev=3)
    vet(freelancer(owner.workspace, status="approved", skills={s["webdev"]: 4}, name="Ranked Person"))
    freelancer(owner.workspace, status="prospect", skills={s["webdev"]: 4}, name="Unvetted Person")
    body = owner_client.get(f"/talent/tasks/{task.pk}/candidates/").content.decode()
    assert body.index("Ranked Person") < body.index("Not ready, and why") < body.index("Unvetted Person")
    assert "Not vetted" in body
    data = client.get(f"/api/v1/tasks/{task.pk}/candidates?limit=5", headers=owner_api).json()
    assert [c["name"] for c in data["candidates"]] == ["Ranked Person"]
    assert data["not_ready"][0]["failures"] == ["Not vetted: the freelancer is prospect, not approved."]
    assert Decimal(data["candidates"][0]["terms"][0]["points"]) > 0
    assert "Site build" in owner_client.get("/talent/match/").content.decode()


def test_near_misses_are_the_same_whether_or_not_the_caller_narrows(workspace):
    """Without `freelancers` the near-miss pool filters the joined person's columns; with it, each person
    is checked against the queryset: both give the same ranking, and narrowing really narrows."""
    from sourcewise.talent.models import Freelancer

    task, s = make_task(workspace, copy=3, seo=2)
    for i in range(30):
        skills = {s["copy"]: 1 + i % 5, s["seo"]: 1 + i % 3} if i % 4 else {s["copy"]: 1 + i % 5}
        freelancer(
            workspace, status=["approved", "vetting", "prospect", "rejected"][i % 4], skills=skills, name=f"N{i:02}"
        )
    freelancer(workspace, status="approved", name="Nothing")
    whole = rank_candidates(task, today=TODAY)
    narrowed = rank_candidates(task, today=TODAY, freelancers=Freelancer.objects.filter(workspace=workspace))
    key = lambda r: ([c.freelancer_id for c in r.eligible], [c.freelancer_id for c in r.failing])  # noqa: E731
    assert key(whole) == key(narrowed) and whole.failing
    assert all(c.status != "rejected" for c in whole.eligible + whole.failing)
    fewer = rank_candidates(task, today=TODAY, freelancers=Freelancer.objects.filter(name__startswith="N0"))
    assert {c.name[:2] for c in fewer.eligible + fewer.failing} <= {"N0"}

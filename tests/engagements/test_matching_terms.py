"""Matching terms with exact points: past ratings (track record first) and the fair rate (G4);
the SQL-filtered ranking equals the brute-force one on seeded random networks."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest

from sourcewise.engagements.matching_queries import rank_brute_force, rank_candidates
from sourcewise.engagements.matching_scores import Ratings, ratings_term
from sourcewise.engagements.models import Engagement
from sourcewise.talent.models import Reference, TrialTask
from tests.engagements.factories import EngagementFactory, ReviewFactory
from tests.money.factories import ExchangeRateFactory, RateBenchmarkFactory
from tests.talent.factories import SkillFactory
from tests.talent.helpers import freelancer, vet
from tests.tasks.factories import TaskFactory, TaskSkillFactory

TODAY = datetime.date(2026, 6, 1)


def terms_of(candidate):
    return {t.key: t for t in candidate.terms}


@pytest.fixture
def task(workspace):
    """One skill, market(PH) = 10 USD = 8.00 GBP, floor 8.80 GBP, ceiling = market(GB) = 40.00 GBP."""
    skill = SkillFactory(workspace=workspace, name="Copy")
    task = TaskFactory(workspace=workspace, name="Blog")
    TaskSkillFactory(task=task, skill=skill, level=3)
    ExchangeRateFactory(workspace=workspace, currency="USD", rate=Decimal("0.8"), valid_from=datetime.date(2026, 1, 1))
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="PH", hourly_rate=Decimal("10.00"), currency="USD")
    RateBenchmarkFactory(workspace=workspace, skill=skill, country="GB", hourly_rate=Decimal("40.00"), currency="GBP")
    task.copy = skill
    return task


def ranked(task, **fields):
    f = vet(freelancer(task.workspace, status="approved", skills={task.copy: 5}, country="PH", **fields))
    candidates = {c.freelancer_id: c for c in rank_candidates(task, today=TODAY, limit=100).eligible}
    return candidates[f.pk]


@pytest.mark.parametrize(
    "rate, points, label",
    [
        ("9.99", 2, "below the local market"),  # 7.992 GBP < market 8.00
        ("10.00", 6, "under the fair floor"),  # exactly the market
        ("10.99", 6, "under the fair floor"),  # 8.792 GBP < floor 8.80
        ("11.00", 10, "fair"),  # exactly the floor
        ("50.00", 10, "fair"),  # exactly the ceiling (40.00 GBP)
        ("50.01", 4, "above the home market"),  # one cent above
    ],
)
def test_fair_rate_points_at_every_threshold(task, rate, points, label):
    c = ranked(task, hourly_rate=Decimal(rate), rate_currency="USD")
    term = terms_of(c)["fair_rate"]
    assert (term.points, term.max_points) == (Decimal(points), 10)
    assert term.detail.startswith(f"Copy: {label} — ")
    total = sum(t.points for t in c.terms)
    assert c.score == round(total)  # all seven terms count: the maximum is 100


def test_fair_rate_without_rate_benchmark_or_exchange_rate_is_excluded_and_said(task):
    no_rate = ranked(task, name="No rate", hourly_rate=None, rate_currency="")
    # NGN: a currency the ECB does not publish, and no owner rate.
    euros = ranked(task, name="Naira", hourly_rate=Decimal("12.00"), rate_currency="NGN")
    terms = terms_of(euros)
    assert (terms["fair_rate"].points, terms["fair_rate"].max_points) == (Decimal(0), 0)
    assert "No exchange rate from NGN to GBP on 2026-06-01" in terms["fair_rate"].detail
    assert "Not counted in the score" in terms["fair_rate"].detail
    assert terms_of(no_rate)["fair_rate"].detail.startswith("No hourly rate recorded.")
    # The score is the share of the 90 points that count.
    assert euros.score == round(sum(t.points for t in euros.terms) * 100 / 90)


def test_fair_rate_without_any_benchmark_is_excluded(workspace):
    skill = SkillFactory(workspace=workspace, name="Video")
    task = TaskFactory(workspace=workspace)
    TaskSkillFactory(task=task, skill=skill, level=2)
    vet(freelancer(workspace, status="approved", skills={skill: 3}, hourly_rate=Decimal("20"), rate_currency="GBP"))
    term = terms_of(rank_candidates(task, today=TODAY).eligible[0])["fair_rate"]
    assert term.max_points == 0
    assert term.detail == "No market benchmark to judge 20.00 GBP/h for Video in PH. Not counted in the score."


def test_fair_rate_averages_the_task_skills_with_a_verdict(task):
    other = SkillFactory(workspace=task.workspace, name="SEO")
    TaskSkillFactory(task=task, skill=other, level=1)
    RateBenchmarkFactory(workspace=task.workspace, skill=other, country="PH", hourly_rate=Decimal("20.00"))
    RateBenchmarkFactory(workspace=task.workspace, skill=other, country="GB", hourly_rate=Decimal("60.00"))
    f = vet(freelancer(task.workspace, status="approved", skills={task.copy: 5, other: 5}, country="PH",
                       hourly_rate=Decimal("12.00"), rate_currency="USD"))  # fmt: skip
    c = next(c for c in rank_candidates(task, today=TODAY).eligible if c.freelancer_id == f.pk)
    term = terms_of(c)["fair_rate"]
    # Copy: 9.60 GBP is fair (10); SEO: 9.60 GBP is below the 20.00 GBP market (2).
    assert term.points == Decimal(6)
    assert "Copy: fair" in term.detail and "SEO: below the local market" in term.detail


def test_ratings_fall_back_to_vetting_evidence_with_exact_points(task):
    c = ranked(task, hourly_rate=Decimal("11.00"), rate_currency="USD")  # vet(): trial 4, references 5 and 4
    term = terms_of(c)["ratings"]
    # (4 + 4.5) / 2 = 4.25 → 10 × 3.25 / 4
    assert term.points == Decimal("8.125")
    assert term.detail == "No engagement reviews yet, so vetting evidence: 4.25/5 from the trial task and references."


def test_ratings_use_the_track_record_when_there_is_one(task):
    f = vet(freelancer(task.workspace, status="active", skills={task.copy: 5}, country="PH"), refs=(1,), trial=1)
    active = EngagementFactory(workspace=task.workspace, freelancer=f, task=task, state="active", kind="full")
    ReviewFactory(engagement=active, workspace=task.workspace, quality=4, timeliness=5, communication=3)
    ReviewFactory(engagement=active, workspace=task.workspace, quality=5, timeliness=5, communication=5)
    EngagementFactory(workspace=task.workspace, freelancer=f, task=task, state="completed", trial_rating=3,
                      end_date=datetime.date(2026, 3, 20))  # fmt: skip
    c = next(c for c in rank_candidates(task, today=TODAY).eligible if c.freelancer_id == f.pk)
    term = terms_of(c)["ratings"]
    # Scorecard: quality 4.5, timeliness 5, communication 4 → 4.50; completed trial 3 → (4.5 + 3) / 2 = 3.75
    assert term.points == Decimal("6.875")
    assert term.detail == "Track record: 3.75/5 from 2 checkpoint reviews and 1 completed trial."


def test_ratings_term_without_anything_and_with_trials_only():
    assert ratings_term(Ratings()).points == 0 and ratings_term(Ratings()).detail == "No ratings yet."
    only_trials = ratings_term(Ratings(trials=(5, 4), trial_task=1, reference_average=Decimal(1)))
    assert only_trials.points == Decimal("8.75")  # 4.5/5: trial engagements outrank the vetting evidence


def test_ratings_are_batch_loaded(task, django_assert_max_num_queries):
    for i in range(15):
        f = vet(freelancer(task.workspace, status="approved", skills={task.copy: 4}, country="PH", name=f"R{i}"))
        ReviewFactory(engagement=EngagementFactory(workspace=task.workspace, freelancer=f, task=task, state="active"),
                      workspace=task.workspace)  # fmt: skip
    with django_assert_max_num_queries(11):
        ranking = rank_candidates(task, today=TODAY)
    assert len(ranking.eligible) == 15
    assert all(terms_of(c)["ratings"].detail.startswith("Track record") for c in ranking.eligible)


ZONES = ["Europe/London", "Asia/Kolkata", "America/New_York", "Europe/Berlin", "Asia/Kathmandu", "Africa/Lagos"]
STATUSES = ["approved", "active", "vetting", "prospect", "inactive", "rejected"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_ranking_equals_brute_force_on_random_networks(task, seed):
    rng = random.Random(seed)
    other = SkillFactory(workspace=task.workspace, name="SEO")
    TaskSkillFactory(task=task, skill=other, level=2)
    for _ in range(90):
        skills = {task.copy: rng.randint(1, 5)}
        if rng.random() < 0.85:
            skills[other] = rng.randint(1, 5)
        f = freelancer(
            task.workspace,
            status=rng.choice(STATUSES),
            zone=rng.choice(ZONES),
            hours=rng.choice([("09:00", "17:00"), ("08:00", "16:00"), ("22:00", "06:00")]),
            languages={"en": rng.choice(["A2", "B2", "C1", "C2"])},
            skills=skills,
            name=f"P{rng.randint(0, 30):02}",  # duplicate names: ties break by id
            country=rng.choice(["PH", "GB", "IN"]),
            hourly_rate=Decimal(rng.randint(700, 5200)) / 100,
            rate_currency=rng.choice(["USD", "GBP", "EUR"]),
            availability_hours=rng.randint(0, 40),
        )
        if rng.random() < 0.5:
            Reference.objects.create(workspace=task.workspace, freelancer=f, client_name="C", contact="c@x.org",
                                     rating=rng.randint(1, 5), comment="ok")  # fmt: skip
        if rng.random() < 0.3:
            TrialTask.objects.create(workspace=task.workspace, freelancer=f, title="T", rating=rng.randint(1, 5),
                                     completed_on=datetime.date(2026, 1, rng.randint(1, 28)))  # fmt: skip
        if rng.random() < 0.2:
            e = EngagementFactory(workspace=task.workspace, freelancer=f, task=task, state="active", kind="full")
            ReviewFactory(engagement=e, workspace=task.workspace, quality=rng.randint(1, 5))
        if rng.random() < 0.1:
            EngagementFactory(workspace=task.workspace, freelancer=f, task=task, state=Engagement.State.COMPLETED,
                              trial_rating=rng.randint(1, 5))  # fmt: skip
    from sourcewise.engagements import matching_queries as m
    from sourcewise.engagements import matching_scores as s

    ctx = m._context(task, TODAY)
    rows = m._rows(m._with_levels(m._base(task, None), ctx.needs), ctx.needs, ctx.languages)
    ratings = m.load_ratings([r[0] for r in rows])
    full = {c.freelancer_id: c for c in m._score_rows(ctx, rows, ratings=ratings)}
    for r in rows:
        quick = s.quick_points(ctx, r, ratings.get(r[0], s.NO_RATINGS))
        c = full[r[0]]
        assert quick == (c.score, len(c.failures)), (r, c)
    for limit in (5, 20):
        fast = rank_candidates(task, today=TODAY, limit=limit)
        brute = rank_brute_force(task, today=TODAY, limit=limit)
        assert [(c.freelancer_id, c.score) for c in fast.eligible] == [
            (c.freelancer_id, c.score) for c in brute.eligible
        ]
        for a, b in zip(fast.eligible, brute.eligible, strict=True):
            assert a.terms == b.terms, [(x, y) for x, y in zip(a.terms, b.terms, strict=True) if x != y]
        assert fast.eligible, "the random network should have eligible people"
        # Near misses: the fast list is sorted like the brute one and its people are scored the same.
        brute_all = {c.freelancer_id: c for c in rank_brute_force(task, today=TODAY, limit=1000).failing}
        for c in fast.failing:
            assert c.failures and (c.score, c.failures) == (brute_all[c.freelancer_id].score,
                                                            brute_all[c.freelancer_id].failures)  # fmt: skip
        keys = [(len(c.failures), -c.score, c.name, c.freelancer_id) for c in fast.failing]
        assert keys == sorted(keys) and len(fast.failing) == min(limit, len(brute_all))


def test_page_and_api_explain_the_fair_rate(owner_client, owner, owner_api, client):
    skill = SkillFactory(workspace=owner.workspace, name="Copy")
    task = TaskFactory(workspace=owner.workspace, name="Blog")
    TaskSkillFactory(task=task, skill=skill, level=3)
    RateBenchmarkFactory(workspace=owner.workspace, skill=skill, country="PH", hourly_rate=Decimal("10.00"))
    RateBenchmarkFactory(workspace=owner.workspace, skill=skill, country="GB", hourly_rate=Decimal("40.00"))
    vet(freelancer(owner.workspace, status="approved", skills={skill: 4}, country="PH", name="Fair Person",
                   hourly_rate=Decimal("12.00"), rate_currency="GBP"))  # fmt: skip
    vet(freelancer(owner.workspace, status="approved", skills={skill: 4}, country="PH", name="Unpriced Person"))
    body = owner_client.get(f"/talent/tasks/{task.pk}/candidates/").content.decode()
    assert "Fair rate" in body and "is inside the fair band" in body and "not counted" in body
    data = client.get(f"/api/v1/tasks/{task.pk}/candidates", headers=owner_api).json()
    fair = {c["name"]: next(t for t in c["terms"] if t["key"] == "fair_rate") for c in data["candidates"]}
    assert (Decimal(fair["Fair Person"]["points"]), fair["Fair Person"]["max_points"]) == (Decimal(10), 10)
    assert fair["Unpriced Person"]["max_points"] == 0

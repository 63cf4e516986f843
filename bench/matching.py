"""Benchmark SPEC P3: `python bench/matching.py [FREELANCERS] [RUNS]`.

Builds a throwaway SQLite database (a fresh file; set BENCH_DB=path to keep and reuse
one between runs), bulk-inserts FREELANCERS
freelancers (100 000 by default) with skills, languages, rates, references and a few
reviewed engagements, then for one task:

* times `rank_candidates` (top 20 and the near misses) RUNS times and reports the p95;
* replays exactly the SQL statements it ran, raw (`cursor.execute` + `fetchall`), and
  reports their p95: the ranking must cost at most twice that;
* checks the top 20 against `rank_brute_force`, which scores every freelancer with the
  task's skills in Python.

Targets (SPEC P3): p95 ≤ 100 ms, ≤ 2× the raw SQL, the same top 20.
"""

from __future__ import annotations

import datetime
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

TODAY = datetime.date(2026, 6, 1)
ZONES = ["Asia/Kolkata", "Europe/Warsaw", "Asia/Manila", "America/Mexico_City", "Africa/Nairobi", "Europe/Lisbon",
         "Asia/Kathmandu", "Australia/Adelaide", "America/Toronto", "Europe/London"]  # fmt: skip
COUNTRIES = ["IN", "PL", "PH", "MX", "KE", "PT", "NP", "AU", "CA", "GB"]
SKILLS = ["Copywriting", "SEO", "Design", "Web development", "Support", "Bookkeeping", "Video", "PPC"]
STATUSES = ["approved"] * 5 + ["active", "vetting", "prospect", "inactive", "rejected"]


def setup() -> None:
    """A fresh SQLite file (or BENCH_DB, kept between runs to skip building), migrated."""
    path = Path(os.environ.get("BENCH_DB") or Path(tempfile.mkdtemp(prefix="sw-bench-")) / "bench.sqlite3")
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sourcewise.config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def populate(count: int) -> object:
    from sourcewise.engagements.models import CheckpointReview, Engagement
    from sourcewise.money.models import ExchangeRate, RateBenchmark
    from sourcewise.talent.models import Freelancer, FreelancerLanguage, FreelancerSkill, Reference, Skill
    from sourcewise.tasks.models import Task, TaskSkill
    from sourcewise.workspaces.models import Workspace

    rng = random.Random(7)
    ws = Workspace.objects.create(name="Bench", home_country="GB", base_currency="GBP", timezone="Europe/London")
    skills = [Skill.objects.create(workspace=ws, name=n) for n in SKILLS]
    task = Task.objects.create(workspace=ws, name="Blog")
    TaskSkill.objects.create(task=task, skill=skills[0], level=3)
    TaskSkill.objects.create(task=task, skill=skills[1], level=2)
    ExchangeRate.objects.create(
        workspace=ws,
        currency="USD",
        base_currency="GBP",
        rate=Decimal("0.79"),
        valid_from=datetime.date(2026, 1, 1),
        source="Bench",
    )
    for skill in skills[:2]:
        for country, rate in (("GB", "45.00"), ("PH", "12.00"), ("IN", "10.00"), ("PL", "25.00")):
            RateBenchmark.objects.create(
                workspace=ws,
                skill=skill,
                country=country,
                hourly_rate=Decimal(rate),
                currency="USD",
                as_of=datetime.date(2026, 1, 1),
                source="Bench",
            )
    now = datetime.datetime.now(datetime.UTC)
    batch = 5000
    started = time.perf_counter()
    for first in range(0, count, batch):
        people = []
        for i in range(first, min(first + batch, count)):
            z = rng.randrange(len(ZONES))
            start = rng.choice([7, 8, 9, 10, 22])
            people.append(
                Freelancer(
                    workspace=ws,
                    name=f"Person {rng.randrange(count):06d}",
                    email=f"p{i}@example.org",
                    country=COUNTRIES[z],
                    timezone=ZONES[z],
                    status=rng.choice(STATUSES),
                    work_start=datetime.time(start),
                    work_end=datetime.time((start + 8) % 24),
                    work_days=[0, 1, 2, 3, 4] if rng.random() < 0.9 else [0, 1, 2, 3, 4, 5],
                    hourly_rate=Decimal(rng.randint(500, 6000)) / 100,
                    rate_currency="USD",
                    availability_hours=rng.randint(5, 40),
                    created_at=now,
                    updated_at=now,
                )
            )
        people = Freelancer.objects.bulk_create(people)
        links, langs, refs = [], [], []
        for f in people:
            for skill in rng.sample(skills, 2):
                links.append(FreelancerSkill(freelancer=f, skill=skill, level=rng.randint(1, 5)))
            langs.append(
                FreelancerLanguage(
                    workspace=ws, freelancer=f, language="en", level=rng.choice(["B1", "B2", "C1", "C2"])
                )
            )
            if rng.random() < 0.3:
                refs.append(
                    Reference(
                        workspace=ws,
                        freelancer=f,
                        client_name="C",
                        contact="c@example.org",
                        rating=rng.randint(1, 5),
                        comment="ok",
                        created_at=now,
                    )
                )
        FreelancerSkill.objects.bulk_create(links)
        FreelancerLanguage.objects.bulk_create(langs)
        Reference.objects.bulk_create(refs)
        engaged = [f for f in people if f.status == "active"][:50]
        engagements = Engagement.objects.bulk_create(
            Engagement(
                workspace=ws,
                freelancer=f,
                task=task,
                kind="full",
                state="active",
                rate=Decimal("20"),
                currency="USD",
                start_date=datetime.date(2026, 1, 5),
            )
            for f in engaged
        )
        CheckpointReview.objects.bulk_create(
            CheckpointReview(
                workspace=ws,
                engagement=e,
                date=datetime.date(2026, 2, 1),
                quality=rng.randint(1, 5),
                timeliness=rng.randint(1, 5),
                communication=rng.randint(1, 5),
            )
            for e in engagements
        )
    print(f"built {count} freelancers in {time.perf_counter() - started:.1f} s")
    return task


def p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)] * 1000


def main(count: int, runs: int) -> int:
    setup()
    from django.db import connection

    from sourcewise.engagements.matching_queries import rank_brute_force, rank_candidates
    from sourcewise.tasks.models import Task

    task = Task.objects.filter(name="Blog", workspace__name="Bench").first() or populate(count)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    brute = rank_brute_force(task, today=TODAY)
    ok = True
    for label, near in (("top 20 candidates", 0), ("with 20 near misses (the page)", None)):
        rank_candidates(task, today=TODAY, near_misses=near)  # warm the per-schedule overlap cache
        statements: list[tuple[str, object]] = []

        def capture(execute, sql, params, many, context, statements=statements):  # type: ignore[no-untyped-def]
            statements.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            ranking = rank_candidates(task, today=TODAY, near_misses=near)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            ranking = rank_candidates(task, today=TODAY, near_misses=near)
            timings.append(time.perf_counter() - started)
        raw = []
        for _ in range(runs):
            started = time.perf_counter()
            with connection.cursor() as cursor:
                for sql, params in statements:
                    cursor.execute(sql, params)
                    cursor.fetchall()
            raw.append(time.perf_counter() - started)
        same = [(c.freelancer_id, c.score) for c in ranking.eligible] == [
            (c.freelancer_id, c.score) for c in brute.eligible
        ]
        fast, sql = p95(timings), p95(raw)
        print(
            f"P3 {connection.vendor}, {label}: among {count} freelancers ({ranking.considered} read and scored, "
            f"{len(statements)} queries): rank_candidates p95 {fast:.1f} ms, raw SQL p95 {sql:.1f} ms "
            f"(ratio {fast / sql:.2f}); same top 20 as brute force over {brute.considered}: {same}"
        )
        if near == 0:
            ok = fast <= 100 and fast <= 2 * sql and same
    print("P3 met" if ok else "P3 NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000, int(sys.argv[2]) if len(sys.argv) > 2 else 40))

"""Benchmark SPEC P4 and P3 for the talent network: `python bench/talent_import.py [ROWS]`.

Builds a throwaway workspace, writes a CSV of ROWS freelancers, imports it (then again,
which must add nothing), and times the top-20 candidates for a task among them.
Run with DATABASE_URL pointing at the database to measure (SQLite by default).
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sourcewise.config.settings.test")
django.setup()

from django.test.utils import setup_test_environment  # noqa: E402

setup_test_environment()
from django.db import connection  # noqa: E402
from django.test.utils import get_runner  # noqa: E402,F401

ZONES = ["Asia/Kolkata", "Europe/Warsaw", "Asia/Manila", "America/Mexico_City", "Africa/Nairobi", "Europe/Lisbon",
         "Asia/Kathmandu", "Australia/Adelaide", "America/Toronto", "Europe/London"]  # fmt: skip
COUNTRIES = ["IN", "PL", "PH", "MX", "KE", "PT", "NP", "AU", "CA", "GB"]
SKILLS = ["Copywriting", "SEO", "Design", "Web development", "Support", "Bookkeeping", "Video", "PPC"]


def main(rows: int) -> None:
    from django.test.utils import setup_databases

    setup_databases(verbosity=0, interactive=False)
    from sourcewise.talent.csv_io import import_freelancers
    from sourcewise.talent.matching import rank_candidates
    from sourcewise.talent.models import Freelancer, Skill
    from sourcewise.tasks.models import Task, TaskSkill
    from sourcewise.workspaces.models import Workspace

    workspace = Workspace.objects.create(name="Bench", home_country="GB", base_currency="GBP", timezone="Europe/London")
    skills = [Skill.objects.create(workspace=workspace, name=n) for n in SKILLS]
    rng = random.Random(7)
    path = Path(tempfile.gettempdir()) / f"talent-{rows}.csv"
    with path.open("w") as out:
        out.write("name,email,country,timezone,work_start,work_end,work_days,languages,skills,hourly_rate,currency,"
                  "availability_hours,notes\n")  # fmt: skip
        for i in range(rows):
            z = rng.randrange(len(ZONES))
            picked = rng.sample(SKILLS, 2)
            out.write(
                f"Person {i},p{i}@example.org,{COUNTRIES[z]},{ZONES[z]},{8 + i % 3:02d}:00,{16 + i % 3:02d}:00,"
                f"Mon Tue Wed Thu Fri,en:{rng.choice(['B1', 'B2', 'C1'])},"
                f'"{picked[0]}:{rng.randint(1, 5)}; {picked[1]}:{rng.randint(1, 5)}",{rng.randint(8, 60)}.00,USD,'
                f"{rng.randint(5, 40)},\n"
            )
    tracemalloc.start()
    started = time.perf_counter()
    result = import_freelancers(lambda: path.open("rb"), workspace=workspace, actor=None)
    first = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    started = time.perf_counter()
    again = import_freelancers(lambda: path.open("rb"), workspace=workspace, actor=None)
    second = time.perf_counter() - started
    print(f"P4 {connection.vendor}: {rows} rows imported in {first:.1f} s (peak Python memory {peak:.0f} MB): "
          f"{result.created} added; re-import {second:.1f} s: {again.created} added, {again.unchanged} unchanged")  # fmt: skip
    Freelancer.objects.filter(workspace=workspace, pk__lte=Freelancer.objects.order_by("pk")[rows // 2].pk).update(
        status="approved"
    )
    task = Task.objects.create(workspace=workspace, name="Blog")
    TaskSkill.objects.create(task=task, skill=skills[0], level=3)
    TaskSkill.objects.create(task=task, skill=skills[1], level=2)
    timings = []
    for _ in range(10):
        started = time.perf_counter()
        ranking = rank_candidates(task, today=__import__("datetime").date(2026, 6, 1))
        timings.append(time.perf_counter() - started)
    timings.sort()
    print(f"P3 {connection.vendor}: top-20 among {ranking.considered} considered of {rows}: "
          f"median {timings[4] * 1000:.0f} ms, worst {timings[-1] * 1000:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)

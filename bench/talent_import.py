"""Benchmark SPEC P4: `python bench/talent_import.py [ROWS]` (100 000 by default).

Writes a CSV of ROWS freelancers, imports it into a fresh database, imports it again
(which must add nothing) and reports the time and the peak memory of each import:
tracemalloc's peak of Python allocations during the import (a separate, slower run),
and the growth of the process's maximum resident size.

The database is a throwaway SQLite file by default; with DATABASE_URL set to a
PostgreSQL database it runs there (Django's test runner creates and drops a `test_`
copy of that database, so use your own database name).

Targets (SPEC P4): ≤ 15 s on SQLite, ≤ 30 s on PostgreSQL; memory flat; re-import adds nothing.
"""

from __future__ import annotations

import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ZONES = ["Asia/Kolkata", "Europe/Warsaw", "Asia/Manila", "America/Mexico_City", "Africa/Nairobi", "Europe/Lisbon",
         "Asia/Kathmandu", "Australia/Adelaide", "America/Toronto", "Europe/London"]  # fmt: skip
COUNTRIES = ["IN", "PL", "PH", "MX", "KE", "PT", "NP", "AU", "CA", "GB"]
SKILLS = ["Copywriting", "SEO", "Design", "Web development", "Support", "Bookkeeping", "Video", "PPC"]
HEADER = (
    "name,email,country,timezone,work_start,work_end,work_days,languages,skills,hourly_rate,currency,"
    "availability_hours,notes\n"
)


def write_csv(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w") as out:
        out.write(HEADER)
        for i in range(rows):
            z = rng.randrange(len(ZONES))
            picked = rng.sample(SKILLS, 2)
            level = rng.choice(["B1", "B2", "C1"])
            skills = f"{picked[0]}:{rng.randint(1, 5)}; {picked[1]}:{rng.randint(1, 5)}"
            out.write(
                f"Person {i},p{i}@example.org,{COUNTRIES[z]},{ZONES[z]},{8 + i % 3:02d}:00,{16 + i % 3:02d}:00,"
                f'Mon Tue Wed Thu Fri,en:{level},"{skills}",{rng.randint(8, 60)}.00,USD,{rng.randint(5, 40)},\n'
            )


def setup() -> object:
    if not os.environ.get("DATABASE_URL"):
        path = Path(tempfile.mkdtemp(prefix="sw-bench-import-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        os.environ["SW_BENCH_MIGRATE"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sourcewise.config.settings.test")
    import django

    django.setup()
    if os.environ.get("SW_BENCH_MIGRATE"):  # a fresh SQLite file: migrate it in place
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        return None
    # PostgreSQL: a test_ copy of the named database, dropped at the end
    from django.test.utils import setup_databases

    return setup_databases(verbosity=0, interactive=False)


def main(rows: int) -> int:
    config = setup()
    try:
        return measure(rows)
    finally:
        if config is not None:
            from django.test.utils import teardown_databases

            teardown_databases(config, verbosity=0)


def measure(rows: int) -> int:
    from django.db import connection

    from sourcewise.talent.csv_io import import_freelancers
    from sourcewise.talent.models import Freelancer, FreelancerLanguage, FreelancerSkill, Skill
    from sourcewise.workspaces.models import Workspace

    path = Path(tempfile.gettempdir()) / f"talent-{rows}.csv"
    write_csv(path, rows)

    def fresh_workspace(name: str) -> Workspace:
        ws = Workspace.objects.create(name=name, home_country="GB", base_currency="GBP", timezone="Europe/London")
        for n in SKILLS:
            Skill.objects.create(workspace=ws, name=n)
        return ws

    workspace = fresh_workspace("Bench")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    result = import_freelancers(lambda: path.open("rb"), workspace=workspace, actor=None)
    first = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    counts = (
        Freelancer.objects.filter(workspace=workspace).count(),
        FreelancerSkill.objects.filter(freelancer__workspace=workspace).count(),
        FreelancerLanguage.objects.filter(workspace=workspace).count(),
    )
    started = time.perf_counter()
    again = import_freelancers(lambda: path.open("rb"), workspace=workspace, actor=None)
    second = time.perf_counter() - started
    after = Freelancer.objects.filter(workspace=workspace).count()

    # Peak Python memory, traced (slower, so timed separately) on a second workspace.
    other = fresh_workspace("Bench traced")
    tracemalloc.start()
    import_freelancers(lambda: path.open("rb"), workspace=other, actor=None)
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    limit = 15 if connection.vendor == "sqlite" else 30
    ok = first <= limit and again.created == 0 and after == rows and counts == (rows, 2 * rows, rows)
    print(
        f"P4 {connection.vendor}: {rows} rows imported in {first:.1f} s (limit {limit} s): {result.created} added "
        f"({counts[1]} skills, {counts[2]} languages); peak traced Python memory {peak:.0f} MB, max RSS grew "
        f"{rss_after - rss_before:.0f} MB; re-import {second:.1f} s: {again.created} added, {again.unchanged} "
        f"unchanged, {after} rows in the table"
    )
    print("P4 met" if ok else "P4 NOT met")
    path.unlink(missing_ok=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))

"""SPEC §6 P4: the freelancer CSV import — 100,000 rows in ≤ 15 s on SQLite (≤ 30 s on
PostgreSQL), memory flat, importing the same file again adds nothing.

    python bench/talent_import.py [--db sqlite|postgres] [--scale F] [--sizes 20000,100000]

For each size (20,000 and 100,000 rows at scale 1) a CSV is written into this run's own
temporary folder (deleted at the end) and imported into a fresh, migrated database of its
own (harness.fresh_database; production settings, a file or a server database), in a child
process that did nothing before but start Django, so its figures are the import's:

- time: the import of the new file into an empty workspace (rows, skills, languages);
- memory: the growth of the child's peak resident size (ru_maxrss) over the import, and
  tracemalloc's peak of Python allocations during a second, traced import of the same file
  into another workspace (traced separately: tracing slows it down, so it is not timed);
- re-import: the same file again into the first workspace must add and change nothing.

"Memory flat" means the peak does not grow with the file beyond what the import must
keep per row: two maps of email → row number / id (duplicates within the file, people
already in the workspace), about 150 bytes a row. The tolerance: from the smallest to the
largest size each peak (RSS growth and traced) may grow by at most 256 bytes per extra row
+ 8 MB (allocator noise); a batch, a list of rows or a parsed file kept in memory would
exceed it (a 100,000-row file is 9 MB of text, its rows as Python objects far more). The
time budget is judged at the largest size (scaled
linearly with --scale, for a quick try only; the budget is judged at scale 1). --runs is
not used: each import runs once per size (the database is fresh each time).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))
import harness

FULL_ROWS = 100_000
LIMIT_S = {"sqlite": 15.0, "postgres": 30.0}
PER_ROW_BYTES, FLAT_SLACK_MB = 256, 8.0

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


def checkout() -> str:
    """This checkout's mark in a database name: two checkouts' runs never drop each other's."""
    return hashlib.sha256(str(harness.CACHE.resolve()).encode()).hexdigest()[:4]


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


# -- the child: one size on one fresh database ------------------------------------------------


def child(url: str, csv: str, data_dir: str, migrate_only: bool) -> None:
    harness.setup_django(url, data_dir=data_dir)
    if migrate_only:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        return
    from sourcewise.talent.csv_io import import_freelancers
    from sourcewise.talent.models import Freelancer, FreelancerLanguage, FreelancerSkill, Skill
    from sourcewise.workspaces.models import Workspace

    path = Path(csv)

    def fresh_workspace(name: str) -> Workspace:
        ws = Workspace.objects.create(name=name, home_country="GB", base_currency="GBP", timezone="Europe/London")
        Skill.objects.bulk_create([Skill(workspace=ws, name=n) for n in SKILLS])
        return ws

    def counts(ws: Workspace) -> list[int]:
        return [
            Freelancer.objects.filter(workspace=ws).count(),
            FreelancerSkill.objects.filter(freelancer__workspace=ws).count(),
            FreelancerLanguage.objects.filter(workspace=ws).count(),
        ]

    workspace = fresh_workspace("Import bench")
    rss_before = max_rss_mb()
    started = time.perf_counter()
    first = import_freelancers(lambda: path.open("rb"), workspace=workspace, actor=None)
    seconds = time.perf_counter() - started
    rss_growth = max_rss_mb() - rss_before
    stored = counts(workspace)

    started = time.perf_counter()
    again = import_freelancers(lambda: path.open("rb"), workspace=workspace, actor=None)
    again_seconds = time.perf_counter() - started
    after = counts(workspace)

    traced_workspace = fresh_workspace("Import bench, traced")
    tracemalloc.start()
    import_freelancers(lambda: path.open("rb"), workspace=traced_workspace, actor=None)
    traced_peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "created": first.created,
                "stored": stored,
                "rss_before_mb": rss_before,
                "rss_growth_mb": rss_growth,
                "traced_peak_mb": traced_peak,
                "again_seconds": again_seconds,
                "again_created": again.created,
                "again_updated": again.updated,
                "again_unchanged": again.unchanged,
                "after": after,
            }
        )
    )


def measure(db: str, rows: int, workdir: Path) -> dict[str, Any]:
    csv = workdir / f"talent-{rows}.csv"
    write_csv(csv, rows)
    url = harness.fresh_database(db, f"import_{rows}_{checkout()}")
    data_dir = workdir / f"data-{rows}"
    data_dir.mkdir()
    base = [sys.executable, __file__, "--child", url, str(csv), str(data_dir)]
    try:
        subprocess.run([*base, "--migrate-only"], check=True)
        done = subprocess.run(base, check=True, stdout=subprocess.PIPE, text=True)
    finally:
        csv.unlink(missing_ok=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    harness.drop_database(db, url)  # SQLite: the file goes; PostgreSQL: left empty
    return result


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4], migrate_only="--migrate-only" in sys.argv)
        return 0
    parser = harness.arguments(__doc__)
    parser.add_argument("--sizes", default="20000,100000", help="rows at scale 1, comma-separated (two or more)")
    args = parser.parse_args()
    sizes = sorted({harness.scaled(int(n), args.scale) for n in args.sizes.split(",")})
    assert len(sizes) >= 2, "memory flat needs two sizes"

    run = harness.Run("P4 import", db=args.db)
    workdir = Path(tempfile.mkdtemp(prefix="sourcewise-import-"))
    try:
        results = {}
        for rows in sizes:
            results[rows] = r = measure(args.db, rows, workdir)
            print(
                f"  {rows:,} rows: {r['seconds']:.1f} s ({rows / r['seconds']:,.0f} rows/s), stored {r['stored']}; "
                f"RSS {r['rss_before_mb']:.0f} MB before, +{r['rss_growth_mb']:.0f} MB; traced peak "
                f"{r['traced_peak_mb']:.0f} MB; again {r['again_seconds']:.1f} s: {r['again_created']} added, "
                f"{r['again_updated']} changed, {r['again_unchanged']} unchanged",
                file=sys.stderr,
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    small, large = sizes[0], sizes[-1]
    s, big = results[small], results[large]
    limit = LIMIT_S[args.db] * large / FULL_ROWS
    run.add(
        f"import {large:,} new freelancers (CSV)",
        budget=f"≤ {limit:g} s",
        measured=f"{big['seconds']:.1f} s ({large / big['seconds']:,.0f} rows/s); {small:,} rows: {s['seconds']:.1f} s",
        ratio=f"{big['seconds'] / limit:.2f}× the budget",
        met=big["seconds"] <= limit and big["created"] == large,
    )

    allowance_mb = PER_ROW_BYTES * (large - small) / 1e6 + FLAT_SLACK_MB

    def flat(key: str) -> bool:
        return big[key] - s[key] <= allowance_mb

    def per_row(key: str) -> str:
        return f"{(big[key] - s[key]) * 1e6 / (large - small):+.0f} B/row"

    run.add(
        f"memory flat, {small:,} → {large:,} rows",
        budget=f"peak grows ≤ {PER_ROW_BYTES} B/row + {FLAT_SLACK_MB:g} MB (≤ {allowance_mb:.0f} MB)",
        measured=f"RSS growth {s['rss_growth_mb']:.1f} → {big['rss_growth_mb']:.1f} MB ({per_row('rss_growth_mb')}); "
        f"traced peak {s['traced_peak_mb']:.1f} → {big['traced_peak_mb']:.1f} MB ({per_row('traced_peak_mb')})",
        met=flat("rss_growth_mb") and flat("traced_peak_mb"),
    )
    ok_again = all(
        r["again_created"] == 0
        and r["again_updated"] == 0
        and r["stored"] == [rows, 2 * rows, rows]
        and r["after"] == r["stored"]
        for rows, r in results.items()
    )
    run.add(
        "re-import adds nothing",
        budget="the same file again: 0 added, 0 changed, the tables unchanged",
        measured="; ".join(
            f"{rows:,}: {r['again_created']} added, {r['again_updated']} changed, {r['again_unchanged']:,} unchanged "
            f"in {r['again_seconds']:.1f} s, {r['after'][0]:,} freelancers"
            for rows, r in results.items()
        ),
        met=ok_again,
    )
    return run.finish()


if __name__ == "__main__":
    sys.exit(main())

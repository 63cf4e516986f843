"""`make bench`: every speed budget of SPEC §6 on generated data, one table, exit 1 on a miss.

    python bench/run.py                      # SQLite, or PostgreSQL when DATABASE_URL names it
    python bench/run.py --db sqlite,postgres # both, one after the other
    python bench/run.py --only P6,P7         # some of them (the # column)
    python bench/run.py --scale 0.05         # a quick try on small data (budgets are for 1)
    python bench/run.py --readme             # also write the table into README.md

Each script of BENCHES runs as its own process on the same generated data (built once and
kept in artifacts/bench-cache/ while the generator is unchanged; see bench/harness.py) and
appends its rows to one results file. A script that crashes counts as a miss. The load
average is recorded by each script before and after it runs: a figure taken on a busy
machine says so in its row.

The stored findings' own budgets (one write's refresh, the full recomputation, issue 12)
are `make bench-findings` (bench/findings.py), at 1k and 20k rather than 100k.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

# (the # column, script, extra arguments): in the order of SPEC §6.
BENCHES = [
    ("P1", "api_pages.py", []),
    ("P2", "costs_report.py", []),
    ("P3", "matching.py", []),
    ("P4", "talent_import.py", []),
    ("P5", "traffic.py", []),
    ("P6", "pages_work.py", []),
    ("P6", "pages_guidance.py", []),
    ("P6", "pages_costs.py", []),
    ("P6", "search.py", []),
    ("P7", "peers.py", []),
]
README = harness.ROOT / "README.md"


def git_commit() -> str:
    git = shutil.which("git")
    if git is None:
        return "unknown (no git)"
    done = subprocess.run(
        [git, "-C", str(harness.ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    dirty = subprocess.run(
        # README.md aside: `--readme` writes the first database's table before the second's heading.
        [git, "-C", str(harness.ROOT), "status", "--porcelain", "--untracked-files=no", "--", ".", ":!README.md"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def heading(db: str, scale: float, seconds: float) -> str:
    import django

    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"`make bench` on {db}, {when}, commit {git_commit()}: {harness.machine()}, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') // 2**30} GiB, Python {platform.python_version()}, "
        f"Django {django.get_version()}, scale {scale:g}, {seconds / 60:.0f} min in all."
    )


def run_db(db: str, scale: float, only: set[str], runs: int | None) -> tuple[list[harness.Row], float]:
    started = time.perf_counter()
    print(f"\n=== {db}: the standard dataset", file=sys.stderr)
    harness.standard_data(db, scale)  # built once here, so no bench's clock includes it
    benches = [bench for bench in BENCHES if not only or bench[0] in only]
    return run_scripts(db, scale, benches, runs, harness.ROOT / "bench"), time.perf_counter() - started


def run_scripts(
    db: str, scale: float, benches: list[tuple[str, str, list[str]]], runs: int | None, folder: Path
) -> list[harness.Row]:
    """Each script in its own process; its rows, or one missed row when it wrote none."""
    results = Path(tempfile.mkdtemp(prefix="sourcewise-bench-run-")) / "rows.jsonl"
    crashed: list[harness.Row] = []
    for number, script, extra in benches:
        path = folder / script
        if not path.exists():
            print(f"--- {number} {script}: not written yet", file=sys.stderr)
            crashed.append(harness.Row(number, db, script, "", "the script is missing", "", False))
            continue
        print(f"\n--- {number} {script} on {db}", file=sys.stderr)
        args = [sys.executable, str(path), "--db", db, "--scale", str(scale), *extra]
        if runs:
            args += ["--runs", str(runs)]
        before = sum(1 for _ in results.open()) if results.exists() else 0
        done = subprocess.run(args, env={**os.environ, "BENCH_RESULTS": str(results)}, check=False)
        after = sum(1 for _ in results.open()) if results.exists() else 0
        if after == before:  # it wrote no row: it crashed before judging anything
            load = harness.load_average()
            crashed.append(harness.Row(number, db, script, "", f"crashed (exit {done.returncode})", "", False, load))
    rows = [harness.Row(**json.loads(line)) for line in results.open()] if results.exists() else []
    return rows + crashed


def write_readme(db: str, text: str) -> None:
    begin, end = f"<!-- bench:{db}:begin -->", f"<!-- bench:{db}:end -->"
    readme = README.read_text()
    if begin not in readme or end not in readme:
        raise SystemExit(f"README.md has no {begin} … {end} block to fill")
    head, rest = readme.split(begin, 1)
    _, tail = rest.split(end, 1)
    README.write_text(f"{head}{begin}\n{text}\n{end}{tail}")


def main() -> None:
    parser = harness.arguments(__doc__)
    parser.set_defaults(db=None, runs=None)
    parser.add_argument("--only", default="", help="comma-separated numbers, e.g. P2,P6")
    parser.add_argument("--readme", action="store_true", help="write each database's table into README.md")
    # Accept "sqlite,postgres" for --db: replace the single-choice option of harness.arguments.
    for action in parser._actions:
        if action.dest == "db":
            action.choices = None
    args = parser.parse_args()
    dbs = (args.db or harness.default_db()).split(",")
    only = {item.strip() for item in args.only.split(",") if item.strip()}
    every: list[harness.Row] = []
    for db in dbs:
        if db not in {"sqlite", "postgres"}:
            raise SystemExit(f"unknown database {db!r}: sqlite or postgres")
        rows, seconds = run_db(db, args.scale, only, args.runs)
        every += rows
        text = f"{heading(db, args.scale, seconds)}\n\n{harness.markdown(rows)}"
        print(f"\n{text}\n")
        if args.readme and not only:
            write_readme(db, text)
    missed = [row for row in every if not row.met]
    print(f"{len(every) - len(missed)} of {len(every)} met" + (f"; missed: {len(missed)}" if missed else ""))
    sys.exit(1 if missed or not every else 0)


if __name__ == "__main__":
    main()

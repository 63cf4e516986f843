"""The bench harness's own rules (issue 15): a miss fails the run, timings take turns, the
load is recorded, and it never drops a database that is not its own."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import harness


def test_a_missed_budget_makes_the_run_fail(tmp_path, monkeypatch, capsys):
    results = tmp_path / "rows.jsonl"
    monkeypatch.setenv("BENCH_RESULTS", str(results))
    run = harness.Run("P0 test", db="sqlite")
    run.check("fast enough", [0.001] * 20, budget_ms=5)
    run.check("too slow", [0.001] * 18 + [0.2, 0.2], budget_ms=5)
    assert run.finish() == 1
    rows = [json.loads(line) for line in results.read_text().splitlines()]
    assert [(row["workload"], row["met"]) for row in rows] == [("fast enough", True), ("too slow", False)]
    # The load before and after is in every row and in what is printed.
    assert all("→" in row["load"] for row in rows)
    assert "load average before" in capsys.readouterr().err


def test_a_run_that_judged_nothing_fails():
    assert harness.Run("P0 empty", db="sqlite").finish() == 1


def test_every_budget_met_passes():
    run = harness.Run("P0 fine", db="postgres")
    run.check("list", [0.002] * 10, budget_ms=10, queries=3, max_queries=4)
    assert run.finish() == 0


def test_too_many_queries_is_a_miss_even_when_fast():
    run = harness.Run("P0 queries", db="sqlite")
    row = run.check("list", [0.001] * 10, budget_ms=10, queries=5, max_queries=4)
    assert not row.met


def test_a_ratio_over_its_budget_is_a_miss():
    run = harness.Run("P0 ratio", db="sqlite")
    row = run.check("list", [0.004] * 10, budget_ms=10, reference=[0.001] * 10, max_ratio=2)
    assert not row.met
    assert row.ratio.startswith("4.00×")


def test_interleave_takes_turns_after_warming_each_alike():
    calls: list[str] = []
    samples = harness.interleave({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, runs=3, warmup=1)
    assert calls == ["a", "b", "a", "b", "b", "a", "a", "b"]
    assert {name: len(times) for name, times in samples.items()} == {"a": 3, "b": 3}


def test_p95_of_known_samples():
    assert harness.p95([i / 1000 for i in range(1, 101)]) == pytest.approx(95.05)
    assert harness.p95([0.003]) == pytest.approx(3.0)


def test_it_borrows_the_server_of_database_url_never_its_database(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://someone@db.example:5432/production")
    url = harness.database_url("postgres", "std_x")
    assert url == "postgres://someone@db.example:5432/sw_bench_std_x"
    with pytest.raises(AssertionError, match="not a bench database"):
        harness.drop_database("postgres", "postgres://someone@db.example:5432/production")


def test_sqlite_databases_are_files_never_memory(monkeypatch, tmp_path):
    monkeypatch.setattr(harness, "CACHE", tmp_path)
    url = harness.database_url("sqlite", "std_x")
    assert url == f"sqlite:///{tmp_path / 'std_x.sqlite3'}"
    assert ":memory:" not in url


def test_make_bench_counts_a_crashed_or_missing_script_as_a_miss(tmp_path):
    import run

    (tmp_path / "crashes.py").write_text("raise SystemExit(3)\n")
    folder = str(Path(harness.__file__).parent)
    (tmp_path / "passes.py").write_text(
        f"import sys\nsys.path.insert(0, {folder!r})\nimport harness\n"
        "run = harness.Run('P9 fine', db='sqlite')\n"
        "run.add('something', budget='any', measured='1 ms', met=True)\n"
        "sys.exit(run.finish())\n"
    )
    benches = [("P8", "crashes.py", []), ("P9", "passes.py", []), ("P9", "not_written.py", [])]
    rows = run.run_scripts("sqlite", 0.01, benches, None, tmp_path)
    verdicts = {(row.bench, row.workload): (row.met, row.measured) for row in rows}
    assert verdicts == {
        ("P9 fine", "something"): (True, "1 ms"),
        ("P8", "crashes.py"): (False, "crashed (exit 3)"),
        ("P9", "not_written.py"): (False, "the script is missing"),
    }

# Sourcewise — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export SOURCEWISE_DATA_DIR ?= $(CURDIR)/data

.PHONY: run test install install-dev lint typecheck migrations-check test-sqlite test-postgres test-dates browser-test bench bench-findings clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: install, migrate, load the demo into an empty database, serve on http://127.0.0.1:8000
run: install
	DEBUG=$${DEBUG:-1} $(BIN)/sourcewise serve --bind 127.0.0.1:$(PORT)

## make test: lint, types, migrations, the whole suite on SQLite (and PostgreSQL when reachable), browser tests
test: install-dev lint typecheck migrations-check test-sqlite test-postgres test-dates

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: install-dev
	$(BIN)/mypy

migrations-check: install-dev
	DJANGO_SETTINGS_MODULE=sourcewise.config.settings.test $(BIN)/sourcewise makemigrations --check --dry-run

# Tests run in parallel (pytest-xdist); PYTEST_WORKERS=0 runs them in one process. loadgroup hands
# the tests of one module-scoped demo to a single worker (tests/conftest.py), so it is built once.
PYTEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadgroup

test-sqlite: install-dev
	env -u DATABASE_URL $(PYTEST)

# PostgreSQL runs when DATABASE_URL names it, or when one answers on 127.0.0.1:5432.
TEST_PG_URL ?= postgres://postgres@127.0.0.1:5432/sourcewise
test-postgres: install-dev
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(TEST_PG_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=2).close()" 2>/dev/null; then \
		echo "== PostgreSQL at $(TEST_PG_URL)"; \
		DATABASE_URL=$(TEST_PG_URL) $(PYTEST); \
	else echo "== PostgreSQL not reachable at $(TEST_PG_URL): the PostgreSQL run was skipped"; fi

# The rules and the demos, which depend on "today", run as if it were a month end late at night,
# the night European clocks go forward, 29 February and New Year's Eve (SQLite).
TEST_MOMENTS ?= 2027-01-31T23:30:00Z 2027-03-28T00:30:00Z 2028-02-29T12:00:00Z 2026-12-31T23:59:00Z
DATE_TESTS ?= tests/findings tests/costs tests/demo tests/engagements/test_rules.py tests/engagements/test_demo.py tests/engagements/test_agreed_rate_rules.py tests/guidance/test_sop_rules.py tests/guidance/test_pulse_and_training.py tests/tasks/test_rules.py tests/talent/test_rules.py tests/talent/test_talent_demo.py
# Tests marked own_clock travel to every moment they check themselves (tick=False), so these runs
# would only repeat them: they run once, in test-sqlite and test-postgres.
test-dates: install-dev
	@for moment in $(TEST_MOMENTS); do \
		echo "== as if it were $$moment"; \
		env -u DATABASE_URL SOURCEWISE_TEST_NOW=$$moment $(PYTEST) -m "not own_clock" $(DATE_TESTS) || exit 1; \
	done

browser-test: install-dev
	$(BIN)/pytest -q tests/browser

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache artifacts

## make bench: every speed budget of SPEC §6 on generated data, one table, exit 1 on a miss (not part of
## make test). SQLite, or PostgreSQL when DATABASE_URL names it; BENCH_ARGS="--db sqlite,postgres --readme"
## runs both and writes README's table. The `bench` extra adds DRF, the peer in bench/peers.py.
$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	touch $(VENV)/.installed $(VENV)/.installed-dev $@

bench: $(VENV)/.installed-bench
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## make bench-findings: the stored findings at 1k and 20k, SQLite and PostgreSQL (issue 12); 100k: `--size 100k`
BENCH_FINDINGS_SIZES ?= 1k,20k
BENCH_FINDINGS_DBS ?= sqlite,postgres
bench-findings: install-dev
	nice $(BIN)/python bench/findings.py --size $(BENCH_FINDINGS_SIZES) --db $(BENCH_FINDINGS_DBS)

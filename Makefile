# Sourcewise — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export SOURCEWISE_DATA_DIR ?= $(CURDIR)/data

.PHONY: run test install install-dev lint typecheck migrations-check test-sqlite test-postgres browser-test bench clean

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
test: install-dev lint typecheck migrations-check test-sqlite test-postgres

lint: install-dev
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: install-dev
	$(BIN)/mypy

migrations-check: install-dev
	DJANGO_SETTINGS_MODULE=sourcewise.config.settings.test $(BIN)/sourcewise makemigrations --check --dry-run

test-sqlite: install-dev
	env -u DATABASE_URL $(BIN)/pytest -q

# PostgreSQL runs when DATABASE_URL names it, or when one answers on 127.0.0.1:5432.
TEST_PG_URL ?= postgres://postgres@127.0.0.1:5432/sourcewise
test-postgres: install-dev
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(TEST_PG_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=2).close()" 2>/dev/null; then \
		echo "== PostgreSQL at $(TEST_PG_URL)"; \
		DATABASE_URL=$(TEST_PG_URL) $(BIN)/pytest -q; \
	else echo "== PostgreSQL not reachable at $(TEST_PG_URL): the PostgreSQL run was skipped"; fi

browser-test: install-dev
	$(BIN)/pytest -q tests/browser

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache artifacts

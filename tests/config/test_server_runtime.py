"""The production WSGI entry sets the garbage collector up as a server wants it (core.runtime)."""

from __future__ import annotations

import gc
import os
import secrets
import subprocess
import sys

from sourcewise.core.runtime import SERVER_GC_THRESHOLDS, tune_garbage_collector

PROBE = (
    "import gc, sourcewise.config.wsgi as w;"
    "print(callable(w.application), gc.get_threshold(), gc.get_freeze_count() > 1000)"
)


def test_the_wsgi_entry_freezes_what_it_loaded_and_raises_the_thresholds(tmp_path):
    dropped = {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("SECURE_")}
    environment.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), SOURCEWISE_DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=environment, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", *str(SERVER_GC_THRESHOLDS).split(), "True"]


def test_tuning_keeps_the_collector_on_with_higher_thresholds():
    before = gc.get_threshold()
    try:
        tune_garbage_collector()
        assert gc.isenabled() and gc.get_threshold() == SERVER_GC_THRESHOLDS
        assert all(mine > default for mine, default in zip(SERVER_GC_THRESHOLDS, (700, 10, 10), strict=True))
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


SETTINGS_PROBE = (
    "from django.conf import settings;"
    "o = settings.DATABASES['default'].get('OPTIONS', {});"
    "print(o.get('server_side_binding'), o.get('prepare_threshold'))"
)


def _database_options(tmp_path, **env: str) -> list[str]:
    dropped = {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DB_PREPARED_STATEMENTS"}
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment.update(DJANGO_SETTINGS_MODULE="sourcewise.config.settings.base", DEBUG="1")
    environment.update(SOURCEWISE_DATA_DIR=str(tmp_path), **env)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + SETTINGS_PROBE],
        env=environment, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_postgresql_statements_are_prepared_unless_turned_off(tmp_path):
    """psycopg prepares a statement a connection has run 5 times (api.prepared's, bound on the
    server); Django's own binding stays for the rest; off for a pooler that can't keep them."""
    url = "postgres://someone@db.example:5432/sourcewise"
    assert _database_options(tmp_path, DATABASE_URL=url) == ["None", "5"]  # bound on the server: api.prepared
    assert _database_options(tmp_path, DATABASE_URL=url, DB_PREPARED_STATEMENTS="0") == ["None", "None"]
    assert _database_options(tmp_path) == ["None", "None"]  # SQLite: nothing to prepare this way

"""The `sourcewise` command line: the local secret key is found, a missing one is one clear line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    dropped = {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("SECURE_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "from sourcewise.cli import main; main()", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_without_debug_and_without_any_key_the_cli_prints_one_line_and_exits_2(tmp_path):
    result = run_cli("health", SOURCEWISE_DATA_DIR=str(tmp_path), DEBUG="0")

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SECRET_KEY is required when DEBUG is off" in lines[0]
    assert result.stdout == ""


@pytest.mark.slow
def test_after_a_local_run_the_cli_uses_the_key_in_the_data_folder(tmp_path):
    # What `make run` leaves behind: DEBUG=1 generated data/secret_key.
    (tmp_path / "secret_key").write_text("a-local-key-written-by-make-run-0123456789abcdefghij")

    migrate = run_cli("migrate", "--verbosity", "0", SOURCEWISE_DATA_DIR=str(tmp_path), DEBUG="0")
    assert migrate.returncode == 0, migrate.stderr
    result = run_cli("health", SOURCEWISE_DATA_DIR=str(tmp_path), DEBUG="0")

    assert "SECRET_KEY" not in result.stderr
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr


def test_an_empty_key_file_does_not_count_as_a_key(tmp_path):
    (tmp_path / "secret_key").write_text("\n")

    result = run_cli("check", SOURCEWISE_DATA_DIR=str(tmp_path), DEBUG="0")

    assert result.returncode == 2
    assert "Traceback" not in result.stderr

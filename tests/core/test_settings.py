"""Production settings: `antq check --deploy` is clean; without SECRET_KEY it refuses to start."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

PRODUCTION_ENV = {
    "PATH": os.environ.get("PATH", ""),
    "SECRET_KEY": "k" * 20 + "-production-secret-for-the-check-only-0123456789",
    "ALLOWED_HOSTS": "antq.congan.example",
    "ANTQ_VAR_DIR": str(Path(tempfile.gettempdir()) / "antq-settings-test"),
}


def _antq(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "antq.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = _antq("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _antq("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("DEBUG", "False"),
        ("TIME_ZONE", "Asia/Ho_Chi_Minh"),
        ("LANGUAGE_CODE", "vi"),
        ("SESSION_COOKIE_SECURE", "True"),
        ("PASSWORD_HASHERS", "['django.contrib.auth.hashers.Argon2PasswordHasher']"),
    ],
)
def test_production_defaults(name: str, expected: str) -> None:
    code = f"from django.conf import settings; print(settings.{name})"
    result = _antq("shell", "-c", code, env=PRODUCTION_ENV)
    assert result.stdout.strip().splitlines()[-1] == expected, result.stderr


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(settings, db) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20000

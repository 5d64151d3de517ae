"""Settings fail loudly: each case starts a fresh interpreter with a given environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SHINCHOKU_"))}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import shinchoku.settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'])",
        ],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_requires_a_secret_key() -> None:
    result = load_settings()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_production_refuses_a_short_secret_key() -> None:
    result = load_settings(DJANGO_SECRET_KEY="short")
    assert "at least 50 characters" in result.stderr


@pytest.mark.parametrize("key", ["x" * 64, "abcd" * 20, "password" * 8])
def test_production_refuses_a_guessable_secret_key(key: str) -> None:
    result = load_settings(DJANGO_SECRET_KEY=key)
    assert result.returncode != 0 and "16 different" in result.stderr


GOOD_KEY = "k7Qm2xV9pL4sR8tW1yZ3bN6cF0hJ5dG-aE_uI2oP9qS4vX7wY1zT8rM3nB6cV0xL"


def test_production_runs_without_debug() -> None:
    result = load_settings(DJANGO_SECRET_KEY=GOOD_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.db.backends.sqlite3"]


def test_debug_is_refused_in_production() -> None:
    result = load_settings(DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_DEBUG="1")
    assert "only allowed with SHINCHOKU_ENV=development" in result.stderr


@pytest.mark.parametrize("value", ["maybe", "2", "Ja"])
def test_bad_boolean_is_an_error(value: str) -> None:
    result = load_settings(SHINCHOKU_ENV="development", DJANGO_DEBUG=value)
    assert result.returncode != 0
    assert f"DJANGO_DEBUG={value!r} is not a boolean" in result.stderr


def test_unknown_environment_name_is_an_error() -> None:
    result = load_settings(SHINCHOKU_ENV="staging")
    assert "SHINCHOKU_ENV='staging'" in result.stderr


def test_database_url_selects_postgresql() -> None:
    result = load_settings(SHINCHOKU_ENV="development", DATABASE_URL="postgres://u:p@127.0.0.1:5432/x")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.db.backends.postgresql"]


def test_development_debug_is_off_unless_asked() -> None:
    assert load_settings(SHINCHOKU_ENV="development").stdout.split()[0] == "False"
    assert load_settings(SHINCHOKU_ENV="development", DJANGO_DEBUG="yes").stdout.split()[0] == "True"


def hsts_seconds(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SHINCHOKU_"))}
    clean.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", "import shinchoku.settings as s; print(s.SECURE_HSTS_SECONDS)"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_sends_hsts_for_a_year_unless_configured() -> None:
    # Issue 14, finding 7: there was no Strict-Transport-Security at all.
    assert hsts_seconds(DJANGO_SECRET_KEY=GOOD_KEY) == "31536000"
    assert hsts_seconds(DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_HSTS_SECONDS="300") == "300"
    assert hsts_seconds(SHINCHOKU_ENV="development") == "0"

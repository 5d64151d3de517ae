"""Backup and restore give back identical data, on the engine the suite runs on.

Real commands in real processes against a scratch database (a temporary SQLite file, or a
PostgreSQL database created on the test server and dropped afterwards), never pytest-django's:
migrate, load_demo, backup, change the data, restore, and compare everything.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from shinchoku.core.backup import (
    POSTGRESQL,
    SQLITE,
    BackupError,
    backup_database,
    check_backup_file,
    default_backup_path,
    engine_of,
)

ROOT = Path(__file__).resolve().parents[3]
ENGINE = engine_of(settings.DATABASES["default"])

# Every row of every table (the search index included), as a count and a digest per table.
DIGEST = """
import hashlib, json
from django.db import connection
digest = {}
with connection.cursor() as cursor:
    for table in sorted(connection.introspection.table_names(cursor)):
        cursor.execute("SELECT * FROM " + connection.ops.quote_name(table))
        rows = sorted(
            repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)) for row in cursor.fetchall()
        )
        digest[table] = [len(rows), hashlib.sha256("\\n".join(rows).encode()).hexdigest()]
with open(OUT, "w") as out:
    json.dump(digest, out)
"""

CHANGE = """
from django.contrib.auth import get_user_model
from shinchoku.organizations.models import Municipality
get_user_model().objects.filter(username="tanto").delete()
Municipality.objects.update(name="書き換え市")
"""


@pytest.fixture
def scratch_database_url(tmp_path: Path) -> Iterator[str]:
    if ENGINE == SQLITE:
        yield f"sqlite:///{tmp_path / 'data' / 'db.sqlite3'}"
        return
    import psycopg

    config = settings.DATABASES["default"]
    name = f"shinchoku_backup_{secrets.token_hex(4)}"
    server = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "dbname": "postgres",
    }
    with psycopg.connect(**{k: v for k, v in server.items() if v is not None}, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(**{k: v for k, v in server.items() if v is not None}, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(env: dict[str, str], *command: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *command],
        env=env,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"manage.py {command[0]}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done.stdout


def _digest(env: dict[str, str], out: Path) -> dict[str, list[object]]:
    _manage(env, "shell", "-c", f"OUT = {str(out)!r}\n" + DIGEST)
    return json.loads(out.read_text())  # type: ignore[no-any-return]


def test_restore_gives_back_identical_data(tmp_path: Path, scratch_database_url: str) -> None:
    backups = tmp_path / "backups"
    env = {
        **{
            k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SHINCHOKU_", "DATABASE_URL"))
        },
        "SHINCHOKU_ENV": "development",
        "DATABASE_URL": scratch_database_url,
        "SHINCHOKU_BACKUP_DIR": str(backups),
    }
    _manage(env, "migrate", "--no-input")
    _manage(env, "load_demo")
    dump_before = _manage(env, "dumpdata", "--natural-foreign")
    digest_before = _digest(env, tmp_path / "before.json")
    assert digest_before["auth_user"][0] >= 7  # the demo accounts are there

    written = _manage(env, "backup")
    (backup,) = backups.iterdir()
    suffix = {SQLITE: "sqlite3", POSTGRESQL: "dump"}[ENGINE]
    assert re.fullmatch(rf"shinchoku-\d{{8}}-\d{{4}}\.{suffix}", backup.name), backup.name
    assert f"Wrote {backup}" in written
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(backups.stat().st_mode) == 0o700

    _manage(env, "shell", "-c", CHANGE)
    assert _digest(env, tmp_path / "changed.json") != digest_before

    restored = _manage(env, "restore", str(backup), stdin="yes\n")
    assert "Restored" in restored and "predates" not in restored
    assert _digest(env, tmp_path / "after.json") == digest_before
    assert _manage(env, "dumpdata", "--natural-foreign") == dump_before


def test_restore_refuses_a_backup_of_the_other_engine(tmp_path: Path) -> None:
    other = tmp_path / "other"
    if ENGINE == SQLITE:
        other.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(100))
        expected = "is a backup of a PostgreSQL database, but this Shinchoku uses SQLite"
    else:
        sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
        expected = "is a backup of an SQLite database, but this Shinchoku uses PostgreSQL"
    with pytest.raises(CommandError, match=expected):
        call_command("restore", str(other), interactive=False)


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a backup")
    with pytest.raises(BackupError, match="not a Shinchoku backup"):
        check_backup_file({"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}, text)
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing.dump"), interactive=False)


def test_sqlite_restore_refuses_a_database_that_is_not_shinchoku(tmp_path: Path) -> None:
    stranger = tmp_path / "stranger.sqlite3"
    with sqlite3.connect(stranger) as connection:
        connection.execute("CREATE TABLE t (x)")
    connection.close()
    target = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "db.sqlite3")}
    from shinchoku.core.backup import restore_database

    with pytest.raises(BackupError, match="not one of Shinchoku"):
        restore_database(target, stranger)
    assert not (tmp_path / "db.sqlite3").exists()


def test_default_backup_name_is_in_japan_time_and_never_overwrites(tmp_path: Path) -> None:
    moment = datetime(2026, 12, 2, 10, 30, tzinfo=UTC)
    first = default_backup_path(tmp_path, SQLITE, moment)
    assert first.name == "shinchoku-20261202-1930.sqlite3"
    first.touch()
    assert default_backup_path(tmp_path, SQLITE, moment).name == "shinchoku-20261202-1930-2.sqlite3"
    assert default_backup_path(tmp_path, POSTGRESQL, moment).name == "shinchoku-20261202-1930.dump"


def test_backup_refuses_to_overwrite_a_file(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    sqlite3.connect(database).execute("CREATE TABLE django_migrations (x)").connection.close()
    existing = tmp_path / "existing.sqlite3"
    existing.write_text("keep me")
    source = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(database)}
    with pytest.raises(BackupError, match="already exists"):
        backup_database(source, existing)
    assert existing.read_text() == "keep me"
    result = backup_database(source, tmp_path / "new.sqlite3")
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left behind

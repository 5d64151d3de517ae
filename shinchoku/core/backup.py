"""Backups of the whole database, their restore, and the permissions of private files.

``manage.py backup`` writes one file: for SQLite a copy made with SQLite's online backup API
(a consistent snapshot, safe while the server runs in WAL mode), for PostgreSQL a
``pg_dump --format=custom`` archive. ``manage.py restore FILE`` puts it back (the backup API into
the configured database file, or ``pg_restore --clean --if-exists --no-owner`` in one
transaction). A backup of one engine is refused by the other with a clear message.

Private files: backups are written 0600 in a 0700 directory; the SQLite database, its -wal and
-shm files are made 0600 when a connection opens them (:func:`make_sqlite_files_private`, on
``connection_created``), and their directory is created 0700 by the settings
(:func:`private_database_directory`). No process-wide umask: collected static files must stay
readable by a web server in front of the application.

This module is imported by the settings: it imports nothing from Django at module level.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import stat
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")
SQLITE = "sqlite"
POSTGRESQL = "postgresql"
ENGINES = {"django.db.backends.sqlite3": SQLITE, "django.db.backends.postgresql": POSTGRESQL}
SUFFIXES = {SQLITE: ".sqlite3", POSTGRESQL: ".dump"}
ENGINE_NAMES = {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL"}
A_DATABASE = {SQLITE: "an SQLite database", POSTGRESQL: "a PostgreSQL database"}
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or a restore that cannot be done; the message says why, for the operator."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    engine: str
    seconds: float


# --- private files -------------------------------------------------------------------------------


def private_database_directory(
    database: str | os.PathLike[str], *, checkout_var: Path, static_root: Path | None
) -> None:
    """Create the directory of an SQLite database 0700, or tighten the checkout's own ``var/``.

    When the collected static files live inside that directory it is 0711 instead, so that a
    web server running as another user can still reach them (it can list nothing; every private
    file inside has its own 0600/0700). An existing directory other than ``checkout_var`` (say
    /tmp or /srv) is never changed: it is not ours.
    """
    name = os.fspath(database)
    if name in {"", ":memory:"} or name.startswith("file:"):
        return
    directory = Path(name).absolute().parent
    mode = 0o700
    if static_root is not None and Path(static_root).absolute().is_relative_to(directory):
        mode = 0o711
    if not directory.exists():
        directory.parent.mkdir(parents=True, exist_ok=True)
        directory.mkdir(mode=mode, exist_ok=True)
        _chmod_quietly(directory, mode)
        return
    if directory == checkout_var.absolute():
        info = directory.stat()
        current = stat.S_IMODE(info.st_mode)
        if info.st_uid == os.geteuid() and current & ~mode:
            _chmod_quietly(directory, current & mode)


def make_sqlite_files_private(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: the SQLite database and its -wal/-shm files become 0600.

    Only files of our own user are touched; a file that already allows nobody else is left alone
    (the cost is a few ``stat`` calls per connection).
    """
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return
    name = os.fspath(connection.settings_dict["NAME"])
    for path in (name, f"{name}-wal", f"{name}-shm", f"{name}-journal"):
        try:
            info = os.stat(path)
        except OSError:
            continue
        if info.st_mode & 0o077 and info.st_uid == os.geteuid():
            _chmod_quietly(Path(path), stat.S_IMODE(info.st_mode) & 0o600)


def _chmod_quietly(path: Path, mode: int) -> None:
    # Gone in between, or a file system without modes: nothing more we can do.
    with contextlib.suppress(OSError):
        os.chmod(path, mode)


def private_directory(path: Path) -> Path:
    """Create ``path`` (and its parents) with the directory itself 0700."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(mode=0o700, exist_ok=True)
        _chmod_quietly(path, 0o700)
    return path


# --- which database ------------------------------------------------------------------------------


def engine_of(settings_dict: Mapping[str, Any]) -> str:
    engine = ENGINES.get(str(settings_dict.get("ENGINE", "")))
    if engine is None:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {settings_dict.get('ENGINE')}.")
    return engine


def describe_database(settings_dict: Mapping[str, Any]) -> str:
    """Where the data is, for messages (never the password)."""
    if engine_of(settings_dict) == SQLITE:
        return f"the SQLite database {settings_dict['NAME']}"
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or 5432
    return f"the PostgreSQL database {settings_dict.get('NAME')!r} on {host}:{port}"


def engine_of_file(path: Path) -> str | None:
    """The engine a backup file belongs to, from its first bytes (None: neither)."""
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return SQLITE
    if head.startswith(PG_CUSTOM_MAGIC):
        return POSTGRESQL
    return None


def default_backup_path(directory: Path, engine: str, now: datetime | None = None) -> Path:
    """``shinchoku-YYYYMMDD-HHMM.sqlite3`` or ``.dump``, in Japan time; never an existing file."""
    moment = (now or datetime.now(JST)).astimezone(JST)
    suffix = SUFFIXES[engine]
    path = directory / f"shinchoku-{moment:%Y%m%d-%H%M}{suffix}"
    counter = 2
    while path.exists():
        path = directory / f"shinchoku-{moment:%Y%m%d-%H%M}-{counter}{suffix}"
        counter += 1
    return path


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit} ({size:,} bytes)"
        value /= 1024
    raise AssertionError("unreachable")


# --- backup --------------------------------------------------------------------------------------


def backup_database(settings_dict: Mapping[str, Any], output: Path) -> BackupResult:
    """Write a consistent backup of the database to ``output`` (0600; an existing file is refused)."""
    engine = engine_of(settings_dict)
    output = output.absolute()
    if output.exists():
        raise BackupError(f"{output} already exists; choose another name or remove it first.")
    if not output.parent.is_dir():
        raise BackupError(f"The directory {output.parent} does not exist.")
    started = time.monotonic()
    # mkstemp creates the file 0600 beside the target; it becomes the backup only once complete.
    handle, temporary_name = tempfile.mkstemp(prefix=".shinchoku-backup-", dir=output.parent)
    os.close(handle)
    temporary = Path(temporary_name)
    try:
        if engine == SQLITE:
            _sqlite_backup(Path(settings_dict["NAME"]), temporary)
        else:
            _pg_dump(settings_dict, temporary)
        os.chmod(temporary, 0o600)
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)
    return BackupResult(output, output.stat().st_size, engine, time.monotonic() - started)


def _sqlite_backup(database: Path, target: Path) -> None:
    if not database.is_file():
        raise BackupError(f"The SQLite database {database} does not exist.")
    source = sqlite3.connect(database, timeout=20)
    destination = sqlite3.connect(target)
    try:
        # One step: a single read transaction, hence a consistent snapshot; WAL lets writers go on.
        source.backup(destination)
        # The copy is a single self-contained file (no -wal beside it), checked before it counts.
        destination.execute("PRAGMA journal_mode=DELETE")
        _sqlite_quick_check(destination, target)
    except sqlite3.Error as error:
        raise BackupError(f"SQLite backup of {database} failed: {error}") from error
    finally:
        destination.close()
        source.close()


def _sqlite_quick_check(connection: sqlite3.Connection, path: Path) -> None:
    result = connection.execute("PRAGMA quick_check").fetchone()
    if not result or result[0] != "ok":
        raise BackupError(f"{path} fails SQLite's integrity check: {result[0] if result else 'no answer'}")


def _pg_environment(settings_dict: Mapping[str, Any]) -> dict[str, str]:
    """libpq variables for pg_dump/pg_restore: the password never appears on a command line."""
    options = settings_dict.get("OPTIONS") or {}
    # Stray PG* variables of the caller must not point the tools at another server.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    wanted = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
        "PGSERVICE": options.get("service"),
        "PGPASSFILE": options.get("passfile"),
        "PGSSLMODE": options.get("sslmode"),
        "PGSSLROOTCERT": options.get("sslrootcert"),
        "PGSSLCERT": options.get("sslcert"),
        "PGSSLKEY": options.get("sslkey"),
    }
    env.update({key: str(value) for key, value in wanted.items() if value not in (None, "")})
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return found


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{what} failed (exit status {done.returncode}):\n{done.stderr.strip()}")
    return done.stdout


def _pg_dump(settings_dict: Mapping[str, Any], target: Path) -> None:
    command = [_pg_tool("pg_dump"), "--format=custom", "--no-password", f"--file={target}"]
    _run(command, _pg_environment(settings_dict), "pg_dump")


# --- restore -------------------------------------------------------------------------------------


def check_backup_file(settings_dict: Mapping[str, Any], path: Path) -> str:
    """Refuse a file that is missing, not a backup, or a backup of the other engine."""
    engine = engine_of(settings_dict)
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    found = engine_of_file(path)
    if found is None:
        raise BackupError(
            f"{path} is not a Shinchoku backup: neither an SQLite database nor a pg_dump custom-format "
            "archive (manage.py backup writes one or the other)."
        )
    if found != engine:
        raise BackupError(
            f"{path} is a backup of {A_DATABASE[found]}, but this Shinchoku uses {ENGINE_NAMES[engine]} "
            f"({describe_database(settings_dict)}). Restore it where DATABASE_URL names "
            f"{A_DATABASE[found]}; to move data between engines use dumpdata and loaddata."
        )
    return engine


def restore_database(settings_dict: Mapping[str, Any], path: Path) -> float:
    """Replace the database's content with the backup ``path``; returns the seconds it took."""
    engine = check_backup_file(settings_dict, path)
    started = time.monotonic()
    if engine == SQLITE:
        _sqlite_restore(path, Path(settings_dict["NAME"]))
    else:
        _pg_restore(settings_dict, path)
    return time.monotonic() - started


def _sqlite_restore(backup: Path, database: Path) -> None:
    try:
        source = sqlite3.connect(f"{backup.absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise BackupError(f"{backup} cannot be opened: {error}") from error
    try:
        _sqlite_quick_check(source, backup)
        tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "django_migrations" not in tables:
            raise BackupError(
                f"{backup} is an SQLite database, but not one of Shinchoku (no django_migrations)."
            )
        if not database.exists():
            os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        destination = sqlite3.connect(database, timeout=20)
        try:
            # Writers wait (busy timeout) while every page is replaced; readers then see the backup.
            source.backup(destination)
        finally:
            destination.close()
    except sqlite3.Error as error:
        raise BackupError(f"Restoring {backup} into {database} failed: {error}") from error
    finally:
        source.close()


def pg_dump_tables(path: Path) -> set[str]:
    """The tables (schema.name) a pg_dump custom archive holds, from its table of contents."""
    listing = _run([_pg_tool("pg_restore"), "--list", str(path)], _pg_environment({}), "pg_restore --list")
    tables = set()
    for line in listing.splitlines():
        if line.startswith(";"):
            continue
        parts = line.split()
        # "215; 1259 16390 TABLE public accounts_loginfailure postgres"
        if len(parts) >= 6 and parts[3] == "TABLE":
            tables.add(f"{parts[4]}.{parts[5]}")
    return tables


def _pg_restore(settings_dict: Mapping[str, Any], backup: Path) -> None:
    if not settings_dict.get("NAME"):
        raise BackupError("DATABASE_URL names no database to restore into.")
    command = [
        _pg_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        # All or nothing: a failure leaves the database as it was.
        "--single-transaction",
        "--exit-on-error",
        "--no-password",
        f"--dbname={settings_dict['NAME']}",
        str(backup),
    ]
    _run(command, _pg_environment(settings_dict), "pg_restore")

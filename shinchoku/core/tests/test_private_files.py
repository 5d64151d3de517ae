"""Private files: the SQLite database, its -wal/-shm files, its directory and uploads are the
server user's alone, without a process-wide umask (README "Backup and restore")."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.test import override_settings

from shinchoku.core.backup import make_sqlite_files_private, private_database_directory

ROOT = Path(__file__).resolve().parents[3]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _manage(database: Path, *command: str) -> None:
    env = {
        **{
            k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SHINCHOKU_", "DATABASE_URL"))
        },
        "SHINCHOKU_ENV": "development",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *command],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_fresh_database_and_its_directory_are_private(tmp_path: Path) -> None:
    database = tmp_path / "x" / "db.sqlite3"
    _manage(database, "migrate", "--no-input")
    assert _mode(database) == 0o600
    assert _mode(database.parent) == 0o700
    for extra in ("-wal", "-shm"):
        companion = Path(f"{database}{extra}")
        assert not companion.exists() or _mode(companion) == 0o600


def test_an_existing_readable_database_becomes_private_and_its_directory_is_left_alone(
    tmp_path: Path,
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    database = shared / "db.sqlite3"
    database.touch()
    database.chmod(0o644)
    _manage(database, "showmigrations")  # any command that connects
    assert _mode(database) == 0o600
    assert _mode(shared) == 0o755


def test_the_wal_and_shm_files_become_private(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    for name in ("db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm"):
        (tmp_path / name).touch()
        (tmp_path / name).chmod(0o644)
    connection = SimpleNamespace(
        vendor="sqlite", settings_dict={"NAME": str(database)}, is_in_memory_db=lambda: False
    )
    make_sqlite_files_private(sender=None, connection=connection)
    for name in ("db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm"):
        assert _mode(tmp_path / name) == 0o600, name


def test_the_checkout_var_is_tightened_but_static_files_stay_reachable(tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir()
    var.chmod(0o755)
    private_database_directory(var / "db.sqlite3", checkout_var=var, static_root=None)
    assert _mode(var) == 0o700
    var.chmod(0o755)
    # With collectstatic's folder inside, a web server running as another user may pass through.
    private_database_directory(var / "db.sqlite3", checkout_var=var, static_root=var / "static")
    assert _mode(var) == 0o711
    fresh = tmp_path / "fresh" / "var"
    private_database_directory(fresh / "db.sqlite3", checkout_var=var, static_root=fresh / "static")
    assert _mode(fresh) == 0o711
    assert _mode(fresh.parent) & 0o055  # parents are made as usual


def test_uploads_are_private(tmp_path: Path) -> None:
    assert settings.FILE_UPLOAD_PERMISSIONS == 0o600
    assert settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS == 0o700
    assert Path(settings.MEDIA_ROOT).name == "media"
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        name = FileSystemStorage().save("imports/2026/report.pdf", ContentFile(b"%PDF-1.7"))
    saved = tmp_path / "media" / name
    assert _mode(saved) == 0o600
    assert _mode(saved.parent) == 0o700
    assert _mode(tmp_path / "media") == 0o700

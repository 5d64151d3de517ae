"""python manage.py backup [-o PATH] — one consistent backup file of the whole database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from shinchoku.core.backup import (
    ENGINE_NAMES,
    BackupError,
    backup_database,
    default_backup_path,
    engine_of,
    human_size,
    private_directory,
)


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database: SQLite's online backup API (safe while the "
        "server runs), or pg_dump --format=custom for PostgreSQL. The file is readable by its owner "
        "only; by default shinchoku-YYYYMMDD-HHMM (Japan time) in SHINCHOKU_BACKUP_DIR (var/backups)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", type=Path, help="The file to write (refused if it exists).")

    def handle(self, *args: Any, **options: Any) -> None:
        settings_dict = connections[DEFAULT_DB_ALIAS].settings_dict
        try:
            engine = engine_of(settings_dict)
            output = options["output"]
            if output is None:
                output = default_backup_path(private_directory(Path(settings.BACKUP_DIR)), engine)
            result = backup_database(settings_dict, output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Wrote {result.path}: {human_size(result.size)}, {ENGINE_NAMES[engine]}, "
            f"{result.seconds:.2f} s, readable by its owner only (0600)."
        )

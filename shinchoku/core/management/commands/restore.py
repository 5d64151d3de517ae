"""python manage.py restore FILE [--no-input] — put back a backup written by ``manage.py backup``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from shinchoku.core.backup import (
    POSTGRESQL,
    BackupError,
    check_backup_file,
    describe_database,
    human_size,
    pg_dump_tables,
    restore_database,
)


class Command(BaseCommand):
    help = (
        "Replace all data of the database with a backup written by `manage.py backup` (SQLite: the "
        "backup API into the database file; PostgreSQL: pg_restore --clean --if-exists --no-owner, "
        "in one transaction). Asks for confirmation unless --no-input."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The backup file.")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        settings_dict = connections[DEFAULT_DB_ALIAS].settings_dict
        where = describe_database(settings_dict)
        try:
            engine = check_backup_file(settings_dict, path)
            extra_tables = self._tables_not_in_backup(path) if engine == POSTGRESQL else []
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = human_size(path.stat().st_size)
        if options["interactive"]:
            answer = input(
                f"This replaces ALL data in {where} with the backup {path}: {size}.\n"
                "Type 'yes' to continue, or anything else to cancel: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        # Our own connection must not hold anything open while the data is replaced.
        connections.close_all()
        try:
            seconds = restore_database(settings_dict, path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {path} into {where} in {seconds:.2f} s.")
        if extra_tables:
            self.stdout.write(
                "These tables are not in the backup and were left as they were: " + ", ".join(extra_tables)
            )
        if self._unapplied_migrations():
            self.stdout.write(
                "The backup predates this version of Shinchoku: run `manage.py migrate` before serving it."
            )

    def _tables_not_in_backup(self, path: Path) -> list[str]:
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')"
            )
            current = {row[0] for row in cursor.fetchall()}
        return sorted(current - pg_dump_tables(path))

    def _unapplied_migrations(self) -> bool:
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            executor = MigrationExecutor(connection)
            return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
        finally:
            connection.close()

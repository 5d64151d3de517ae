"""python manage.py users_import FILE --municipality CODE_OR_SLUG [--dry-run] [--deactivate-missing]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shinchoku.accounts.roster import Action, roster_apply, roster_plan, roster_read
from shinchoku.core.audit import Actor
from shinchoku.core.tables import TableError
from shinchoku.organizations.selectors import municipality_by_code_or_slug


class Command(BaseCommand):
    help = (
        "Create, update and deactivate users and their roles from a CSV or XLSX file; "
        "prints the changes, and the temporary password of each new user once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--municipality", required=True, help="Code (地方公共団体コード) or slug.")
        parser.add_argument("--dry-run", action="store_true", help="Show the changes; write nothing.")
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="End the roles of users absent from the file, and deactivate them.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        municipality = municipality_by_code_or_slug(options["municipality"])
        if municipality is None:
            raise CommandError(f"No municipality with code or slug {options['municipality']!r}.")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        try:
            roster = roster_read(data, source=path.name, municipality=municipality)
        except TableError as error:
            raise CommandError(f"Nothing was imported. {len(error.problems)} problem(s):\n{error}") from None
        plan = roster_plan(
            municipality=municipality, roster=roster, deactivate_missing=options["deactivate_missing"]
        )
        verb = "Would change" if options["dry_run"] else "Imported"
        self.stdout.write(f"{verb} the users of {municipality} from {path.name}: {plan.summary()}")
        for warning in plan.warnings:
            self.stdout.write(f"  ! {warning}")
        for action in (Action.NEW, Action.CHANGED, Action.DEACTIVATED):
            for change in plan.of(action):
                self.stdout.write(f"  {change.describe()}")
        if options["dry_run"] or not plan.changed:
            return
        passwords = roster_apply(
            municipality=municipality, plan=plan, actor=Actor(label=f"users_import {path.name}")
        )
        if passwords:
            self.stdout.write(
                "\nTemporary passwords (shown only now; hand each to its user, "
                "who must choose a new password at the first log-in):"
            )
            width = max(len(p.username) for p in passwords)
            for p in passwords:
                self.stdout.write(f"  {p.username.ljust(width)}  {p.password}  {p.full_name}")

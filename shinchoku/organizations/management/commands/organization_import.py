"""python manage.py organization_import FILE --municipality CODE_OR_SLUG [--fiscal-year Y] [--dry-run]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from shinchoku.core.audit import Actor
from shinchoku.core.eras import EraParseError, fiscal_year_of, parse_fiscal_year
from shinchoku.core.tables import TableError
from shinchoku.organizations.master import Action, MasterPlan, master_apply, master_plan, master_read
from shinchoku.organizations.models import Municipality
from shinchoku.organizations.selectors import municipality_by_code_or_slug


def municipality_option(value: str) -> Municipality:
    municipality = municipality_by_code_or_slug(value)
    if municipality is None:
        raise CommandError(
            f"No municipality with code or slug {value!r} (create it: manage.py municipality_create)."
        )
    return municipality


def print_plan(write: Any, plan: MasterPlan) -> None:
    for warning in plan.warnings:
        write(f"  ! {warning}")
    for action in (Action.NEW, Action.RENAMED, Action.ABOLISHED, Action.CHANGED):
        for change in plan.of(action):
            write(f"  {change.describe()}")


class Command(BaseCommand):
    help = "Import the organisation master (部・課) from a CSV or XLSX file; prints the changes first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--municipality", required=True, help="Code (地方公共団体コード) or slug.")
        parser.add_argument(
            "--fiscal-year",
            help="The fiscal year the file applies from (2025, 令和7年度, R7); this fiscal year by default.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Show the changes; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        municipality = municipality_option(options["municipality"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        if options["fiscal_year"]:
            try:
                year = parse_fiscal_year(options["fiscal_year"])
            except EraParseError as error:
                raise CommandError(str(error.message)) from None
        else:
            year = fiscal_year_of(timezone.localdate())
        try:
            plan = master_plan(
                municipality=municipality, master=master_read(data, source=path.name), fiscal_year=year
            )
        except TableError as error:
            raise CommandError(f"Nothing was imported. {len(error.problems)} problem(s):\n{error}") from None
        verb = "Would change" if options["dry_run"] else "Imported"
        self.stdout.write(
            f"{verb} the organisation of {municipality} from {path.name} (fiscal year {year}): {plan.summary()}"
        )
        print_plan(self.stdout.write, plan)
        if not options["dry_run"] and plan.changed:
            master_apply(
                municipality=municipality, plan=plan, actor=Actor(label=f"organization_import {path.name}")
            )

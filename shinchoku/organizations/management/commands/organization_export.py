"""python manage.py organization_export --municipality CODE_OR_SLUG -o FILE.csv|FILE.xlsx"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shinchoku.organizations.management.commands.organization_import import municipality_option
from shinchoku.organizations.master import master_export


class Command(BaseCommand):
    help = "Write the organisation master in the layout organization_import reads (CSV or XLSX)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", required=True, help="Code (地方公共団体コード) or slug.")
        parser.add_argument("-o", "--output", type=Path, required=True, help="FILE.csv or FILE.xlsx")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = municipality_option(options["municipality"])
        path: Path = options["output"]
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in ("csv", "xlsx"):
            raise CommandError(f"{path}: the file name ends in .csv or .xlsx.")
        data = master_export(municipality, format=fmt)
        try:
            path.write_bytes(data)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        self.stdout.write(f"Wrote the organisation of {municipality} to {path}.")

"""python manage.py portal_export --municipality CODE -o DIR [--base-url URL]

Writes the municipality's public portal as plain files (portal.export) for the internet segment:
copy DIR to any web server or a CMS's file area. Run again after publishing: only changed files
are written. README "Publishing to the internet segment" shows the transfer as an archive.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shinchoku.organizations.commands import municipality_from_option
from shinchoku.portal.export import portal_export


class Command(BaseCommand):
    help = "Write a municipality's public portal as static files (pages, downloads, search, catalogue)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", help="地方公共団体コード or slug (the only one if left out).")
        parser.add_argument("-o", "--output", required=True, type=Path, help="The directory to write.")
        parser.add_argument(
            "--base-url",
            help="Where the copy will be served (https://www.city.example.lg.jp/shinchoku/): "
            "absolute addresses in sitemap.xml and catalog.json; without it, no sitemap.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        municipality = municipality_from_option(options["municipality"])
        result = portal_export(municipality, options["output"], base_url=options["base_url"])
        self.stdout.write(
            f"{municipality}: {result.files} files in {options['output']} "
            f"({len(result.written)} written, {result.unchanged} unchanged, {len(result.removed)} removed) "
            f"in {time.perf_counter() - started:.1f} s."
        )

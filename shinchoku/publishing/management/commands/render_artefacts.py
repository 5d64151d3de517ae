"""python manage.py render_artefacts [--municipality CODE] [--prune]

Renders again the stored files of every published revision (its downloads and its pages in each
language) and of each municipality (index, summary): run it after a change of templates, of the
PDF layout or of the translations, since published files are otherwise rendered once, when
published. The report itself never changes: it is rendered from the revision as published.
``--prune`` then removes stored files that no row names any more.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shinchoku.organizations.commands import municipality_from_option
from shinchoku.organizations.models import Municipality
from shinchoku.publishing.artefacts import municipality_render, prune, revision_render
from shinchoku.publishing.models import Publication


class Command(BaseCommand):
    help = "Render the stored files of published revisions again (after a template change)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--municipality", help="地方公共団体コード or slug; all municipalities if left out."
        )
        parser.add_argument("--prune", action="store_true", help="Then remove files no row names.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["municipality"]:
            municipalities = [municipality_from_option(options["municipality"])]
        else:
            municipalities = list(Municipality.objects.order_by("code"))
        if not municipalities:
            raise CommandError("No municipality to render.")
        revisions = files = 0
        for municipality in municipalities:
            for publication in Publication.objects.filter(municipality=municipality).select_related(
                "municipality", "department", "plan"
            ):
                files += len(revision_render(publication))
                revisions += 1
            files += len(municipality_render(municipality))
        removed = prune() if options["prune"] else 0
        self.stdout.write(
            f"{revisions} revisions of {len(municipalities)} municipalities: {files} files rendered"
            f"{f', {removed} unused files removed' if options['prune'] else ''}"
            f" in {time.perf_counter() - started:.1f} s."
        )

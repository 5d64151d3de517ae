"""python manage.py render_report --kind KIND --fiscal-year YEAR [--department NAME] --format F -o FILE"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shinchoku.documents.schema import PublishedDocument, document_from_json
from shinchoku.goals.models import GoalDeclaration
from shinchoku.goals.selectors import declarations_with_goals, goal_declaration_document
from shinchoku.organizations.commands import municipality_from_option
from shinchoku.organizations.services import department_resolve
from shinchoku.plans.models import Plan
from shinchoku.progress.selectors import guideline_progress_document
from shinchoku.publishing.models import Publication
from shinchoku.publishing.selectors import published_summary
from shinchoku.reports import opendata
from shinchoku.reports.rendering import FORMATS, render, render_summary

KINDS = ("goal_declaration", "guideline_progress", "summary")


class Command(BaseCommand):
    help = "Render a report (as the data stands now, or as published) to PDF, XLSX, CSV or JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", choices=KINDS, required=True)
        parser.add_argument("--fiscal-year", type=int, required=True, help="Gregorian start year, e.g. 2016.")
        parser.add_argument("--department", help="Department name (goal declarations).")
        parser.add_argument("--plan", help="Guideline name, when the municipality has several.")
        parser.add_argument("--format", choices=FORMATS, required=True)
        parser.add_argument(
            "--table",
            help="CSV table (goal_declaration: goals, figures; guideline: entries, classifications).",
        )
        parser.add_argument("--published", action="store_true", help="Render the current published revision.")
        parser.add_argument("--municipality", help="Code (地方公共団体コード) or slug.")
        parser.add_argument("-o", "--output", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = municipality_from_option(options["municipality"])
        year: int = options["fiscal_year"]
        kind: str = options["kind"]
        department = None
        if options["department"]:
            department = department_resolve(municipality, options["department"])
            if department is None:
                raise CommandError(f"No department {options['department']!r} in {municipality}.")
        revision, published_at = 0, ""
        document: PublishedDocument
        if kind == "summary":
            self._summary(municipality, year, options)
            return
        if options["published"]:
            publications = Publication.objects.filter(
                municipality=municipality, kind=kind, fiscal_year=year, is_current=True
            )
            if department is not None:
                publications = publications.filter(department=department)
            publication = publications.first()
            if publication is None:
                raise CommandError(f"Nothing of kind {kind} published for fiscal year {year}.")
            document = document_from_json(publication.document)
            revision, published_at = publication.revision, publication.published_at.isoformat()
        elif kind == "goal_declaration":
            declarations = GoalDeclaration.objects.filter(municipality=municipality, fiscal_year=year)
            if department is not None:
                declarations = declarations.filter(department=department)
            found = list(declarations_with_goals(declarations)[:2])
            if len(found) != 1:
                raise CommandError(
                    f"{len(found) or 'No'} goal declarations for fiscal year {year}"
                    + ("; name one with --department." if found else ".")
                )
            document = goal_declaration_document(found[0])
        else:
            plans = Plan.objects.filter(municipality=municipality, kind=Plan.Kind.GUIDELINE)
            if options["plan"]:
                plans = plans.filter(name=options["plan"])
            plan_list = list(plans[:2])
            if len(plan_list) != 1:
                raise CommandError("Name the guideline with --plan." if plan_list else "No guideline plan.")
            document = guideline_progress_document(plan_list[0], year)
            if not document.initiatives:
                raise CommandError(f"No guideline progress for fiscal year {year}.")
        try:
            rendered = render(
                document,
                options["format"],
                publisher=opendata.Publisher(code=municipality.code, name=str(municipality)),
                table=options["table"],
                revision=revision,
                published_at=published_at,
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        options["output"].write_bytes(rendered.content)
        self.stdout.write(f"Wrote {options['output']} ({len(rendered.content)} bytes).")

    def _summary(self, municipality: Any, year: int, options: dict[str, Any]) -> None:
        """The achievement summary is made of published goal declarations (up to ``year``)."""
        rows, _years = published_summary(municipality)
        rows = [r for r in rows if r.fiscal_year <= year]
        if not rows:
            raise CommandError(f"No goal declaration published up to fiscal year {year}.")
        content, _content_type = render_summary(rows, options["format"], municipality)
        options["output"].write_bytes(content)
        self.stdout.write(f"Wrote {options['output']} ({len(content)} bytes).")

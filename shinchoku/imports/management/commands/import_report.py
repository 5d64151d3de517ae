"""python manage.py import_report PATH [--dry-run] [--json] [--create-missing] [--format F]
[--municipality CODE] [--accept-other-municipality]

A document that names another municipality in its title or header is refused with
the reason, naming both; ``--accept-other-municipality`` imports it anyway, and the
import history and the audit log record that it was confirmed, and by whom.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from shinchoku.core.audit import Actor
from shinchoku.documents.schema import ImportFormatError
from shinchoku.imports.reading import FORMATS
from shinchoku.imports.services import (
    DocumentWarningsError,
    MunicipalityCheck,
    OtherMunicipalityError,
    report_import,
)
from shinchoku.imports.warnings import DocumentWarning, ignored_reason
from shinchoku.organizations.commands import municipality_from_option
from shinchoku.organizations.services import UnknownDepartmentError, UnknownSectionsError


class Command(BaseCommand):
    help = "Import a published report (goal declaration or guideline progress) into Shinchoku."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", choices=FORMATS, help="Skip detection and use this parser.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Parse and show the changes; write nothing."
        )
        parser.add_argument("--json", action="store_true", help="Print the parse result as JSON.")
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="Create sections and departments the master does not know.",
        )
        parser.add_argument("--municipality", help="Code (地方公共団体コード) or slug.")
        parser.add_argument(
            "--accept-other-municipality",
            action="store_true",
            help="Import a document whose title or header names another municipality "
            "(refused otherwise); the import history records the confirmation.",
        )
        parser.add_argument(
            "--accept-warnings",
            action="store_true",
            help="Import a document although the reader was not sure of some lines "
            "(refused otherwise; the warnings are listed, and kept with the import record).",
        )
        parser.add_argument("--user", help="Username recorded as the importer (default: this command).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        municipality = municipality_from_option(options["municipality"])
        actor = Actor(label=f"import_report {path.name}")
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
            actor = Actor(user=user, label="import_report")
        try:
            result = report_import(
                municipality=municipality,
                data=data,
                source=str(path),
                actor=actor,
                format=options["format"],
                dry_run=options["dry_run"],
                create_missing=options["create_missing"],
                municipality_check=(
                    MunicipalityCheck.ACCEPT
                    if options["accept_other_municipality"]
                    else MunicipalityCheck.REFUSE
                ),
                accept_warnings=options["accept_warnings"],
            )
        except ImportFormatError as error:
            raise CommandError(error.text()) from None
        except DocumentWarningsError as error:
            lines = [f"  {_warning_line(w)}" for w in error.warnings]
            hint = _("Nothing was imported. Check these lines; to import it as read, use --accept-warnings.")
            raise CommandError("\n".join([f"{path}: {hint}", *lines])) from None
        except OtherMunicipalityError as error:
            hint = _("Nothing was imported. To import it anyway, use --accept-other-municipality.")
            raise CommandError(f"{path}: {error} {hint}") from None
        except UnknownSectionsError as error:
            raise CommandError(
                f"{path}: sections unknown to the organisation master (add them, or use --create-missing): "
                + "、".join(error.names)
            ) from None
        except UnknownDepartmentError as error:
            raise CommandError(
                f"{path}: unknown department {error.name} (add it, or use --create-missing)"
            ) from None

        out = self.stderr if options["json"] else self.stdout
        if options["json"]:
            document = result.document.to_json()
            # Every warning, unplaced lines included, in words (the document's own list has codes only).
            document["warnings"] = [w.to_json() for w in result.warnings]
            document["ignored"] = [
                {"line": i.line, "text": i.text, "why": ignored_reason(i)} for i in result.document.ignored
            ]
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
        summary = result.summary
        verb = "Would change" if result.dry_run else "Imported"
        out.write(
            f"{verb} {path.name} ({result.document.kind}): "
            f"{sum(summary.created.values())} created, {sum(summary.updated.values())} updated, "
            f"{sum(summary.deleted.values())} deleted, {sum(summary.unchanged.values())} unchanged."
        )
        if result.ownership is not None:
            if result.ownership.refused:
                out.write("  " + _("Confirmed: %(reason)s") % {"reason": result.ownership.reason()})
            for note in result.ownership.warnings():
                out.write("  " + _("Warning: %(warning)s") % {"warning": note})
        for line in summary.details if options["verbosity"] > 1 else []:
            out.write(f"  {line}")
        for warning in result.warnings:
            out.write(f"  {_warning_line(warning)}")


def _warning_line(warning: DocumentWarning) -> str:
    where = _("line %(line)s") % {"line": warning.line} if warning.line else _("the whole document")
    return _("Warning (%(where)s): %(message)s") % {"where": where, "message": warning.message}

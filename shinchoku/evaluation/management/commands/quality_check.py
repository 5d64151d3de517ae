"""python manage.py quality_check [--fiscal-year Y] [--json] [--show-dismissed] [--fail-on-findings]
python manage.py quality_check --dismiss FINGERPRINT --reason TEXT [--user NAME]"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shinchoku.core.audit import Actor
from shinchoku.evaluation.quality import finding_counts, report_findings, reports_of
from shinchoku.evaluation.services import finding_dismiss
from shinchoku.organizations.commands import municipality_from_option


class Command(BaseCommand):
    help = (
        "Check reports before publishing (duplicates, unknown sections, carry-over gaps, units, characters)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", help="Code (地方公共団体コード) or slug.")
        parser.add_argument("--fiscal-year", type=int, help="Only the reports of this fiscal year.")
        parser.add_argument("--json", action="store_true", help="Print JSON.")
        parser.add_argument("--show-dismissed", action="store_true", help="List dismissed findings too.")
        parser.add_argument(
            "--fail-on-findings", action="store_true", help="Exit with an error when a finding is open."
        )
        parser.add_argument("--dismiss", metavar="FINGERPRINT", help="Dismiss this finding (needs --reason).")
        parser.add_argument("--reason", default="", help="Why the finding is dismissed.")
        parser.add_argument("--user", help="Username recorded as the one who dismisses.")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = municipality_from_option(options["municipality"])
        reports = reports_of(municipality, options["fiscal_year"])
        if options["dismiss"]:
            self._dismiss(municipality, reports, options)
            return
        checked = [(report, report_findings(municipality, report)) for report in reports]
        open_count = sum(1 for _, findings in checked for f in findings if f.dismissal is None)
        if options["json"]:
            data = [
                {
                    "report": report.to_json(),
                    "counts": finding_counts(findings),
                    "findings": [
                        f.to_json() for f in findings if options["show_dismissed"] or f.dismissal is None
                    ],
                }
                for report, findings in checked
            ]
            self.stdout.write(json.dumps({"reports": data}, ensure_ascii=False, indent=2))
        else:
            for report, findings in checked:
                counts = finding_counts(findings)
                self.stdout.write(f"{report.title} [{report.key}]: {sum(counts.values())} open")
                for finding in findings:
                    if finding.dismissal is not None and not options["show_dismissed"]:
                        continue
                    mark = " (dismissed: " + finding.dismissal.reason + ")" if finding.dismissal else ""
                    self.stdout.write(f"  {finding.kind.value}: {finding.record} — {finding.detail}{mark}")
                    self.stdout.write(f"    {finding.fingerprint}")
        if options["fail_on_findings"] and open_count:
            raise CommandError(f"{open_count} open finding(s).")

    def _dismiss(self, municipality: Any, reports: list[Any], options: dict[str, Any]) -> None:
        actor = Actor(label="quality_check")
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
            actor = Actor(user=user, label="quality_check")
        for report in reports:
            if any(f.fingerprint == options["dismiss"] for f in report_findings(municipality, report)):
                try:
                    finding_dismiss(
                        municipality=municipality,
                        report=report,
                        fingerprint=options["dismiss"],
                        reason=options["reason"],
                        actor=actor,
                    )
                except ValidationError as error:
                    raise CommandError(" ".join(error.messages)) from None
                self.stdout.write(f"Dismissed {options['dismiss']} in {report.title}.")
                return
        raise CommandError(f"No finding {options['dismiss']!r}.")

"""python manage.py achievement --fiscal-year 2016 [--department NAME] [--json] [--at-least GRADE] [--scale NAME]"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shinchoku.core.eras import format_fiscal_year
from shinchoku.evaluation.selectors import (
    IndicatorResult,
    achievement_results,
    achievement_rollups,
    decimal_text,
    grade_scales_of,
    rollup_json,
)
from shinchoku.organizations.commands import municipality_from_option
from shinchoku.organizations.services import department_resolve


def _cell(value: object) -> str:
    return "—" if value in (None, "") else str(value)


class Command(BaseCommand):
    help = "Print the achievement of every indicator of a fiscal year: formula, rate and grade."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--fiscal-year", type=int, required=True, help="Gregorian year the fiscal year starts."
        )
        parser.add_argument("--department", help="Only this department (name or alias).")
        parser.add_argument("--municipality", help="Code (地方公共団体コード) or slug.")
        parser.add_argument("--json", action="store_true", help="Print JSON.")
        parser.add_argument("--at-least", help="Roll-ups count indicators at or above this grade.")
        parser.add_argument("--scale", help="Judge with this stored scale instead of the applicable one.")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = municipality_from_option(options["municipality"])
        year: int = options["fiscal_year"]
        department = None
        if options["department"]:
            department = department_resolve(municipality, options["department"])
            if department is None:
                raise CommandError(f"No department {options['department']!r} in {municipality}.")
        scale = None
        if options["scale"]:
            scale = grade_scales_of(municipality).named(options["scale"])
            if scale is None:
                raise CommandError(f"No grade scale {options['scale']!r} in {municipality}.")
        results = achievement_results(municipality, fiscal_years=[year], department=department, scale=scale)
        threshold = options["at_least"]
        if threshold and results and threshold not in results[0].scale.labels():
            raise CommandError(f"{threshold!r} is not a grade of {results[0].scale.name}.")
        by_department = achievement_rollups(results, by="department", threshold=threshold)
        by_goal = achievement_rollups(results, by="goal", threshold=threshold)
        if options["json"]:
            data = {
                "fiscal_year": year,
                "municipality": municipality.code,
                "department": department.name if department else None,
                "indicators": [r.to_json() for r in results],
                "rollups": {
                    "by_department": [rollup_json(row) for row in by_department],
                    "by_goal": [rollup_json(row) for row in by_goal],
                },
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self._print_table(year, results)
        for row in by_department:
            r = row.rollup
            self.stdout.write(
                f"{row.label or '—'}: {r.at_or_above}/{r.graded} at or above {row.threshold} = "
                f"{_cell(r.share)}% (weighted {_cell(r.weighted_share)}%); "
                f"not evaluable {r.not_evaluable}; waiting for a person {r.awaiting}"
            )

    def _print_table(self, year: int, results: list[IndicatorResult]) -> None:
        self.stdout.write(f"{format_fiscal_year(year)} ({year})")
        header = [
            "goal",
            "indicator",
            "unit",
            "target",
            "actual",
            "formula",
            "rate",
            "grade",
            "stated",
            "state",
        ]
        rows = [header]
        for r in results:
            rows.append(
                [
                    _cell(r.goal_number),
                    r.label,
                    _cell(r.unit),
                    _cell(decimal_text(r.target)),
                    _cell(decimal_text(r.actual)),
                    r.formula,
                    _cell(f"{r.rate}%" if r.rate is not None else None),
                    _cell(r.grade.label if r.grade else None),
                    _cell(r.stated_grade),
                    r.state,
                ]
            )
        for row in rows:
            self.stdout.write(" | ".join(row))

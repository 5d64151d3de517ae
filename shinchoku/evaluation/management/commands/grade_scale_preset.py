"""python manage.py grade_scale_preset --preset achievement|abcd|baseline_sabc [--default] [--plan NAME] [--fiscal-year Y]"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shinchoku.core.audit import Actor
from shinchoku.evaluation.scales import PRESETS, Preset
from shinchoku.evaluation.services import grade_scale_create_from_preset
from shinchoku.organizations.commands import municipality_from_option
from shinchoku.plans.models import Plan


class Command(BaseCommand):
    help = "Store a preset grade scale for a municipality (then edit it in the admin)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--preset", choices=[p.value for p in Preset], required=True)
        parser.add_argument("--municipality", help="Code (地方公共団体コード) or slug.")
        parser.add_argument("--name", help="Name of the stored scale (default: the preset's).")
        parser.add_argument("--default", action="store_true", help="Make it the municipality's default.")
        parser.add_argument("--plan", help="Only for this plan (its name).")
        parser.add_argument("--fiscal-year", type=int, help="Only for this fiscal year.")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = municipality_from_option(options["municipality"])
        plan = None
        if options["plan"]:
            plan = Plan.objects.filter(municipality=municipality, name=options["plan"]).first()
            if plan is None:
                raise CommandError(f"No plan {options['plan']!r} in {municipality}.")
        try:
            scale = grade_scale_create_from_preset(
                municipality=municipality,
                preset=options["preset"],
                actor=Actor(label="grade_scale_preset"),
                name=options["name"],
                plan=plan,
                fiscal_year=options["fiscal_year"],
                is_default=options["default"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        template = PRESETS[Preset(options["preset"])]
        bands = " / ".join(f"{b.label} {template.range_text(i)}" for i, b in enumerate(template.bands))
        self.stdout.write(f"Stored {scale.name} for {municipality}: {bands}")

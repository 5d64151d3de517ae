"""python manage.py municipality_create --code 142140 --name 伊勢原市 --prefecture 神奈川県 --slug isehara"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from shinchoku.core.audit import Actor
from shinchoku.organizations.models import Role
from shinchoku.organizations.services import membership_create, municipality_create


def validation_message(error: ValidationError) -> str:
    """One line per field and message, as a person reads them."""
    if hasattr(error, "error_dict"):
        return "\n".join(
            f"{field}: {message}" for field, messages in error.message_dict.items() for message in messages
        )
    return "\n".join(error.messages)


class Command(BaseCommand):
    help = "Create the municipality (the tenant) that this installation serves."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--code", required=True, help="全国地方公共団体コード: six digits with the check digit."
        )
        parser.add_argument("--name", required=True, help="e.g. 伊勢原市")
        parser.add_argument("--prefecture", required=True, help="e.g. 神奈川県")
        parser.add_argument("--slug", required=True, help="Lower-case letters, digits and -, used in URLs.")
        parser.add_argument(
            "--admin",
            metavar="USERNAME",
            help="Make this existing user the municipality's planning administrator.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor(label="municipality_create")
        admin = None
        if options["admin"]:
            admin = get_user_model().objects.filter(username=options["admin"]).first()
            if admin is None:
                raise CommandError(
                    f"No user {options['admin']!r} (create it first: manage.py createsuperuser)."
                )
        try:
            with transaction.atomic():
                municipality = municipality_create(
                    code=options["code"].strip(),
                    name=options["name"].strip(),
                    prefecture=options["prefecture"].strip(),
                    slug=options["slug"].strip(),
                    actor=actor,
                )
                if admin is not None:
                    membership_create(
                        user=admin, municipality=municipality, role=Role.PLANNING_ADMIN, actor=actor
                    )
        except ValidationError as error:
            raise CommandError(f"Nothing was created.\n{validation_message(error)}") from None
        self.stdout.write(f"Created {municipality} (code {municipality.code}, /m/{municipality.slug}/).")
        if admin is not None:
            self.stdout.write(f"{admin.username} is its planning administrator.")

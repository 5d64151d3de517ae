"""python manage.py user_password_reset USERNAME: a new temporary password, to be changed at the next log-in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shinchoku.accounts.services import user_temporary_password_set
from shinchoku.core.audit import Actor


class Command(BaseCommand):
    help = "Give a user a new temporary password (printed once); they must change it at the next log-in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        if not user.is_active:
            raise CommandError(f"{user.username} is deactivated: add their roles with users_import first.")
        password = user_temporary_password_set(user=user, actor=Actor(label="user_password_reset"))
        self.stdout.write(f"Temporary password of {user.username} (shown only now): {password}")

"""python manage.py load_demo — the demo data of ``make run`` (development only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shinchoku.demo.loader import DEMO_USERS, demo_load


class Command(BaseCommand):
    help = "Create the demo municipalities, one user per role, and import the demo documents."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-seeds", action="store_true", help="Load only the fictional city.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEVELOPMENT:
            # The demo users have published passwords: never on a real server.
            raise CommandError("load_demo only runs with SHINCHOKU_ENV=development.")
        demo_load(include_seeds=not options["no_seeds"], write=self.stdout.write)
        self.stdout.write("")
        self.stdout.write("Shinchoku demo: http://127.0.0.1:8000/  (admin: http://127.0.0.1:8000/admin/)")
        self.stdout.write("Log in with one of these local demo accounts (development only):")
        for username, role, password in DEMO_USERS:
            self.stdout.write(f"  {username:<8} {password:<20} {role.label}")

"""python manage.py purge_uploads [--days N] [--dry-run]

Removes the files of uploads older than SHINCHOKU_UPLOAD_RETENTION_DAYS (or ``--days``).
What was read from them (the preview's document), the import record and the audit
log stay: the history keeps who imported what, and when. Run it daily (deploy/ has
a systemd timer; cron works as well).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from shinchoku.imports.models import PendingImport
from shinchoku.imports.services import uploads_purge


class Command(BaseCommand):
    help = "Remove uploaded files older than the retention period; what was read from them stays."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=settings.SHINCHOKU_UPLOAD_RETENTION_DAYS,
            help="Keep uploads this many days (default SHINCHOKU_UPLOAD_RETENTION_DAYS).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only say how many would be removed.")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days < 1:
            self.stderr.write("--days must be at least 1.")
            raise SystemExit(2)
        older_than = timedelta(days=days)
        if options["dry_run"]:
            count = PendingImport.objects.filter(
                uploaded_at__lt=timezone.now() - older_than, purged_at__isnull=True
            ).count()
            self.stdout.write(f"{count} uploaded file(s) older than {days} days would be removed.")
            return
        count = uploads_purge(older_than=older_than)
        self.stdout.write(f"{count} uploaded file(s) older than {days} days removed.")

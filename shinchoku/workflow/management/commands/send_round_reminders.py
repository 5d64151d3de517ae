"""Cron: e-mail the sections that have not submitted to open rounds. Safe to run more than once a day."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from shinchoku.core.audit import Actor
from shinchoku.workflow.services import round_reminders_send


class Command(BaseCommand):
    help = "Send 'before deadline' and 'late' reminders of collection rounds (at most one of each per day)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"--today {options['today']!r}: use YYYY-MM-DD.") from None
        report = round_reminders_send(today=today, actor=Actor(label="send_round_reminders"))
        for reminder in report.sent:
            self.stdout.write(
                f"sent {reminder.kind}: {reminder.request} → {reminder.recipients.replace(chr(10), ', ')}"
            )
        for request in report.without_recipients:
            self.stderr.write(f"no e-mail address for {request.section} ({request.round})")
        for request, error in report.failed:
            self.stderr.write(f"not sent: {request}: {error}")
        self.stdout.write(
            f"{today}: {len(report.sent)} sent, {report.already_sent} already sent today, "
            f"{len(report.without_recipients)} without recipients, {len(report.failed)} failed"
        )
        if report.failed:
            raise CommandError("Some reminders could not be sent; the next run will retry them.")

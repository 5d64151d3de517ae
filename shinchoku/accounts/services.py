"""Writes of the log-in lockout.

These rows are not copied to the audit log: ``LoginFailure`` is itself the log of
attempts, and anyone on the network can cause them (docs/adr/0005-login-lockout.md).
"""

from __future__ import annotations

from django.utils import timezone

from shinchoku.accounts.models import LoginFailure
from shinchoku.accounts.selectors import username_key


def login_failure_record(*, username: str, ip: str | None) -> LoginFailure:
    return LoginFailure.objects.create(username=username_key(username), ip=ip)


def login_failures_clear(*, username: str) -> int:
    """A successful log-in: earlier failures of this username stop counting (for it and its address)."""
    return LoginFailure.objects.filter(username=username_key(username), cleared_at__isnull=True).update(
        cleared_at=timezone.now()
    )

"""Is a log-in locked out? Read from the recorded failures."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from shinchoku.accounts.models import LoginFailure


def username_key(username: str) -> str:
    """The form in which failures of one username are counted together.

    The log-in form already applies NFKC (full-width letters typed through an IME
    become ASCII); case-folding keeps ``Planner`` and ``planner`` in one count.
    """
    return username.strip().casefold()[:150]


def _locked_until(failures: QuerySet[LoginFailure], limit: int, now: datetime) -> datetime | None:
    """End of the lockout that the last ``limit`` uncleared failures cause, if it is still running.

    Attempts refused during a lockout are not recorded, so the newest failure is
    the one that reached the limit: the lockout runs from it.
    """
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    lockout = timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    recent = list(
        failures.filter(cleared_at__isnull=True, failed_at__gt=now - window - lockout)
        .order_by("-failed_at", "-id")
        .values_list("failed_at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return None
    newest, oldest = recent[0], recent[-1]
    if newest - oldest >= window:
        return None
    until = newest + lockout
    return until if until > now else None


def lockout_until(*, username: str, ip: str | None, now: datetime | None = None) -> datetime | None:
    """When log-ins for ``username`` or from ``ip`` are allowed again; None if they are now."""
    now = now or timezone.now()
    ends = []
    key = username_key(username)
    if key:
        ends.append(
            _locked_until(
                LoginFailure.objects.filter(username=key), settings.LOGIN_FAILURE_LIMIT_PER_USERNAME, now
            )
        )
    if ip:
        ends.append(
            _locked_until(LoginFailure.objects.filter(ip=ip), settings.LOGIN_FAILURE_LIMIT_PER_IP, now)
        )
    found = [end for end in ends if end is not None]
    return max(found) if found else None

"""The log-in throttle: how many passwords may be checked for a username, and when (docs/adr/0005-login-lockout.md).

Every attempt is counted *before* its password is checked, under a lock on the
username's counter row, so thirty parallel attempts are checked at most
LOGIN_FAILURE_LIMIT_PER_USERNAME times: the rest find the wait already set. A
right password resets the count, so the reservation costs a user nothing.

- A username gets LOGIN_FAILURE_LIMIT_PER_USERNAME attempts freely; from then on
  every attempt makes the next one wait, LOGIN_FAILURE_DELAY_SECONDS doubled each
  time, at most LOGIN_LOCKOUT_SECONDS. Nobody can hold an account locked for
  longer than that wait, and guessing slows to one try per wait.
- A client address that failed LOGIN_FAILURE_LIMIT_PER_IP times is throttled: the
  usernames tried from it get no free attempts, but a right password still logs
  in — a whole city hall often reaches us through one proxy.
- A quiet LOGIN_FAILURE_WINDOW_SECONDS (no attempt, no wait running) forgives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shinchoku.accounts.models import LoginFailure, LoginThrottle
from shinchoku.accounts.selectors import address_is_throttled, quiet_for_long, username_key


class LoginThrottled(Exception):
    """No password may be checked for this username before ``until``."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"Log-in throttled until {until:%Y-%m-%d %H:%M:%S}")
        self.until = until


@dataclass(frozen=True)
class Attempt:
    """A reserved attempt: its password may be checked now."""

    username: str  # the username key
    ip: str | None
    wait_until: datetime | None  # the wait this attempt set, should it fail
    address_throttled: bool


def wait_after(failures: int, free: int) -> timedelta:
    """The wait after the ``failures``-th counted attempt when ``free`` of them cost nothing."""
    if failures < free:
        return timedelta(0)
    doublings = min(failures - free, 30)  # 2**30 × any delay is past any sensible cap
    seconds = min(settings.LOGIN_LOCKOUT_SECONDS, settings.LOGIN_FAILURE_DELAY_SECONDS * 2**doublings)
    return timedelta(seconds=seconds)


def _counter(username: str) -> LoginThrottle:
    """The username's counter row, locked until the transaction ends.

    select_for_update locks it on PostgreSQL (a parallel insert of the same key
    waits on the unique constraint, then reads the committed row); SQLite ignores
    it, but our IMMEDIATE transactions already hold the database's write lock.
    """
    row, _created = LoginThrottle.objects.select_for_update().get_or_create(username=username)
    return row


@transaction.atomic
def login_attempt_begin(*, username: str, ip: str | None, now: datetime | None = None) -> Attempt:
    """Reserve one password check for ``username``, or raise ``LoginThrottled`` if it must wait."""
    now = now or timezone.now()
    throttled_address = address_is_throttled(ip, now)
    row = _counter(username_key(username))
    if row.wait_until is not None and now < row.wait_until:
        # Refused without counting: waiting it out works, hammering does not extend it.
        raise LoginThrottled(row.wait_until)
    if quiet_for_long(row, now):
        row.failures = 0
    row.failures += 1
    free = 1 if throttled_address else settings.LOGIN_FAILURE_LIMIT_PER_USERNAME
    wait = wait_after(row.failures, free)
    row.wait_until = now + wait if wait else None
    row.last_attempt_at = now
    row.save(update_fields=["failures", "wait_until", "last_attempt_at"])
    return Attempt(row.username, ip, row.wait_until, throttled_address)


def login_attempt_failed(attempt: Attempt) -> None:
    """The password was wrong: on record, and counted against the address (the username counted it already)."""
    LoginFailure.objects.create(username=attempt.username, ip=attempt.ip)


@transaction.atomic
def login_attempt_succeeded(*, username: str, now: datetime | None = None) -> None:
    """The password was right: the username starts afresh, and its failures no longer count for the address."""
    key = username_key(username)
    LoginThrottle.objects.filter(username=key).update(failures=0, wait_until=None)
    LoginFailure.objects.filter(username=key, cleared_at__isnull=True).update(
        cleared_at=now or timezone.now()
    )

"""Parallel wrong passwords for one username are checked at most LOGIN_FAILURE_LIMIT_PER_USERNAME times.

The old code read the count, checked the password, then wrote the failure: thirty
requests arriving together all read "no failures yet" and were all checked. Now
each attempt is counted under a lock before its password is checked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.db import OperationalError, connections
from django.test import RequestFactory

from shinchoku.accounts import forms as lockout_forms
from shinchoku.accounts.forms import LockoutAuthenticationForm

LIMIT = 5  # settings.LOGIN_FAILURE_LIMIT_PER_USERNAME


def log_in(username: str, password: str, ip: str = "192.0.2.10") -> bool:
    request = RequestFactory().post("/login/", REMOTE_ADDR=ip)
    form = LockoutAuthenticationForm(request=request, data={"username": username, "password": password})
    return form.is_valid()


class CountedChecks:
    """Wraps the password check of Django's form: counts it, and can run code while it is under way."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, during: Callable[[], None] = lambda: None) -> None:
        self.count = 0
        self._lock = threading.Lock()
        self._during = during
        real = auth_forms.authenticate

        def authenticate(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.count += 1
            self._during()
            return real(*args, **kwargs)

        monkeypatch.setattr(auth_forms, "authenticate", authenticate)


def test_attempts_made_while_a_password_is_being_checked_are_counted_first(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deterministic: each password check starts the next attempt before it finishes (30 deep)."""
    get_user_model().objects.create_user("tanaka", password="right-password-1")
    started = []

    def next_attempt() -> None:
        if len(started) < 30:
            started.append(1)
            log_in("tanaka", "wrong")

    checks = CountedChecks(monkeypatch, during=next_attempt)
    log_in("tanaka", "wrong")
    assert len(started) <= 30
    assert checks.count == LIMIT


def _retrying(function: Callable[..., Any]) -> Callable[..., Any]:
    """Retry while the in-memory test database says "table is locked".

    Threads reach SQLite's in-memory test database through one shared cache, where a
    busy table fails at once instead of waiting out the timeout as the real (file)
    database does; the throttle's writes are single transactions, safe to retry.
    """

    def retry(*args: Any, **kwargs: Any) -> Any:
        for _ in range(2000):
            try:
                return function(*args, **kwargs)
            except OperationalError as error:
                if "locked" not in str(error):
                    raise
                time.sleep(0.005)
        raise AssertionError("The database stayed locked.")

    return retry


@pytest.mark.django_db(transaction=True)
def test_thirty_parallel_wrong_passwords_are_checked_at_most_five_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    get_user_model().objects.create_user("tanaka", password="right-password-1")
    for name in ("login_attempt_begin", "login_attempt_failed", "login_attempt_succeeded"):
        if hasattr(lockout_forms, name):
            monkeypatch.setattr(lockout_forms, name, _retrying(getattr(lockout_forms, name)))
    # A slow check (as Argon2 is) leaves every request time to arrive while others are being checked.
    checks = CountedChecks(monkeypatch, during=lambda: time.sleep(0.05))
    barrier = threading.Barrier(30)
    outcomes: list[object] = []

    def one() -> None:
        try:
            barrier.wait()
            outcomes.append(log_in("tanaka", "wrong"))
        except Exception as error:
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert checks.count <= LIMIT
    assert outcomes == [False] * 30

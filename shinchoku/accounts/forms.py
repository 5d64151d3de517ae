"""Log-in forms that count every attempt before checking its password (docs/adr/0005-login-lockout.md)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shinchoku.accounts.http import client_ip
from shinchoku.accounts.throttle import (
    LoginThrottled,
    login_attempt_begin,
    login_attempt_failed,
    login_attempt_succeeded,
)

LOCKED_OUT = "locked_out"
NETWORK_THROTTLED = "network_throttled"


class LockoutMixin:
    """Reserves a password check for the username first (``throttle.py``); refuses when it must wait.

    The message is the same whether the username exists or not, and a waiting
    attempt is refused without checking the password, so it tells nothing either.
    """

    request: Any
    user_cache: Any
    cleaned_data: dict[str, Any]
    error_messages: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password")
        if not (username and password):
            # A missing field is a field error; nothing was tried, nothing is counted.
            return super().clean()  # type: ignore[misc]
        ip = client_ip(self.request) if self.request is not None else None
        try:
            attempt = login_attempt_begin(username=username, ip=ip)
        except LoginThrottled as throttled:
            raise self._locked_out(throttled.until, LOCKED_OUT) from None
        try:
            cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            if self.user_cache is not None:
                # A right password refused for another reason (an admin page for a
                # non-staff user) is not a guess: the username starts afresh.
                login_attempt_succeeded(username=username)
                raise
            login_attempt_failed(attempt)
            if attempt.wait_until is not None and attempt.wait_until > timezone.now():
                # The attempt that started a wait already says so; from a throttled
                # network, saying why keeps colleagues behind the same proxy calm.
                code = NETWORK_THROTTLED if attempt.address_throttled else LOCKED_OUT
                raise self._locked_out(attempt.wait_until, code) from None
            raise
        login_attempt_succeeded(username=username)
        return cleaned

    def _locked_out(self, until: datetime, code: str) -> forms.ValidationError:
        minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
        return forms.ValidationError(self.error_messages[code], code=code, params={"minutes": minutes})


_MESSAGES = {
    LOCKED_OUT: _(
        "Too many failed log-in attempts. Log-in is refused for now: try again in %(minutes)s minutes."
    ),
    NETWORK_THROTTLED: _(
        "Please enter a correct username and password. Many log-ins from your network have failed "
        "recently, so after a wrong password the next try waits: try again in %(minutes)s minutes."
    ),
}


class LockoutAuthenticationForm(LockoutMixin, AuthenticationForm):
    error_messages = {**AuthenticationForm.error_messages, **_MESSAGES}


class LockoutAdminAuthenticationForm(LockoutMixin, AdminAuthenticationForm):
    error_messages = {**AdminAuthenticationForm.error_messages, **_MESSAGES}


class NewPasswordForm(PasswordChangeForm):
    """Django's password change, refusing to keep the current (temporary) password."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        old, new = cleaned.get("old_password"), cleaned.get("new_password1")
        if old and new and old == new:
            raise forms.ValidationError(
                _("Choose a password different from the current one."), code="unchanged"
            )
        return cleaned

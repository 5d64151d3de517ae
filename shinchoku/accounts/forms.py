"""Log-in forms that refuse a locked-out username or address before checking the password."""

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
from shinchoku.accounts.selectors import lockout_until
from shinchoku.accounts.services import login_failure_record, login_failures_clear

LOCKED_OUT = "locked_out"


class LockoutMixin:
    """Counts failures per username and per address; refuses both the same way.

    The message is the same whether the username exists or not, and a locked-out
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
        until = lockout_until(username=username, ip=ip)
        if until is not None:
            raise self._locked_out(until)
        try:
            cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            # A right password refused for another reason (an admin page for a
            # non-staff user) is not a guess: count only failed authentications.
            if self.user_cache is None:
                login_failure_record(username=username, ip=ip)
                until = lockout_until(username=username, ip=ip)
                if until is not None:
                    raise self._locked_out(until) from None
            raise
        login_failures_clear(username=username)
        return cleaned

    def _locked_out(self, until: datetime) -> forms.ValidationError:
        minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
        return forms.ValidationError(
            self.error_messages[LOCKED_OUT], code=LOCKED_OUT, params={"minutes": minutes}
        )


_LOCKED_OUT_MESSAGE = _(
    "Too many failed log-in attempts. Log-in is refused for now: try again in %(minutes)s minutes."
)


class LockoutAuthenticationForm(LockoutMixin, AuthenticationForm):
    error_messages = {**AuthenticationForm.error_messages, LOCKED_OUT: _LOCKED_OUT_MESSAGE}


class LockoutAdminAuthenticationForm(LockoutMixin, AdminAuthenticationForm):
    error_messages = {**AdminAuthenticationForm.error_messages, LOCKED_OUT: _LOCKED_OUT_MESSAGE}


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

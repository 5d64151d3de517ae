"""Failed log-in attempts: the record the lockout counts (docs/adr/0005-login-lockout.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginFailure(models.Model):
    """One refused log-in: when, for which username (as typed, normalised) and from where.

    Kept after a successful log-in (``cleared_at`` is set instead), so the table
    is also the history of attempts against an account.
    """

    failed_at = models.DateTimeField(_("failed at"), auto_now_add=True)
    # The username as typed, case-folded: whether such a user exists is not recorded.
    username = models.CharField(_("username"), max_length=150)
    ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    cleared_at = models.DateTimeField(
        _("cleared at"),
        null=True,
        blank=True,
        help_text=_("Set when the user logged in successfully: the failure no longer counts."),
    )

    class Meta:
        verbose_name = _("failed log-in")
        verbose_name_plural = _("failed log-ins")
        ordering = ["-failed_at", "-id"]
        indexes = [
            models.Index(fields=["username", "failed_at"], name="loginfailure_username"),
            models.Index(fields=["ip", "failed_at"], name="loginfailure_ip"),
        ]

    def __str__(self) -> str:
        return f"{self.failed_at:%Y-%m-%d %H:%M:%S} {self.username} {self.ip or '-'}"

"""Failed log-in attempts: the record the lockout counts (docs/adr/0005-login-lockout.md)."""

from __future__ import annotations

from django.conf import settings
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


class PasswordChangeRequired(models.Model):
    """A user who was given a temporary password: every page leads to the password change until they choose one.

    The row exists while the change is due; it is removed (and the removal audited)
    when the user has chosen their own password.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="password_change_required",
    )
    since = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("password change required")
        verbose_name_plural = _("password changes required")

    def __str__(self) -> str:
        return str(self.user)


class LoginThrottle(models.Model):
    """The counter the log-in throttle decides from: one row per username (as typed, normalised).

    The row is read and changed under a lock (``select_for_update``; on SQLite the
    IMMEDIATE transaction takes the write lock) and an attempt is counted *before*
    its password is checked, so parallel attempts cannot all slip through on the
    same count (docs/adr/0005-login-lockout.md). Client addresses are counted from
    ``LoginFailure`` instead: they never stop a right password.
    """

    # The username key (selectors.username_key): whether such a user exists is not recorded.
    username = models.CharField(_("username"), max_length=150, unique=True)
    failures = models.PositiveIntegerField(
        _("attempts counted"),
        default=0,
        help_text=_("Attempts since the last successful log-in or the last quiet period."),
    )
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    wait_until = models.DateTimeField(
        _("wait until"),
        null=True,
        blank=True,
        help_text=_("No password is checked for this username before this time."),
    )

    class Meta:
        verbose_name = _("log-in throttle")
        verbose_name_plural = _("log-in throttles")

    def __str__(self) -> str:
        return f"{self.username}: {self.failures}"


class PasswordResetIssue(models.Model):
    """A reset link the planning section had e-mailed to a user: who, for whom, when, to which address.

    Kept as the record of resets (and audited when created and completed); the link
    itself is Django's token, which stops working once the password has changed.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="password_reset_issues",
    )
    municipality = models.ForeignKey(
        "organizations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    email = models.EmailField(_("sent to"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("password reset link")
        verbose_name_plural = _("password reset links")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return str(self.user)

"""Personal access tokens: how a program reads and writes through the REST API as its user.

A token stands for the user who created it, with the user's roles and sections (the same
access helpers decide), and a scope that can only narrow it: a read-only token is refused
every write. Only a hash of the secret is stored; the secret is shown once, when it is made.
Creating and revoking a token are audited (``shinchoku.api.services``); using one is not
(the services it calls audit what it changes, under the user's name).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", _("read only")
        READ_WRITE = "read_write", _("read and write")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="access_tokens",
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for."))
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices, default=Scope.READ)
    # SHA-256 of the whole secret (hex). The secret has 256 random bits, so a fast hash is enough:
    # nobody can guess a secret from its hash, and a lookup by hash costs one indexed query.
    key_hash = models.CharField(_("hash of the secret"), max_length=64, unique=True, editable=False)
    # The first characters of the secret, shown in lists so that its owner can recognise it.
    prefix = models.CharField(_("beginning of the secret"), max_length=16, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API access token")
        verbose_name_plural = _("API access tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        # Never the secret: this is what the audit log keeps of the token.
        return f"{self.name} ({self.prefix}…)"

    @property
    def writes(self) -> bool:
        return self.scope == self.Scope.READ_WRITE

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at <= now

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and not self.is_expired(now)

"""Writes of access tokens: create (the secret is returned once), revoke, and note their use.

Creating and revoking are audited like any business record (``shinchoku.core.audit``): who
made or revoked which token, with its name, scope and expiry; never the secret.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from shinchoku.api.models import AccessToken
from shinchoku.core.audit import Actor, apply_changes, record_create

# Every secret starts with this, so that a leaked one is recognised (secret scanners, logs).
SECRET_PREFIX = "shk_"
# How many characters of the secret a list shows, to tell one's tokens apart.
SHOWN_CHARACTERS = 8
# A token lives at most this long: a forgotten token stops working by itself.
LIFETIMES_DAYS = (30, 90, 180, 365)
# Using a token writes its last use at most this often (a request per second would otherwise
# write a row per second).
LAST_USED_PRECISION = timedelta(minutes=1)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: AccessToken
    # The secret itself: shown once to its owner, never stored.
    secret: str


@transaction.atomic
def access_token_create(
    *, user: User, name: str, scope: str, lifetime_days: int, actor: Actor, now: datetime | None = None
) -> NewToken:
    if scope not in AccessToken.Scope.values:
        raise ValueError(f"Unknown scope {scope!r}.")
    if lifetime_days not in LIFETIMES_DAYS:
        raise ValueError(f"A token lives {LIFETIMES_DAYS} days, not {lifetime_days}.")
    if not name.strip():
        raise ValueError("A token needs a name.")
    now = now or timezone.now()
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        user=user,
        name=name.strip(),
        scope=scope,
        key_hash=secret_hash(secret),
        prefix=secret[: len(SECRET_PREFIX) + SHOWN_CHARACTERS],
        expires_at=now + timedelta(days=lifetime_days),
    )
    record_create(token, actor=actor, fields=["user", "name", "scope", "expires_at"])
    return NewToken(token=token, secret=secret)


@transaction.atomic
def access_token_revoke(*, token: AccessToken, actor: Actor, now: datetime | None = None) -> bool:
    """Stop the token at once; False when it was already revoked (nothing is written)."""
    locked = AccessToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        return False
    apply_changes(locked, {"revoked_at": now or timezone.now()}, actor=actor)
    token.revoked_at = locked.revoked_at
    return True


def access_token_used(*, token: AccessToken, now: datetime) -> None:
    """Note that the token was used (at most once a minute; not audited: it changes no data)."""
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def token_actor(token: AccessToken) -> Actor:
    """Who changes data through the API: the token's user, the token named beside (audit log)."""
    return Actor(user=token.user, label=f"api token #{token.pk}")

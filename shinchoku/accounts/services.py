"""Writes of accounts: the log-in lockout, new users and their temporary passwords.

Lockout rows are not copied to the audit log: ``LoginFailure`` is itself the log of
attempts, and anyone on the network can cause them (docs/adr/0005-login-lockout.md).
Users are audited like business records (never deleted: deactivated).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from shinchoku.accounts.models import LoginFailure, PasswordChangeRequired
from shinchoku.accounts.selectors import username_key
from shinchoku.core.audit import Actor, apply_changes, record_create, record_delete


def login_failure_record(*, username: str, ip: str | None) -> LoginFailure:
    return LoginFailure.objects.create(username=username_key(username), ip=ip)


def login_failures_clear(*, username: str) -> int:
    """A successful log-in: earlier failures of this username stop counting (for it and its address)."""
    return LoginFailure.objects.filter(username=username_key(username), cleared_at__isnull=True).update(
        cleared_at=timezone.now()
    )


# Letters and digits that cannot be mistaken for one another when read aloud or from paper.
TEMPORARY_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def temporary_password() -> str:
    """Fifteen random characters in three groups (about 86 bits), easy to type from a printout."""
    return "-".join("".join(secrets.choice(TEMPORARY_PASSWORD_ALPHABET) for _ in range(5)) for _ in range(3))


_USER_FIELDS = frozenset({"last_name", "email", "is_active"})


@transaction.atomic
def user_create(
    *, username: str, full_name: str, email: str, active: bool, actor: Actor
) -> tuple[User, str | None]:
    """A new account. An active one gets a temporary password, returned once, to be changed at first log-in.

    The whole name goes in ``last_name``: Django's ``get_full_name`` puts the given
    name first, and Japanese names are written family name first.
    """
    user = User(username=username, last_name=full_name, email=email, is_active=active)
    user.set_unusable_password()
    user.save()
    record_create(user, actor=actor, fields=["username", "last_name", "email", "is_active"])
    password = user_temporary_password_set(user=user, actor=actor) if active else None
    return user, password


@transaction.atomic
def user_temporary_password_set(*, user: User, actor: Actor) -> str:
    """Give ``user`` a new temporary password (returned, never stored in clear) that must be changed."""
    password = temporary_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    required, created = PasswordChangeRequired.objects.get_or_create(user=user)
    if created:
        record_create(required, actor=actor, reason="temporary password")
    return password


def user_update(
    *, user: User, changes: Mapping[str, Any], actor: Actor, reason: str = ""
) -> dict[str, tuple[Any, Any]]:
    """Change a user's name, e-mail or whether they may log in (never deleted: history keeps their name)."""
    unknown = set(changes) - _USER_FIELDS
    if unknown:
        raise ValueError(f"Not a user field to change: {sorted(unknown)}")
    return apply_changes(user, changes, actor=actor, reason=reason)


def password_change_required_clear(*, user: User, actor: Actor) -> bool:
    """The user has chosen their own password; True if a change was due."""
    required = PasswordChangeRequired.objects.filter(user=user).first()
    if required is None:
        return False
    record_delete(required, actor=actor, reason="password changed")
    required.delete()
    return True

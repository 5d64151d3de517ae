"""Writes of accounts: new users, their temporary passwords, reset links from the planning section.

The log-in throttle's writes are in ``throttle.py``; they are not copied to the audit
log: ``LoginFailure`` is itself the log of attempts, and anyone on the network can
cause them (docs/adr/0005-login-lockout.md). Users are audited like business records
(never deleted: deactivated), and so is every reset link issued and used.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from shinchoku.accounts.mail import password_reset_message
from shinchoku.accounts.models import PasswordChangeRequired, PasswordResetIssue
from shinchoku.accounts.throttle import login_attempt_succeeded
from shinchoku.core.audit import Actor, apply_changes, record_create, record_delete
from shinchoku.organizations.models import Municipality

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


class NoEmailAddressError(ValueError):
    """The user has no e-mail address to send a reset link to."""


@transaction.atomic
def password_reset_link_send(*, user: User, municipality: Municipality, actor: Actor) -> PasswordResetIssue:
    """E-mail ``user`` a one-time link to set a new password; the record says who issued it, for whom.

    The mail is sent inside the transaction: if the mail server refuses it, the
    error reaches the planning section and no reset is recorded as issued.
    """
    if not user.email:
        raise NoEmailAddressError(f"{user.username} has no e-mail address.")
    issue = PasswordResetIssue.objects.create(
        user=user, municipality=municipality, issued_by=actor.user, email=user.email
    )
    record_create(issue, actor=actor, fields=["user", "email"], reason="password reset link e-mailed")
    password_reset_message(user=user, municipality=municipality, issued_by=actor).send()
    return issue


@transaction.atomic
def password_reset_complete(*, user: User) -> None:
    """The user set a new password through a reset link (the password is already saved).

    A temporary password no longer has to be changed, earlier log-in failures stop
    delaying the account, and the open reset links are marked used (audited).
    """
    actor = Actor(user=user, label="password reset link")
    password_change_required_clear(user=user, actor=actor)
    now = timezone.now()
    login_attempt_succeeded(username=user.username, now=now)
    for issue in PasswordResetIssue.objects.filter(user=user, completed_at__isnull=True):
        apply_changes(issue, {"completed_at": now}, actor=actor, reason="new password set")

"""Reads of accounts: the log-in throttle's state, and the users a planning section may help."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q
from django.http import Http404

from shinchoku.accounts.models import LoginFailure, LoginThrottle
from shinchoku.organizations.models import Membership, Municipality


def username_key(username: str) -> str:
    """The form in which attempts at one username are counted together.

    The log-in form already applies NFKC (full-width letters typed through an IME
    become ASCII); case-folding keeps ``Planner`` and ``planner`` in one count.
    """
    return username.strip().casefold()[:150]


def quiet_for_long(row: LoginThrottle, now: datetime) -> bool:
    """No attempt (and no wait running) for a whole window: earlier failures are forgiven."""
    if row.last_attempt_at is None:
        return True
    quiet_since = max(row.last_attempt_at, row.wait_until or row.last_attempt_at)
    return now - quiet_since >= timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def address_is_throttled(ip: str | None, now: datetime) -> bool:
    """Have LOGIN_FAILURE_LIMIT_PER_IP wrong passwords come from this address within the window?

    A throttled address only makes wrong passwords cost more (no free attempts for
    the usernames tried from it); a right password still logs in (ADR 0005). Not a
    gate, so counting the recorded failures (no lock) is enough.
    """
    if not ip:
        return False
    since = now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(ip=ip, cleared_at__isnull=True, failed_at__gt=since)
    return recent.count() >= settings.LOGIN_FAILURE_LIMIT_PER_IP


@dataclass(frozen=True)
class MunicipalityUser:
    """A user of the municipality, as the planning section's user list shows them."""

    user: User
    roles: list[str]


def _current(today: date) -> Q:
    # Roles that have not ended: one starting next month already needs a password.
    return Q(valid_to__isnull=True) | Q(valid_to__gte=today)


def municipality_users(municipality: Municipality, today: date) -> list[MunicipalityUser]:
    """Active users who hold a role in ``municipality`` that has not ended, by username."""
    memberships = (
        Membership.objects.filter(_current(today), municipality=municipality, user__is_active=True)
        .select_related("user", "department", "section")
        .order_by("user__username", "role", "pk")
    )
    found: dict[int, MunicipalityUser] = {}
    for membership in memberships:
        entry = found.setdefault(membership.user_id, MunicipalityUser(membership.user, []))
        scope = membership.section or membership.department
        label = str(membership.get_role_display())
        entry.roles.append(f"{label}（{scope.name}）" if scope else label)
    return list(found.values())


def municipality_user(municipality: Municipality, pk: int, today: date) -> User:
    """One active user with a current role in ``municipality``; anyone else is not found (ids reveal nothing)."""
    user = (
        User.objects.filter(pk=pk, is_active=True)
        .filter(
            pk__in=Membership.objects.filter(_current(today), municipality=municipality).values("user_id")
        )
        .first()
    )
    if user is None:
        raise Http404("No such user in this municipality.")
    return user

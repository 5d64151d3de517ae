"""Small helpers for views."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def request_user(request: HttpRequest) -> User:
    """The logged-in user of a view behind ``login_required`` (typed, never anonymous)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Log in first.")
    return user

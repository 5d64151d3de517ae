"""Reads of access tokens: one's own only, and the token a secret stands for."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404

from shinchoku.api.models import AccessToken
from shinchoku.api.services import SECRET_PREFIX, secret_hash


def tokens_of(user: User) -> QuerySet[AccessToken]:
    return AccessToken.objects.filter(user=user).order_by("-created_at", "-id")


def token_of_owner(user: User, pk: int) -> AccessToken:
    """One of ``user``'s own tokens; anybody else's is refused like one that does not exist."""
    found = AccessToken.objects.filter(user=user, pk=pk).first()
    if found is None:
        raise Http404("No such token.")
    return found


def token_for_secret(secret: str) -> AccessToken | None:
    """The token (with its user) whose secret this is, usable or not; None when none is."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    return AccessToken.objects.filter(key_hash=secret_hash(secret)).select_related("user").first()

"""What a token may do beyond its user's roles: a read-only token reads, and nothing else."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from shinchoku.api.models import AccessToken


class TokenScope(BasePermission):
    """Writes need a read-and-write token; the user's roles then decide, as on the web pages."""

    message = _("This token is read-only: make a read-and-write token to change data.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        token = request.auth
        return isinstance(token, AccessToken) and token.writes

"""``Authorization: Bearer shk_…``: a personal access token authenticates as its user.

A request without the header is anonymous (the public endpoints answer it; the others say
401). A header with an unknown, revoked or expired token, or a token whose user may no longer
log in, is refused with 401 and the reason, even on a public endpoint: a client that sends
credentials wants to know they do not work.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from shinchoku.api.models import AccessToken
from shinchoku.api.selectors import token_for_secret
from shinchoku.api.services import access_token_used

KEYWORD = b"bearer"


class TokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, AccessToken] | None:
        try:
            parts = get_authorization_header(request).split()
        except UnicodeEncodeError:  # a header no HTTP client sends (WSGI headers are latin-1)
            raise AuthenticationFailed(_("This token is unknown.")) from None
        if not parts or parts[0].lower() != KEYWORD:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Send the token as: Authorization: Bearer <token>."))
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("This token is unknown.")) from None
        token = token_for_secret(secret)
        now = timezone.now()
        if token is None:
            raise AuthenticationFailed(_("This token is unknown."))
        if token.revoked_at is not None:
            raise AuthenticationFailed(_("This token has been revoked."))
        if token.is_expired(now):
            raise AuthenticationFailed(
                _("This token expired on %(date)s.")
                % {"date": timezone.localdate(token.expires_at).isoformat()}
            )
        if not token.user.is_active:
            raise AuthenticationFailed(_("The user of this token can no longer log in."))
        access_token_used(token=token, now=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # A WWW-Authenticate header makes DRF answer 401 (not 403) to a request without a token.
        return 'Bearer realm="api"'


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI document describes the token (and Swagger UI's 「Authorize」 asks for it)."""

    target_class = "shinchoku.api.authentication.TokenAuthentication"
    name = "accessToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "個人用アクセストークン（/account/tokens/ で発行）。"
                " A personal access token, made at /account/tokens/: `Authorization: Bearer shk_…`."
            ),
        }

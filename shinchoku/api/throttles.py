"""Rate limits (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], from the environment).

- ``anonymous``: requests without a token, per client address (behind proxies, the address
  ``LOGIN_TRUSTED_PROXY_COUNT`` says, like the log-in throttle).
- ``token``: requests with a token, per token.
- ``token_write``: writes, per token (on top of ``token``).

The counts live in the cache of each process (Django's default cache): with several workers a
client may get up to the rate once per worker. A client over the rate gets 429 with
``Retry-After``.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from shinchoku.api.models import AccessToken


class _RateFromSettings(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        # Read at each request (not bound at import as DRF does), so that a changed setting applies.
        rates: dict[str, str | None] = api_settings.DEFAULT_THROTTLE_RATES
        return rates.get(self.scope)


class AnonymousRateThrottle(_RateFromSettings):
    scope = "anonymous"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.auth is not None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenRateThrottle(_RateFromSettings):
    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not isinstance(request.auth, AccessToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class TokenWriteRateThrottle(TokenRateThrottle):
    scope = "token_write"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.method in SAFE_METHODS:
            return None
        return super().get_cache_key(request, view)

"""The client's address, as far as the deployment lets us know it."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or the address our own proxies saw when LOGIN_TRUSTED_PROXY_COUNT says there are some.

    X-Forwarded-For is written by whoever sends the request: only the entries our
    proxies appended (the last ``count``) can be believed, never the first one.
    """
    count = settings.LOGIN_TRUSTED_PROXY_COUNT
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    if count <= 0:
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        return remote
    return _valid(hops[-count]) or remote

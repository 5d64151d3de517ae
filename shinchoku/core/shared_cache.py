"""A shared HTTP cache inside each app process, in front of Django (shinchoku.wsgi).

A citizen's request for a published page or file is answered by Django with bytes stored at
publishing (portal.serving), yet Django's middleware and URL resolving still cost about a
millisecond: at that price two gunicorn workers serve ~800 pages a second where nginx sends
the same bytes ~100,000 times (bench/portal_load.py). This layer keeps the last answer Django
gave to the very same request when Django said any cache may keep it (``Cache-Control:
public``), and answers it again for a few seconds without entering Django.

It is an HTTP shared cache, with the rules of one:
- only GET and HEAD, without ``Authorization`` and without the session or messages cookie (a
  member of staff always reaches Django: their pages carry their name and their messages);
- only 200 answers marked ``public``, with no ``Set-Cookie``, kept for the shorter of their
  ``max-age`` and ``SHINCHOKU_SHARED_CACHE_SECONDS`` (0 turns the layer off);
- keyed by everything the answer may depend on: method class, host, scheme (and the proxy's
  ``X-Forwarded-Proto``), path, query string, the whole ``Cookie`` and ``Accept-Language``
  headers (Django's ``Vary``). A request for another host never matches a kept answer, so
  ``ALLOWED_HOSTS`` is still checked by Django for every new key;
- ``If-None-Match`` naming the kept ETag is answered 304, as Django would.

Publishing in this process empties it (portal.apps connects ``clear`` to the save of a
revision or a published file); another process's publishing shows here within the time above:
that is the staleness accepted for a page that browsers themselves keep for five minutes.
Bounded: at most ``MAX_ENTRIES`` answers and ``MAX_BYTES`` of bodies, the least recently used
dropped first; a body over ``MAX_BODY`` is never kept.
"""

from __future__ import annotations

import re
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from threading import Lock
from typing import Any

MAX_ENTRIES = 4096
MAX_BYTES = 32 * 1024 * 1024
MAX_BODY = 4 * 1024 * 1024

# Headers a 304 does not carry (RFC 9110 15.4.5: it describes the kept answer, not a body).
_NOT_IN_304 = {"content-length", "content-type", "content-disposition", "link"}
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age=(\d+)")

_instances: weakref.WeakSet[SharedCache] = weakref.WeakSet()

StartResponse = Callable[..., Any]
Key = tuple[str, ...]


@dataclass(frozen=True)
class _Kept:
    expires: float
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str


def clear() -> None:
    """Forget every kept answer of this process (a revision was published here)."""
    for cache in list(_instances):
        cache.clear()


class SharedCache:
    def __init__(
        self,
        app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]],
        *,
        seconds: int,
        session_cookie: str,
        messages_cookie: str = "messages",
    ) -> None:
        self.app = app
        self.seconds = seconds
        self.private_cookies = (f"{session_cookie}=", f"{messages_cookie}=")
        self.kept: OrderedDict[Key, _Kept] = OrderedDict()
        self.size = 0
        self.lock = Lock()
        _instances.add(self)

    def clear(self) -> None:
        with self.lock:
            self.kept.clear()
            self.size = 0

    def _key(self, environ: dict[str, Any]) -> Key | None:
        if self.seconds <= 0 or environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return None
        cookie = environ.get("HTTP_COOKIE", "")
        if "HTTP_AUTHORIZATION" in environ or any(name in cookie for name in self.private_cookies):
            return None
        return (
            environ.get("HTTP_HOST", ""),
            environ.get("wsgi.url_scheme", ""),
            environ.get("HTTP_X_FORWARDED_PROTO", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            cookie,
            environ.get("HTTP_ACCEPT_LANGUAGE", ""),
        )

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        key = self._key(environ)
        if key is None:
            return self.app(environ, start_response)
        now = time.monotonic()
        with self.lock:
            kept = self.kept.get(key)
            if kept is not None:
                if kept.expires > now:
                    self.kept.move_to_end(key)
                else:
                    self._drop(key)
                    kept = None
        if kept is not None:
            return self._replay(kept, environ, start_response)
        return self._fetch(key, environ, start_response, now)

    def _replay(self, kept: _Kept, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        match = environ.get("HTTP_IF_NONE_MATCH")
        if match and kept.etag and (match.strip() == "*" or kept.etag in match):
            start_response("304 Not Modified", [h for h in kept.headers if h[0].lower() not in _NOT_IN_304])
            return [b""]
        start_response(kept.status, kept.headers)
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [kept.body]

    def _fetch(
        self, key: Key, environ: dict[str, Any], start_response: StartResponse, now: float
    ) -> Iterable[bytes]:
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.app(environ, capture)
        lifetime = self._lifetime(seen.get("status", ""), seen.get("headers", []))
        if lifetime <= 0 or environ["REQUEST_METHOD"] != "GET":
            return result
        try:
            body = b"".join(result)
        finally:
            # Django's request_finished (closing the database connection) runs here.
            close = getattr(result, "close", None)
            if close is not None:
                close()
        if len(body) <= MAX_BODY:
            headers = list(seen["headers"])
            etag = next((value for name, value in headers if name.lower() == "etag"), "")
            self._keep(key, _Kept(now + lifetime, seen["status"], headers, body, etag))
        return [body]

    def _lifetime(self, status: str, headers: list[tuple[str, str]]) -> float:
        if not status.startswith("200"):
            return 0
        control = ""
        for name, value in headers:
            lowered = name.lower()
            if lowered == "set-cookie":
                return 0
            if lowered == "cache-control":
                control = value.lower()
        if "public" not in control or "no-store" in control or "no-cache" in control:
            return 0
        found = _MAX_AGE.search(control)
        return min(self.seconds, int(found.group(1))) if found else 0

    def _keep(self, key: Key, kept: _Kept) -> None:
        with self.lock:
            if key in self.kept:
                self._drop(key)
            self.kept[key] = kept
            self.size += len(kept.body)
            while self.size > MAX_BYTES or len(self.kept) > MAX_ENTRIES:
                self._drop(next(iter(self.kept)))

    def _drop(self, key: Key) -> None:
        self.size -= len(self.kept.pop(key).body)

"""Read replicas: citizens' portal reads go to PostgreSQL hot standbys, everything else to the primary.

Decided per request (docs/adr/0009-read-replicas.md):

- ``ReadReplicaMiddleware`` lets a request read from a replica only when replicas are configured
  (``DATABASE_REPLICA_URLS``), the request is a GET or HEAD of the public portal (``/p/...``:
  pages, search, summary, downloads; and ``/compare/``) and the client is not pinned to the
  primary. Everything else (the staff workspace, the admin, log-in, every POST) and everything
  outside a request (management commands, cron, the import worker) reads from the primary.
- Read-your-writes: the answer to a request that may have written (any method but GET, HEAD,
  OPTIONS, TRACE: publishing is a POST) carries a signed cookie that pins this client to the
  primary for ``DATABASE_REPLICA_PIN_SECONDS``; a planning administrator who has just published
  reads the portal from the primary and sees the new revision at once, whatever the lag.
- ``ReadReplicaRouter`` writes to the primary always and reads from the replica chosen for the
  request, except for identities and sessions (a log-out or a new session must count at once),
  inside a transaction (it reads what it writes) and after the request has written.
- One replica per request, chosen at random among those that answer, so the reads of one page
  never step back from one replica to a laggier one. A replica that cannot be reached is left alone for ``RETRY_SECONDS`` in this
  process and the request reads from another replica or the primary: a replica that is down
  slows a few requests by its connect timeout and takes nothing down. A replica that fails in
  the middle of a request fails that request only.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from threading import Lock
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponseBase

logger = logging.getLogger(__name__)

PIN_COOKIE = "shinchoku_primary"
_PIN_SALT = "shinchoku.core.db_routing.pin"
# Paths whose GET and HEAD may be answered from a replica: the public portal and its downloads,
# and the comparison of municipalities (public too, published revisions only).
REPLICA_PATH_PREFIXES = ("/p/", "/compare/")
_READ_METHODS = ("GET", "HEAD")
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
# Who is logged in and their session are always read where they are written.
PRIMARY_ONLY_APPS = frozenset({"auth", "sessions", "admin", "contenttypes", "accounts"})
# How long a replica that could not be reached is left alone before it is tried again.
RETRY_SECONDS = 10.0


@dataclass
class Routing:
    """What one request may read from, and what it did (read by the tests)."""

    replica_allowed: bool
    replica: str | None = None  # the alias chosen at the first read, for the whole request
    chosen: bool = False
    wrote: bool = False
    replica_reads: int = 0
    primary_reads: int = 0


_routing: ContextVar[Routing | None] = ContextVar("shinchoku_db_routing", default=None)
_down_until: dict[str, float] = {}
_down_lock = Lock()


def replica_aliases() -> list[str]:
    return list(getattr(settings, "SHINCHOKU_READ_REPLICAS", []))


def current_routing() -> Routing | None:
    return _routing.get()


def request_routing(request: HttpRequest) -> Routing | None:
    """The routing of a request that went through the middleware (for tests and logs)."""
    routing = getattr(request, "_shinchoku_db_routing", None)
    return routing if isinstance(routing, Routing) else None


def _reachable(alias: str) -> bool:
    """Whether the replica answers; one that does not is skipped for ``RETRY_SECONDS``."""
    now = time.monotonic()
    with _down_lock:
        if _down_until.get(alias, 0.0) > now:
            return False
    connection = connections[alias]
    try:
        # A kept connection (DATABASE_CONN_MAX_AGE) to a replica that went away is found here,
        # once per request, rather than by the page's first query.
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as error:
        with _down_lock:
            _down_until[alias] = now + RETRY_SECONDS
        logger.warning("Read replica %s cannot be reached (%s): reading from the primary.", alias, error)
        connection.close()
        return False
    return True


def _choose_replica() -> str | None:
    candidates = replica_aliases()
    random.shuffle(candidates)
    for alias in candidates:
        if _reachable(alias):
            return alias
    return None


class ReadReplicaRouter:
    """Writes and migrations on the primary; a request's reads where its middleware allowed."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        routing = _routing.get()
        if routing is None:
            return DEFAULT_DB_ALIAS
        if (
            not routing.replica_allowed
            or routing.wrote
            or model._meta.app_label in PRIMARY_ONLY_APPS
            # Inside a transaction the request reads what it is writing.
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            routing.primary_reads += 1
            return DEFAULT_DB_ALIAS
        if not routing.chosen:
            routing.replica, routing.chosen = _choose_replica(), True
        if routing.replica is None:
            routing.primary_reads += 1
            return DEFAULT_DB_ALIAS
        routing.replica_reads += 1
        return routing.replica

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        routing = _routing.get()
        if routing is not None:
            # What this request reads next may depend on what it wrote: read it where it is.
            routing.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # A replica holds the very same rows as the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        # A replica is a copy of the primary: its schema arrives by replication.
        return db == DEFAULT_DB_ALIAS


def is_pinned(request: HttpRequest) -> bool:
    """The client wrote less than ``DATABASE_REPLICA_PIN_SECONDS`` ago (a forged or expired pin is none)."""
    if PIN_COOKIE not in request.COOKIES:
        return False
    pin = request.get_signed_cookie(
        PIN_COOKIE, default=None, salt=_PIN_SALT, max_age=settings.DATABASE_REPLICA_PIN_SECONDS
    )
    return pin is not None


class ReadReplicaMiddleware:
    """Decides for each request whether its reads may go to a replica, and pins writers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        replicas = bool(replica_aliases())
        routing = Routing(
            replica_allowed=replicas
            and request.method in _READ_METHODS
            and request.path_info.startswith(REPLICA_PATH_PREFIXES)
            and not is_pinned(request)
        )
        request._shinchoku_db_routing = routing  # type: ignore[attr-defined]
        token = _routing.set(routing)
        try:
            response = self.get_response(request)
        finally:
            _routing.reset(token)
        if replicas and request.method not in _SAFE_METHODS and settings.DATABASE_REPLICA_PIN_SECONDS > 0:
            # This client may have just written (published): its next reads see it on the primary.
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=_PIN_SALT,
                max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

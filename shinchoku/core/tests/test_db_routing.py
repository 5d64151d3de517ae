"""The read-replica router's decisions (shinchoku.core.db_routing), without a real replica.

Through the test client, "default" stands in for a replica (``SHINCHOKU_READ_REPLICAS``): each
request's ``Routing`` counts the reads that the router sent to a replica and to the primary.
Those tests use ``transactional_db``: inside the test case's own transaction every read would
(rightly) stay on the primary. shinchoku/core/tests/test_read_replica.py runs a real streaming
replica on PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import OperationalError, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import override_settings

from shinchoku.core import db_routing
from shinchoku.core.audit import Actor
from shinchoku.core.db_routing import PIN_COOKIE, ReadReplicaMiddleware, ReadReplicaRouter, Routing
from shinchoku.organizations.models import Membership, Municipality, Section
from shinchoku.organizations.services import municipality_create
from shinchoku.publishing.models import Publication

ROOT = Path(__file__).resolve().parents[3]
as_replica = override_settings(SHINCHOKU_READ_REPLICAS=["default"], DATABASE_REPLICA_PIN_SECONDS=5)


def routing_of(response: Any) -> Routing:
    routing = db_routing.request_routing(response.wsgi_request)
    assert routing is not None
    return routing


@pytest.fixture
def midori(transactional_db: None) -> Municipality:
    return municipality_create(
        code="992011", name="みどり市", prefecture="架空県", slug="midori", actor=Actor(label="tests")
    )


@pytest.fixture(autouse=True)
def _no_replica_marked_down() -> Iterator[None]:
    db_routing._down_until.clear()
    yield
    db_routing._down_until.clear()


# --- through the test client ---------------------------------------------------------------


def test_without_replicas_nothing_changes(client: Client, midori: Municipality) -> None:
    response = client.get("/p/midori/")
    assert response.status_code == 200
    routing = routing_of(response)
    assert not routing.replica_allowed and routing.replica_reads == 0
    # No replica, no pin: a POST answers as before.
    response = client.post("/login/", {"username": "nobody", "password": "wrong-password-1"})
    assert PIN_COOKIE not in response.cookies


@as_replica
def test_a_citizens_portal_page_reads_from_the_replica(client: Client, midori: Municipality) -> None:
    for path in ("/p/midori/", "/p/midori/search/?q=目標", "/p/midori/summary/"):
        response = client.get(path)
        assert response.status_code == 200, path
        routing = routing_of(response)
        assert routing.replica_allowed and routing.replica == "default", path
        assert routing.replica_reads > 0, path
    assert routing_of(client.head("/p/midori/")).replica_allowed


@as_replica
def test_a_portal_request_that_writes_reads_on_from_the_primary(client: Client, midori: Municipality) -> None:
    # The summary's file is rendered and stored by the first request that asks for it: what it
    # reads after writing must come from the primary (a replica may not have the row yet).
    response = client.get("/p/midori/summary/download.csv")
    assert response.status_code == 200
    routing = routing_of(response)
    assert routing.replica_allowed and routing.wrote and routing.primary_reads > 0
    # The next citizen finds the stored file on the replica; nobody is pinned by a GET.
    response = client.get("/p/midori/summary/download.csv")
    routing = routing_of(response)
    assert response.status_code == 200 and routing.replica_reads > 0 and not routing.wrote
    assert PIN_COOKIE not in response.cookies


@as_replica
def test_staff_pages_and_writes_read_from_the_primary(client: Client, midori: Municipality) -> None:
    user = get_user_model().objects.create_user("planner", password="persona-password-1")
    Membership.objects.create(user=user, municipality=midori, role="planning_admin")
    client.force_login(user)
    for path in ("/m/midori/", "/my/", "/healthz", "/"):
        routing = routing_of(client.get(path))
        assert not routing.replica_allowed and routing.replica_reads == 0, path
        assert routing.primary_reads > 0 or path == "/healthz", path


@as_replica
def test_a_post_pins_its_client_to_the_primary_for_a_while(client: Client, midori: Municipality) -> None:
    get_user_model().objects.create_user("planner", password="persona-password-1")
    response = client.post("/login/", {"username": "planner", "password": "persona-password-1"})
    assert response.status_code == 302
    pin = response.cookies[PIN_COOKIE]
    assert pin["max-age"] == 5 and pin["httponly"] and pin["samesite"] == "Lax"
    # The client that wrote reads the portal from the primary, logged in or not…
    routing = routing_of(client.get("/p/midori/"))
    assert not routing.replica_allowed and routing.replica_reads == 0
    pinned = Client()
    pinned.cookies[PIN_COOKIE] = pin.value
    assert not routing_of(pinned.get("/p/midori/")).replica_allowed
    # …a visitor without the cookie reads from the replica.
    assert routing_of(Client().get("/p/midori/")).replica_reads > 0


@as_replica
def test_an_expired_or_forged_pin_is_no_pin(client: Client, midori: Municipality) -> None:
    # What set_signed_cookie writes, signed six seconds ago: the server checks its age itself
    # (a browser may keep a cookie longer than its max-age).
    signer = signing.get_cookie_signer(salt=PIN_COOKIE + db_routing._PIN_SALT)
    six_seconds_ago = time.time() - 6
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: six_seconds_ago)
        expired = signer.sign("1")
    client.cookies[PIN_COOKIE] = expired
    assert routing_of(client.get("/p/midori/")).replica_allowed
    client.cookies[PIN_COOKIE] = "1:forged:signature"
    assert routing_of(client.get("/p/midori/")).replica_allowed
    client.cookies[PIN_COOKIE] = signer.sign("1")
    assert not routing_of(client.get("/p/midori/")).replica_allowed


@override_settings(SHINCHOKU_READ_REPLICAS=["default"], DATABASE_REPLICA_PIN_SECONDS=0)
def test_pinning_can_be_turned_off(client: Client, midori: Municipality) -> None:
    response = client.post("/login/", {"username": "nobody", "password": "wrong-password-1"})
    assert PIN_COOKIE not in response.cookies


@as_replica
def test_only_reads_of_the_portal_may_go_to_a_replica(rf: RequestFactory) -> None:
    seen: list[Routing | None] = []

    def view(request: Any) -> HttpResponse:
        seen.append(db_routing.current_routing())
        return HttpResponse()

    middleware = ReadReplicaMiddleware(view)
    for method, path, allowed in [
        ("get", "/p/midori/reports/1/download.pdf", True),
        ("head", "/p/midori/", True),
        ("post", "/p/midori/", False),
        ("options", "/p/midori/", False),
        ("get", "/m/midori/", False),
        ("get", "/admin/", False),
        ("get", "/login/", False),
        ("get", "/px/", False),
        ("get", "/compare/", True),
    ]:
        middleware(getattr(rf, method)(path))
        routing = seen[-1]
        assert routing is not None and routing.replica_allowed is allowed, (method, path)
    # Outside the request nothing is decided: commands and background work use the primary.
    assert db_routing.current_routing() is None


# --- the router itself ---------------------------------------------------------------------


@pytest.fixture
def replicas(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Two replica aliases that always answer (no connection is made)."""
    monkeypatch.setattr(db_routing, "replica_aliases", lambda: ["replica_1", "replica_2"])
    monkeypatch.setattr(db_routing, "_reachable", lambda alias: True)
    return ["replica_1", "replica_2"]


def routed(replica_allowed: bool = True) -> Any:
    routing = Routing(replica_allowed=replica_allowed)
    token = db_routing._routing.set(routing)
    return routing, token


def test_reads_of_one_request_go_to_one_replica(replicas: list[str]) -> None:
    router = ReadReplicaRouter()
    chosen = set()
    for _request in range(40):
        _routing, token = routed()
        try:
            first = router.db_for_read(Publication)
            assert first in replicas
            assert router.db_for_read(Section) == router.db_for_read(Municipality) == first
            chosen.add(first)
        finally:
            db_routing._routing.reset(token)
    # Spread over the replicas.
    assert chosen == set(replicas)


def test_identities_sessions_transactions_and_writes_stay_on_the_primary(replicas: list[str]) -> None:
    router = ReadReplicaRouter()
    _routing, token = routed()
    try:
        assert router.db_for_read(Session) == "default"
        assert router.db_for_read(get_user_model()) == "default"
        assert router.db_for_read(Publication) in replicas
        assert router.db_for_write(Publication) == "default"
        # Once the request wrote, it reads what it wrote.
        assert router.db_for_read(Publication) == "default"
    finally:
        db_routing._routing.reset(token)


@pytest.mark.django_db
def test_a_transaction_reads_from_the_primary(replicas: list[str]) -> None:
    router = ReadReplicaRouter()
    routing, token = routed()
    try:
        # The test case's own transaction is open: as in a request's transaction.atomic block.
        with transaction.atomic():
            assert router.db_for_read(Publication) == "default"
        assert routing.replica is None and routing.replica_reads == 0
    finally:
        db_routing._routing.reset(token)


def test_without_a_request_or_when_not_allowed_everything_is_on_the_primary(replicas: list[str]) -> None:
    router = ReadReplicaRouter()
    assert router.db_for_read(Publication) == "default"
    assert router.db_for_write(Publication) == "default"
    _routing, token = routed(replica_allowed=False)
    try:
        assert router.db_for_read(Publication) == "default"
    finally:
        db_routing._routing.reset(token)


def test_migrations_only_on_the_primary_and_relations_across() -> None:
    router = ReadReplicaRouter()
    assert router.allow_migrate("default", "publishing")
    assert not router.allow_migrate("replica_1", "publishing")
    assert router.allow_relation(Publication(), Municipality())


class _Unreachable:
    def __init__(self) -> None:
        self.attempts = 0

    def close_if_health_check_failed(self) -> None:
        pass

    def ensure_connection(self) -> None:
        self.attempts += 1
        raise OperationalError("connection refused")

    def close(self) -> None:
        pass


def test_a_replica_that_is_down_falls_back_and_is_left_alone_a_while(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    down = _Unreachable()

    monkeypatch.setattr(db_routing, "replica_aliases", lambda: ["replica_1"])
    monkeypatch.setattr(db_routing, "connections", {"replica_1": down, "default": _Default()})
    router = ReadReplicaRouter()
    for _request in range(3):
        routing, token = routed()
        try:
            assert router.db_for_read(Publication) == "default"
            assert routing.replica is None and routing.primary_reads == 1
        finally:
            db_routing._routing.reset(token)
    # Tried once, then left alone for RETRY_SECONDS: later requests pay no connect timeout.
    assert down.attempts == 1
    assert "replica_1 cannot be reached" in caplog.text
    db_routing._down_until["replica_1"] = 0.0
    routing, token = routed()
    try:
        router.db_for_read(Publication)
    finally:
        db_routing._routing.reset(token)
    assert down.attempts == 2


def test_a_second_replica_serves_when_one_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    class Up:
        def close_if_health_check_failed(self) -> None:
            pass

        def ensure_connection(self) -> None:
            pass

    monkeypatch.setattr(db_routing, "replica_aliases", lambda: ["replica_1", "replica_2"])
    monkeypatch.setattr(
        db_routing, "connections", {"replica_1": _Unreachable(), "replica_2": Up(), "default": _Default()}
    )
    router = ReadReplicaRouter()
    for _request in range(10):
        _routing, token = routed()
        try:
            assert router.db_for_read(Publication) == "replica_2"
        finally:
            db_routing._routing.reset(token)


class _Default:
    in_atomic_block = False


# --- settings ------------------------------------------------------------------------------


def _settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SHINCHOKU_", "DATABASE_"))}
    code = (
        "import shinchoku.settings as s; print(s.SHINCHOKU_READ_REPLICAS); "
        "r = s.DATABASES.get('replica_2', {}); print(r.get('HOST'), r.get('PORT'), r.get('NAME'), "
        "r.get('TEST'), r.get('OPTIONS')); print(s.DATABASE_REPLICA_PIN_SECONDS)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "SHINCHOKU_ENV": "development", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_replica_urls_become_mirrored_aliases() -> None:
    done = _settings(
        DATABASE_URL="postgres://app@primary.example:5432/shinchoku",
        DATABASE_REPLICA_URLS="postgres://app@r1.example/shinchoku, postgres://app@r2.example:6432/shinchoku",
        DATABASE_REPLICA_PIN_SECONDS="10",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "['replica_1', 'replica_2']",
        "r2.example 6432 shinchoku {'MIRROR': 'default'} {'connect_timeout': 2}",
        "10",
    ]


def test_no_replica_by_default_and_none_for_sqlite() -> None:
    done = _settings()
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "[]"
    done = _settings(DATABASE_REPLICA_URLS="postgres://app@r1.example/shinchoku")
    assert done.returncode != 0 and "needs a PostgreSQL DATABASE_URL" in done.stderr
    done = _settings(
        DATABASE_URL="postgres://app@primary.example/shinchoku", DATABASE_REPLICA_URLS="sqlite:///x.db"
    )
    assert done.returncode != 0 and "replica 1 is not a postgres:// URL" in done.stderr

"""The portal reads from a real streaming replica, and staff read what they wrote (PostgreSQL only).

Real processes, as in production: a scratch database on the primary (``migrate``, ``load_demo
--no-seeds``), gunicorn with ``DATABASE_REPLICA_URLS`` naming the hot standby of
``scripts/pg.sh start-replica``. The proof that the portal reads from the replica: its replay
is paused, a revision is published on the primary, and citizens do not see it (404) until the
replay is resumed, while a member of staff who has just posted (logged in) sees it at once, and
staff pages read the primary all along. A second server whose replica does not answer serves
the portal from the primary.

Outside CI the test is skipped when no replica can be started; under CI it fails instead.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from shinchoku.core.db_routing import PIN_COOKIE
from shinchoku.core.tests.test_production_start import _free_port

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
PIN_SECONDS = 2
MARKER = "レプリカ経由の確認"
NEW_SECTION = "レプリカ確認課"

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="read replicas are PostgreSQL hot standbys: this test runs on PostgreSQL (make test-postgres)",
)


def _unavailable(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _with_database(url: str, name: str) -> str:
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path=f"/{name}"))


def _sql(url: str, query: str) -> list[tuple[object, ...]]:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
        cursor = connection.execute(query)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


def _pg_sh(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["scripts/pg.sh", *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


@dataclass
class Cluster:
    primary: str  # URLs of the server "postgres" databases
    replica: str


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    primary = os.environ.get("DATABASE_URL", "")
    if not primary.startswith(("postgres://", "postgresql://")):
        _unavailable("DATABASE_URL names no PostgreSQL server")
    replica = os.environ.get("SHINCHOKU_TEST_REPLICA_URL", "")
    if not replica:
        # The replica of scripts/pg.sh streams from its primary only.
        if urllib.parse.urlsplit(primary).port != urllib.parse.urlsplit(_pg_sh("url").stdout.strip()).port:
            _unavailable(
                "DATABASE_URL is not scripts/pg.sh's cluster: name its replica in SHINCHOKU_TEST_REPLICA_URL"
            )
        started = _pg_sh("start-replica")
        if started.returncode != 0:
            _unavailable(f"scripts/pg.sh start-replica failed: {started.stderr.strip()}")
        replica = _pg_sh("replica-url").stdout.strip()
    primary, replica = _with_database(primary, "postgres"), _with_database(replica, "postgres")
    try:
        in_recovery, replica_system = _sql(
            replica, "SELECT pg_is_in_recovery(), system_identifier FROM pg_control_system()"
        )[0]
        (primary_system,) = _sql(primary, "SELECT system_identifier FROM pg_control_system()")[0]
    except Exception as error:  # any failure to reach them is the reason to give
        _unavailable(f"the primary or the replica does not answer: {error}")
    if not in_recovery or replica_system != primary_system:
        _unavailable(f"{replica} is not a standby of {primary}")
    return Cluster(primary, replica)


def _caught_up(cluster: Cluster, timeout: float = 30) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    (target,) = _sql(cluster.primary, "SELECT pg_current_wal_lsn()::text")[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        (done,) = _sql(cluster.replica, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")[0]
        if done:
            return
        time.sleep(0.05)
    raise AssertionError(f"the replica did not replay up to {target} within {timeout} s")


class Visitor:
    """A browser: cookies kept, redirects followed, errors returned as answers."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def log_in(self, username: str, password: str) -> None:
        _status, page = self.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no log-in form"
        status, _page = self.get(
            "/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
        )
        assert status == 200 and any(c.name == "sessionid" for c in self.cookies), "log-in failed"

    @property
    def pinned(self) -> bool:
        return any(c.name == PIN_COOKIE for c in self.cookies)


def _server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "shinchoku.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    base = f"http://127.0.0.1:{port}"
    for _attempt in range(200):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=5).close()
            return process, base
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.05)
    process.terminate()
    raise AssertionError(f"gunicorn did not answer: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def site(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """The demo in a scratch database on the primary, replicated, served with the replica."""
    tmp = tmp_path_factory.mktemp("replica")
    name = f"shinchoku_replica_test_{os.getpid()}"
    _sql(cluster.primary, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _sql(cluster.primary, f"CREATE DATABASE {name}")
    primary, replica = _with_database(cluster.primary, name), _with_database(cluster.replica, name)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SHINCHOKU_", "DATABASE_"))},
        # Development: load_demo refuses production, and the cookies work over plain HTTP.
        "SHINCHOKU_ENV": "development",
        "DATABASE_URL": primary,
        "DATABASE_REPLICA_URLS": replica,
        "DATABASE_REPLICA_PIN_SECONDS": str(PIN_SECONDS),
        # Every answer from Django, none from the app's shared cache of public answers.
        "SHINCHOKU_SHARED_CACHE_SECONDS": "0",
        "SHINCHOKU_ARTEFACT_ROOT": str(tmp / "artefacts"),
        "DJANGO_MEDIA_ROOT": str(tmp / "media"),
    }
    servers: list[subprocess.Popen[bytes]] = []
    try:
        # Commands use the primary even with replicas configured.
        for command in (["migrate", "--no-input"], ["load_demo", "--no-seeds"]):
            done = subprocess.run(
                [sys.executable, "manage.py", *command],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert done.returncode == 0, done.stderr[-2000:]
        _caught_up(cluster)
        server, base = _server(env, tmp / "gunicorn.log")
        servers.append(server)
        # The same site with a replica that does not answer (nothing listens on that port).
        dead = _with_database(f"postgres://postgres@127.0.0.1:{_free_port()}/x", name)
        broken, broken_base = _server({**env, "DATABASE_REPLICA_URLS": dead}, tmp / "gunicorn-broken.log")
        servers.append(broken)
        yield {
            "base": base,
            "broken_base": broken_base,
            "env": env,
            "primary": primary,
            "replica": replica,
            "log": tmp / "gunicorn.log",
            "broken_log": tmp / "gunicorn-broken.log",
        }
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        # Never leave the replica paused: the rest of the run, and the drop, need its replay.
        _sql(cluster.replica, "SELECT pg_wal_replay_resume()")
        _sql(cluster.primary, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _publish_on_the_primary(env: dict[str, str]) -> int:
    """A new revision of みどり市's goal declaration and a new section, by a command (primary)."""
    snippet = f"""
from shinchoku.core.audit import Actor
from shinchoku.goals.models import GoalDeclaration
from shinchoku.organizations.models import Municipality
from shinchoku.organizations.services import section_create
from shinchoku.publishing.services import goal_declaration_publish

actor = Actor(label="replica test")
municipality = Municipality.objects.get(slug="midori")
declaration = GoalDeclaration.objects.filter(municipality=municipality).order_by("pk").first()
goal = declaration.goals.order_by("number").first()
goal.title = goal.title + "{MARKER}"
goal.save()
section_create(municipality=municipality, name="{NEW_SECTION}", actor=actor)
print(goal_declaration_publish(declaration=declaration, actor=actor).pk)
"""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", snippet],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout.split()[-1])


def _paused(replica: str) -> None:
    _sql(replica, "SELECT pg_wal_replay_pause()")
    for _attempt in range(200):
        if _sql(replica, "SELECT pg_get_wal_replay_pause_state()")[0][0] == "paused":
            return
        time.sleep(0.05)
    raise AssertionError("the replica's replay did not pause")


def test_the_portal_reads_from_the_replica_and_staff_read_their_writes(
    cluster: Cluster, site: dict[str, object]
) -> None:
    base, env = str(site["base"]), site["env"]
    assert isinstance(env, dict)
    citizen = Visitor(base)
    status, page = citizen.get("/p/midori/")
    assert status == 200 and "みどり市" in page

    # The replica stops replaying; the primary goes on.
    _paused(cluster.replica)
    new = _publish_on_the_primary(env)
    count = f"SELECT count(*) FROM publishing_publication WHERE id = {new}"
    assert _sql(str(site["primary"]), count) == [(1,)]
    assert _sql(str(site["replica"]), count) == [(0,)]

    # Citizens read the portal from the replica: the new revision is not there yet.
    assert citizen.get(f"/p/midori/reports/{new}/")[0] == 404
    assert not citizen.pinned

    # A member of staff who has just posted (the log-in; publishing is a POST too) is pinned
    # to the primary: the portal shows them the new revision at once.
    planner = Visitor(base)
    planner.log_in("kikaku", "demo-kikaku-2026")
    assert planner.pinned
    status, page = planner.get(f"/p/midori/reports/{new}/")
    assert status == 200 and MARKER in page
    status, page = planner.get("/m/midori/")
    assert status == 200 and NEW_SECTION in page

    # Once the pin has expired the portal reads from the replica again, for staff too, while
    # staff pages still read from the primary.
    time.sleep(PIN_SECONDS + 0.5)
    planner.cookies.clear_expired_cookies()
    assert planner.get(f"/p/midori/reports/{new}/")[0] == 404
    status, page = planner.get("/m/midori/")
    assert status == 200 and NEW_SECTION in page

    # Replay resumed: citizens see the revision as soon as the replica has it.
    _sql(cluster.replica, "SELECT pg_wal_replay_resume()")
    started = time.monotonic()
    while True:
        status, page = citizen.get(f"/p/midori/reports/{new}/")
        if status == 200:
            break
        assert status == 404 and time.monotonic() - started < 30, status
        time.sleep(0.05)
    assert MARKER in page
    assert "cannot be reached" not in Path(str(site["log"])).read_text()


def test_a_replica_that_is_down_does_not_take_the_portal_down(site: dict[str, object]) -> None:
    citizen = Visitor(str(site["broken_base"]))
    for path in ("/p/midori/", "/p/midori/summary/", "/p/midori/search/?q=%E7%9B%AE%E6%A8%99"):
        status, page = citizen.get(path)
        assert status == 200 and "みどり市" in page, path
    assert "replica_1 cannot be reached" in Path(str(site["broken_log"])).read_text()

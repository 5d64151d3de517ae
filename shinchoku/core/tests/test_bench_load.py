"""bench/load.py, briefly: a few simulated users for three seconds against a live server, no error.

The load script drives a real HTTP server holding the demo data: citizens read, search and
download on the portal; staff log in through the log-in form and save entries through the
request's forms. On PostgreSQL the server is pytest-django's live server (a thread per
request). On SQLite the test database is in memory, shared by the server's threads through
one shared-cache connection, where concurrent writes fail at once with "database table is
locked" instead of waiting (a real SQLite file, in WAL mode with a busy timeout, waits):
there the server answers one request at a time, as a single process would.
"""

from __future__ import annotations

import importlib.util
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.core.servers.basehttp import WSGIServer
from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.test.testcases import LiveServerThread

LOAD = Path(__file__).resolve().parents[3] / "bench" / "load.py"


def _load_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_load", LOAD)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


class _OneRequestAtATime(WSGIServer):
    """Not threaded: each request is answered in the server's thread (and with Connection: close)."""

    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class _SerialLiveServerThread(LiveServerThread):
    server_class = _OneRequestAtATime


@pytest.fixture
def server_url(request: pytest.FixtureRequest, transactional_db: None) -> Iterator[str]:
    if connection.vendor != "sqlite":
        yield request.getfixturevalue("live_server").url
        return
    shared: dict[str, BaseDatabaseWrapper] = {
        c.alias: c for c in connections.all() if isinstance(c, SQLiteWrapper) and c.is_in_memory_db()
    }
    thread = _SerialLiveServerThread("127.0.0.1", StaticFilesHandler, connections_override=shared)
    thread.daemon = True
    for conn in shared.values():
        conn.inc_thread_sharing()
    thread.start()
    thread.is_ready.wait()
    try:
        if thread.error:
            raise thread.error
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        for conn in shared.values():
            conn.dec_thread_sharing()


def test_load_smoke_without_errors(server_url: str) -> None:
    call_command("load_demo", "--no-seeds", stdout=io.StringIO())
    load = _load_module()
    args = load.parse_args(
        ["--base-url", server_url, "--users", "5", "--duration", "3", "--ramp", "0.5", "--staff-share", "0.4"]
    )
    summary = load.run(args)
    kinds = summary["kinds"]
    errors = {kind: row["error_kinds"] for kind, row in kinds.items() if row["errors"]}
    assert summary["total"]["errors"] == 0, errors
    # Both kinds of users did their part: log-in, the request page and saves; the portal.
    for kind in ("log in", "staff request page", "staff add entry", "staff save entry", "portal report"):
        assert kinds.get(kind, {}).get("requests", 0) >= 1, (kind, sorted(kinds))

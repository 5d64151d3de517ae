"""Production starts the way the README says: migrate, collectstatic, check --deploy, gunicorn.

Run in real processes with SHINCHOKU_ENV=production (as an operator would), against a
throw-away SQLite file and static folder; the pages and the static files must answer.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read()


def test_production_starts_as_documented(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **{
            k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SHINCHOKU_", "DATABASE_URL"))
        },
        "SHINCHOKU_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_SECURE_COOKIES": "0",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--no-input"], ["collectstatic", "--no-input"], ["check", "--deploy"]):
        done = subprocess.run(
            [*manage, *command], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-2000:]
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "shinchoku.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _attempt in range(100):
            try:
                status, _type, page = _get(f"{base}/login/")
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("gunicorn did not answer")
        assert status == 200
        stylesheet = re.search(rb'href="(/static/[^"]+\.css)"', page)
        assert stylesheet is not None, page[:500]
        status, content_type, css = _get(base + stylesheet.group(1).decode())
        assert status == 200 and content_type.startswith("text/css") and css
        assert _get(f"{base}/")[0] == 200
    finally:
        server.terminate()
        server.wait(timeout=10)

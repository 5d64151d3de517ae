"""The deployment in deploy/ works: nginx and gunicorn started from its files, on loopback.

Real processes, production settings, a throw-away SQLite file: gunicorn with
deploy/gunicorn.conf.py, nginx with deploy/nginx/*.conf.in rendered by deploy/render.py. Through
nginx: the portal and a report (a page kept in nginx's cache for the seconds the app allows,
published files sent by nginx on the app's X-Accel-Redirect, with the app's headers), a static file (served by nginx itself, cached for a year), the health check;
the internal location is unreachable from outside, and a body over the limit is refused by nginx.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from shinchoku.core.tests.test_production_start import _free_port

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _request(url: str, data: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _wait(url: str) -> None:
    for _attempt in range(150):
        try:
            _request(url)
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answers at {url}")


def _render(template: str, target: Path, values: dict[str, str]) -> None:
    args = [sys.executable, str(ROOT / "deploy" / "render.py"), str(ROOT / "deploy" / "nginx" / template)]
    args += [f"--set={name}={value}" for name, value in values.items()]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    target.write_text(done.stdout)


@pytest.fixture
def deployed(tmp_path: Path) -> Iterator[dict[str, object]]:
    if not Path(NGINX).exists():
        message = "nginx is not installed (make test installs it: apt-get install nginx-light)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    app_port, web_port = _free_port(), _free_port()
    artefacts = tmp_path / "artefacts"
    env = {
        **{
            k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SHINCHOKU_", "DATABASE_URL"))
        },
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db' / 'db.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "SHINCHOKU_ARTEFACT_ROOT": str(artefacts),
        "SHINCHOKU_ARTEFACT_ACCEL_PREFIX": "/_artefacts/",
        "DJANGO_SECURE_COOKIES": "0",
        "SHINCHOKU_BIND": f"127.0.0.1:{app_port}",
        "SHINCHOKU_WORKERS": "1",
        "SHINCHOKU_ACCESS_LOG": str(tmp_path / "gunicorn-access.log"),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    steps = [
        ({"SHINCHOKU_ENV": "production"}, ["migrate", "--no-input"]),
        ({"SHINCHOKU_ENV": "production"}, ["collectstatic", "--no-input"]),
        # The demo's documents imported and published (the demo refuses production settings).
        ({"SHINCHOKU_ENV": "development"}, ["load_demo"]),
    ]
    for extra, command in steps:
        done = subprocess.run(
            [*manage, *command], env={**env, **extra}, cwd=ROOT, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr[-2000:]
    env["SHINCHOKU_ENV"] = "production"
    run = tmp_path / "nginx"
    run.mkdir()
    values = {
        "RUN_DIR": str(run),
        "LOG_DIR": str(run),
        "CACHE_DIR": str(run / "cache"),
        "LISTEN": f"127.0.0.1:{web_port}",
        "SERVER_NAME": "127.0.0.1",
        "UPSTREAM": f"127.0.0.1:{app_port}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "ARTEFACT_ROOT": str(artefacts),
        "MAX_BODY_MB": "2",
        "NGINX_WORKERS": "1",
        # As root, nginx's workers would run as nobody and could not enter pytest's 0700 folders.
        "NGINX_USER": "user root;" if os.geteuid() == 0 else "",
    }
    _render("nginx.conf.in", run / "nginx.conf", values)
    _render("shinchoku.conf.in", run / "shinchoku.conf", values)
    gunicorn = subprocess.Popen(
        [str(BIN / "gunicorn"), "shinchoku.wsgi", "--config", str(ROOT / "deploy" / "gunicorn.conf.py")],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    nginx = subprocess.Popen(
        [NGINX, "-p", str(run), "-c", str(run / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{web_port}"
        _wait(f"http://127.0.0.1:{app_port}/healthz")
        _wait(f"{base}/healthz")
        yield {"base": base, "artefacts": artefacts, "log": tmp_path / "gunicorn-access.log"}
    finally:
        nginx.terminate()
        gunicorn.terminate()
        nginx.wait(timeout=10)
        gunicorn.wait(timeout=10)


def test_nginx_and_gunicorn_from_deploy_serve_the_portal(deployed: dict[str, object]) -> None:
    base = str(deployed["base"])
    status, headers, body = _request(f"{base}/healthz")
    assert (status, body) == (200, b"ok\n")

    status, headers, index = _request(f"{base}/p/midori/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "X-Accel-Redirect" not in headers
    # The published page, sent by nginx from the artefact file the app named.
    report = index.split(b'href="/p/midori/reports/', 1)[1].split(b'/"', 1)[0].decode()
    status, headers, page = _request(f"{base}/p/midori/reports/{report}/")
    assert (status == 200 and "Etag" in headers) or "ETag" in headers
    stored = {p.read_bytes() for p in Path(str(deployed["artefacts"])).rglob("*.html")}
    assert page in stored

    status, headers, pdf = _request(f"{base}/p/midori/reports/{report}/download.pdf")
    assert status == 200 and pdf.startswith(b"%PDF")
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Content-Disposition"].startswith("attachment; filename=")
    name = hashlib.sha256(pdf).hexdigest()
    assert (Path(str(deployed["artefacts"])) / name[:2] / f"{name[2:]}.pdf").read_bytes() == pdf
    # The internal location cannot be asked for directly.
    assert _request(f"{base}/_artefacts/{name[:2]}/{name[2:]}.pdf")[0] == 404

    # A static file, served by nginx itself and cached for a year.
    stylesheet = page.split(b'href="/static/', 1)[1].split(b'"', 1)[0].decode()
    status, headers, css = _request(f"{base}/static/{stylesheet}")
    assert status == 200 and headers["Content-Type"].startswith("text/css") and css
    assert "immutable" in headers["Cache-Control"]
    # A citizen's page asked for again is sent from nginx's cache; a download from its file,
    # after the app has checked the address each time.
    assert _request(f"{base}/p/midori/reports/{report}/")[2] == page
    assert _request(f"{base}/p/midori/reports/{report}/download.pdf")[2] == pdf
    log = ""
    for _attempt in range(50):  # gunicorn writes its log line after the answer is sent
        log = Path(str(deployed["log"])).read_text()
        if log.count(f"/p/midori/reports/{report}/download.pdf HTTP") == 2:
            break
        time.sleep(0.1)
    assert log.count(f"/p/midori/reports/{report}/download.pdf HTTP") == 2
    assert log.count(f"/p/midori/reports/{report}/ HTTP") == 1
    assert "/static/" not in log, "static files must not reach gunicorn"

    # A body over client_max_body_size is refused by nginx, before the app.
    status, _headers, _body = _request(f"{base}/login/", data=b"x" * (3 * 1024 * 1024))
    assert status == 413

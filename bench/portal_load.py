"""The public portal under load, beside the real limit: nginx sending the same bytes from a file.

    .venv/bin/python bench/portal_load.py [--duration 8] [--connections 64] [--workers 2] [--json]

It deploys the portal on loopback the way README "Running in production" does, from deploy/:

1. a scratch database (a SQLite file in a temporary folder, or ``--database-url``), ``migrate``,
   ``collectstatic`` and ``load_demo`` (the demo's documents, and the two seed reports when
   ``../shared/seeds`` is there, imported and published: every published file is rendered then);
2. the publishing time of the largest published revision, published again (a new revision: its
   search entries and every download and page rendered and stored), in a transaction rolled back;
3. ``portal_export`` of that municipality into a folder;
4. gunicorn with deploy/gunicorn.conf.py and production settings (``--workers``, default 2), and
   nginx with deploy/nginx/*.conf.in (published files sent on the app's ``X-Accel-Redirect``),
   plus two plain static nginx sites: the export, and a folder holding the exact bytes the app
   answers for each target (the limit);
5. ``wrk -t2 -c64 -d8s --latency`` (the best of two runs) on each target (a report page, a PDF download, the index, a
   search) through each way in: the app alone, the app behind nginx, the export behind nginx,
   nginx serving the same bytes as a file;
6. the resident memory of each gunicorn worker after the load.

Prints requests/s, p50 and p99 and the share of the limit per row, and the targets of issue 12
with ✓ or ✗. wrk and the load run on the same 2 cores as the servers: the figures are relative
to each other (the limit is measured in the same run), not absolute. The search has no static
twin (the export searches in the browser): its rows compare the app with nginx sending the
same result page.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
SEARCH_TERM = "推進"

TARGETS = {
    "report": "a published report page",
    "pdf": "its PDF download",
    "index": "the portal index",
    "search": f"a search (「{SEARCH_TERM}」)",
}
WAYS = {
    "app": "gunicorn alone",
    "app+nginx": "gunicorn behind nginx",
    "export": "static export, nginx",
    "limit": "nginx, same bytes as a file",
}


@dataclass
class Row:
    target: str
    way: str
    url: str
    bytes: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    share_of_limit: float = 0.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return bytes(response.read())


def _wait(url: str) -> None:
    for _attempt in range(300):
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing answers at {url}")


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[1:3])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


# --- inside Django (a child process with the bench's environment) -------------------------------


def inspect_and_publish() -> None:
    """Print the largest published revision and the time to publish it again (rolled back)."""
    import django

    django.setup()
    from django.db import transaction

    from shinchoku.core.audit import Actor
    from shinchoku.documents.schema import document_from_json
    from shinchoku.publishing.models import Artefact, Publication
    from shinchoku.publishing.services import _publish

    pages = Artefact.objects.filter(key="page:ja", publication__is_current=True).select_related(
        "publication__municipality"
    )
    largest = max(pages, key=lambda artefact: artefact.size)
    publication = largest.publication
    assert publication is not None
    timings = []
    for _attempt in range(3):
        with transaction.atomic():
            # The current revision made to differ: publishing the same document again is a new
            # revision, with every search entry, download and page rendered and stored.
            Publication.objects.filter(pk=publication.pk).update(
                document={**publication.document, "unplaced": [{"line": 0, "text": "bench"}]}
            )
            started = time.perf_counter()
            made = _publish(
                municipality=publication.municipality,
                kind=publication.kind,
                fiscal_year=publication.fiscal_year,
                title=publication.title,
                document=document_from_json(
                    {k: v for k, v in publication.document.items() if k != "unplaced"}
                ),
                actor=Actor(label="bench"),
                department=publication.department,
                plan=publication.plan,
                evaluation=publication.evaluation,
            )
            timings.append(time.perf_counter() - started)
            files = made.artefacts.count()
            transaction.set_rollback(True)
    print(
        json.dumps(
            {
                "slug": publication.municipality.slug,
                "code": publication.municipality.code,
                "report": publication.pk,
                "title": publication.title,
                "publish_s": min(timings),
                "files": files,
            }
        )
    )


# --- the bench --------------------------------------------------------------------------------


def _render_conf(template: str, target: Path, values: dict[str, str]) -> None:
    args = [sys.executable, str(ROOT / "deploy" / "render.py"), str(ROOT / "deploy" / "nginx" / template)]
    args += [f"--set={name}={value}" for name, value in values.items()]
    target.write_text(_run(args, dict(os.environ)))


STATIC_SITE = """
server {{
    listen 127.0.0.1:{port};
    root {root};
    access_log {log};
    location / {{ try_files $uri $uri/index.html =404; }}
}}
"""


def _wrk(url: str, duration: int, connections: int) -> tuple[float, float, float, int]:
    out = subprocess.run(
        [WRK, "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> tuple[float, float, float, int]:
    """Requests/s, p50 and p99 in ms, and errors (non-2xx/3xx answers, socket errors)."""

    def ms(label: str) -> float:
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not found:
            return float("nan")
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return (float(rate.group(1)) if rate else 0.0), ms("50"), ms("99"), errors


def _rss_mb(master: int) -> list[float]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        if found:
            sizes.append(int(found.group(1)) / 1024)
    return sizes


def _gunicorn(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("w") as errors:
        return subprocess.Popen(
            [str(BIN / "gunicorn"), "shinchoku.wsgi", "--config", str(ROOT / "deploy" / "gunicorn.conf.py")],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )


def bench(args: argparse.Namespace) -> dict[str, Any]:
    for tool in (NGINX, WRK):
        if not Path(tool).exists():
            raise SystemExit(f"{tool} is missing: apt-get install nginx-light wrk")
    work = Path(tempfile.mkdtemp(prefix="shinchoku-portal-load-"))
    app_port, alone_port, web_port, export_port, limit_port = (_free_port() for _ in range(5))
    artefacts = work / "artefacts"
    env = {
        **{
            k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SHINCHOKU_", "DATABASE_URL"))
        },
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": args.database_url or f"sqlite:///{work / 'db' / 'db.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(work / "static"),
        "DJANGO_MEDIA_ROOT": str(work / "media"),
        "SHINCHOKU_ARTEFACT_ROOT": str(artefacts),
        "SHINCHOKU_ARTEFACT_ACCEL_PREFIX": "/_artefacts/",
        "DJANGO_SECURE_COOKIES": "0",
        "SHINCHOKU_BIND": f"127.0.0.1:{app_port}",
        "SHINCHOKU_WORKERS": str(args.workers),
        "PYTHONPATH": str(ROOT),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    production = {**env, "SHINCHOKU_ENV": "production"}
    started = time.perf_counter()
    _run([*manage, "migrate", "--no-input"], production)
    _run([*manage, "collectstatic", "--no-input"], production)
    # The demo refuses production settings (its accounts have published passwords).
    _run([*manage, "load_demo"], {**env, "SHINCHOKU_ENV": "development"})
    setup_s = time.perf_counter() - started
    info = json.loads(
        _run(
            [sys.executable, "-c", "import bench.portal_load as b; b.inspect_and_publish()"],
            {**production, "DJANGO_SETTINGS_MODULE": "shinchoku.settings"},
        ).splitlines()[-1]
    )
    export = work / "export"
    started = time.perf_counter()
    _run([*manage, "portal_export", "--municipality", info["code"], "-o", str(export)], production)
    export_s = time.perf_counter() - started

    run = work / "nginx"
    run.mkdir()
    limit_root = work / "limit"
    values = {
        "RUN_DIR": str(run),
        "LOG_DIR": str(run),
        "CACHE_DIR": str(run / "cache"),
        "LISTEN": f"127.0.0.1:{web_port}",
        "SERVER_NAME": "127.0.0.1",
        "UPSTREAM": f"127.0.0.1:{app_port}",
        "STATIC_ROOT": str(work / "static"),
        "ARTEFACT_ROOT": str(artefacts),
        "MAX_BODY_MB": "21",
        "NGINX_WORKERS": "auto",
        # As root nginx's workers would run as nobody and could not enter the 0700 temporary folder.
        "NGINX_USER": "user root;" if os.geteuid() == 0 else "",
    }
    _render_conf("nginx.conf.in", run / "nginx.conf", values)
    _render_conf("shinchoku.conf.in", run / "shinchoku.conf", values)
    with (run / "shinchoku.conf").open("a") as conf:
        conf.write(STATIC_SITE.format(port=export_port, root=export, log=run / "export.access.log"))
        conf.write(STATIC_SITE.format(port=limit_port, root=limit_root, log=run / "limit.access.log"))

    # Behind nginx the app names published files (X-Accel-Redirect); alone it sends them itself.
    gunicorns = {
        "behind": _gunicorn(production, work / "gunicorn-behind.log"),
        "alone": _gunicorn(
            {
                **production,
                "SHINCHOKU_ARTEFACT_ACCEL_PREFIX": "",
                "SHINCHOKU_BIND": f"127.0.0.1:{alone_port}",
            },
            work / "gunicorn-alone.log",
        ),
    }
    nginx = subprocess.Popen(
        [NGINX, "-p", str(run), "-c", str(run / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    rows: list[Row] = []
    try:
        app, web = f"http://127.0.0.1:{alone_port}", f"http://127.0.0.1:{web_port}"
        _wait(f"{app}/healthz")
        _wait(f"http://127.0.0.1:{app_port}/healthz")
        _wait(f"{web}/healthz")
        slug, report = info["slug"], info["report"]
        paths = {
            "report": (f"/p/{slug}/reports/{report}/", f"reports/{report}/index.html"),
            "pdf": (f"/p/{slug}/reports/{report}/download.pdf", None),
            "index": (f"/p/{slug}/", "index.html"),
            "search": (f"/p/{slug}/search/?q={urllib.parse.quote(SEARCH_TERM)}", None),
        }
        for target, (path, exported) in paths.items():
            if args.targets and target not in args.targets:
                continue
            body = _get(app + path)
            # The limit: the same bytes as a plain file.
            same = limit_root / target / f"file{'.pdf' if target == 'pdf' else '.html'}"
            same.parent.mkdir(parents=True, exist_ok=True)
            same.write_bytes(body)
            if exported is None and target == "pdf":
                exported = next(
                    str(p.relative_to(export))
                    for p in (export / "reports" / str(report)).iterdir()
                    if p.suffix == ".pdf"
                )
            ways = {
                "app": app + path,
                "app+nginx": web + path,
                "export": f"http://127.0.0.1:{export_port}/{exported}" if exported else None,
                "limit": f"http://127.0.0.1:{limit_port}/{target}/{same.name}",
            }
            for way, url in ways.items():
                if url is None:
                    continue
                size = len(_get(url))
                _wrk(url, 1, args.connections)  # warm: the workers' first requests load the code
                # The best of --rounds runs: other work on the machine only ever slows a run.
                runs = [_wrk(url, args.duration, args.connections) for _round in range(args.rounds)]
                rate, p50, p99, _errors = max(runs)
                errors = sum(run[3] for run in runs)
                rows.append(Row(target, way, url, size, rate, p50, p99, errors))
                if not args.json:
                    print(f"  {target:<7} {way:<10} {rate:>9.0f} req/s  p99 {p99:7.1f} ms", file=sys.stderr)
        rss = _rss_mb(gunicorns["alone"].pid) + _rss_mb(gunicorns["behind"].pid)
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        for process in gunicorns.values():
            process.terminate()
            process.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    limits = {row.target: row.requests_per_s for row in rows if row.way == "limit"}
    for row in rows:
        row.share_of_limit = row.requests_per_s / limits[row.target] if limits.get(row.target) else 0.0
    return {
        "setup_s": setup_s,
        "export_s": export_s,
        "publication": info,
        "rows": rows,
        "rss_mb": rss,
        "duration": args.duration,
        "rounds": args.rounds,
        "partial": bool(args.targets),
        "connections": args.connections,
        "workers": args.workers,
        "database": "PostgreSQL" if args.database_url else "SQLite",
    }


def _targets(result: dict[str, Any]) -> list[tuple[str, bool]]:
    rows = {(row.target, row.way): row for row in result["rows"]}
    report_app, report_nginx = rows[("report", "app")], rows[("report", "app+nginx")]
    report_export, pdf_app = rows[("report", "export")], rows[("pdf", "app")]
    return [
        (
            f"report page, app alone ≥ 10 % of nginx ({report_app.share_of_limit:.0%}), "
            f"p99 < 50 ms ({report_app.p99_ms:.1f} ms)",
            report_app.share_of_limit >= 0.10 and report_app.p99_ms < 50,
        ),
        (
            f"report page through nginx ≥ 50 % ({report_nginx.share_of_limit:.0%})",
            report_nginx.share_of_limit >= 0.50,
        ),
        (
            f"static export equal to nginx ({report_export.share_of_limit:.0%})",
            report_export.share_of_limit >= 0.90,
        ),
        (
            # Its bytes are 4× a page's: compared with what nginx does with the same bytes.
            f"a PDF download costs no more than a page ({pdf_app.share_of_limit:.0%} of nginx "
            f"for its bytes, the page {report_app.share_of_limit:.0%})",
            pdf_app.share_of_limit >= 0.9 * report_app.share_of_limit,
        ),
        (
            f"publishing the largest revision ≤ 1 s ({result['publication']['publish_s']:.2f} s, "
            f"{result['publication']['files']} files)",
            result["publication"]["publish_s"] <= 1.0,
        ),
        (
            f"≤ 150 MB per worker after the load ({max(result['rss_mb']):.0f} MB)",
            max(result["rss_mb"]) <= 150,
        ),
    ]


def report(result: dict[str, Any]) -> str:
    info = result["publication"]
    lines = [
        f"Portal under load: wrk -t2 -c{result['connections']} -d{result['duration']}s --latency "
        f"(best of {result['rounds']}), "
        f"gunicorn {result['workers']} workers (deploy/gunicorn.conf.py), production settings, "
        f"{result['database']}; "
        f"nginx from deploy/.",
        f"Report: {info['title']} (/p/{info['slug']}/reports/{info['report']}/)",
        "",
        f"{'target':<34} {'way in':<29} {'bytes':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'of limit':>8} {'errors':>6}",
    ]
    for row in result["rows"]:
        lines.append(
            f"{TARGETS[row.target]:<34} {WAYS[row.way]:<29} {row.bytes:>9,} {row.requests_per_s:>9,.0f} "
            f"{row.p50_ms:>8.2f} {row.p99_ms:>8.2f} {row.share_of_limit:>8.0%} {row.errors:>6}"
        )
    lines += [
        "",
        f"gunicorn workers' RSS after the load: {', '.join(f'{mb:.0f} MB' for mb in result['rss_mb'])}",
        f"Publishing the largest revision again: {info['publish_s'] * 1000:.0f} ms ({info['files']} files)",
        f"portal_export of {info['slug']}: {result['export_s']:.1f} s; set-up {result['setup_s']:.0f} s",
        "",
    ]
    if not result["partial"]:
        lines += ["Targets (issue 12):"]
        lines += [f"  {'✓' if ok else '✗'} {text}" for text, ok in _targets(result)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds of wrk per row (8)")
    parser.add_argument("--connections", type=int, default=64, help="wrk's open connections (64)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--rounds", type=int, default=2, help="runs per row, the best kept (2)")
    parser.add_argument(
        "--targets", type=lambda v: v.split(","), default=[], help=f"only these of {','.join(TARGETS)}"
    )
    parser.add_argument("--database-url", help="a scratch PostgreSQL database (default: a SQLite file)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = bench(args)
    if args.json:
        print(json.dumps({**result, "rows": [asdict(row) for row in result["rows"]]}, indent=2))
    else:
        print(report(result))
    return 0 if result["partial"] or all(ok for _text, ok in _targets(result)) else 1


if __name__ == "__main__":
    sys.exit(main())

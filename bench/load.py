"""Load: many simulated users at once against gunicorn + PostgreSQL, on loopback.

    .venv/bin/python bench/load.py [--users 200] [--duration 60] [--workers N] [--think 0] [--json]
    .venv/bin/python bench/load.py --base-url http://127.0.0.1:8000 --users 5 --duration 3

Without ``--base-url`` it sets everything up itself, as an operator would (README,
"Running in production"), and takes it down afterwards:

1. PostgreSQL from ``scripts/pg.sh start`` (left running if it already was; stopped at
   the end if this script started it and nobody else is connected), and a scratch
   database ``shinchoku_bench_load`` created with psycopg (dropped at the end unless
   ``--keep``), so the test suite's databases are never touched;
2. ``migrate`` and ``load_demo`` (the demo accounts and documents; ``load_demo`` only runs
   with ``SHINCHOKU_ENV=development``, so these two steps run in development mode);
3. ``collectstatic`` (into a temporary folder) and ``check --deploy`` with
   ``SHINCHOKU_ENV=production``, then gunicorn with the same production settings, bound to
   127.0.0.1 on a free port with ``--workers`` sync workers (default ``2 × cores + 1``,
   gunicorn's own advice; the README gives no number). Production settings as documented
   with three loopback-only differences: ``DJANGO_ALLOWED_HOSTS=127.0.0.1``,
   ``DJANGO_SECURE_COOKIES=0`` (the run is plain HTTP on loopback, with no TLS proxy in
   front: secure cookies would never come back from a browser) and
   ``DJANGO_EMAIL_BACKEND=…dummy`` (there is no SMTP server; opening a round mails people).

With ``--base-url`` it drives a server that is already running and already holds the demo
data (``load_demo``); the test suite does this against its live server.

Then, before the clock starts, the planning section's demo account ``kikaku`` opens a
guideline-progress round of みどり市 for the year after its demo report (through the real
two-step form; an open one is reused) and ``tanto`` prefills the request of 企画政策課.

The run: ``--users`` simulated users (default 200) start over the first ``--ramp`` seconds of
``--duration`` seconds (default 60) and act until it ends (a request under way when the time is up is finished and counted).
Each has its own connection and cookie jar, like a browser. ``--staff-share`` of them are staff:

- citizens, no log-in: the portal index, a report page, a download (CSV, JSON, XLSX or PDF),
  a search with Japanese words from the demo documents (sometimes with a year filter),
  the achievement summary;
- staff log in once through the real log-in form (CSRF token and cookie) with the demo
  accounts, keep the session cookie and, by role:
  - ``tanto``/``kacho`` (the section's staff and head): their home page ``/my/``, the rounds
    board, their section's request, and they **save**: each adds an entry of its own once
    (「追加」) and then saves new text into it again and again, through the forms' htmx POST
    (``HX-Request``, CSRF token in the form and the header) carrying the entry's version, as
    the browser does; a save must answer 200 with the text saved (a 409 conflict is an
    error here: nobody else edits that entry);
  - ``bucho`` (department head): ``/my/``, the goal declarations, a declaration, evaluation;
  - ``kikaku`` (planning section): ``/my/``, the rounds board, the round's board, evaluation;
  - ``etsuran`` (read-only viewer): ``/my/`` and the portal.

``--think`` seconds (±50 %) between requests; 0 (the default) is a stress run.

A sample is what a user waits for: a request and the redirects it leads to. An error is a
status other than the expected one (200 after redirects), a page that is not what it should
be (the log-in form again, a save whose text is not there), an exception or a timeout
(``--timeout``). Prints per page kind: requests, errors, p50/p95/p99/max in ms, and the
totals with requests per second, how busy the machine was, the exceptions in gunicorn's log,
and a warning if PostgreSQL restarted during the run (``scripts/pg.sh``'s cluster is shared:
another ``make test-postgres`` stops it); ``--json`` prints the figures as JSON. Exits 1 if
any error occurred, 2 if the set-up failed.

The simulated users add entries (marked 負荷試験) to the round: with ``--base-url`` they stay
in that server's database.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DATABASE = "shinchoku_bench_load"
MUNICIPALITY = "midori"  # the fictional city: always in the demo
SECTION = "企画政策課"  # the demo section of tanto and kacho in みどり市
ROUND_TITLE = "負荷試験の照会（bench/load.py）"

# The demo accounts, as `load_demo` prints them (shinchoku/demo/loader.py).
PASSWORDS = {
    "tanto": "demo-tanto-2026",
    "kacho": "demo-kacho-2026",
    "bucho": "demo-bucho-2026",
    "kikaku": "demo-kikaku-2026",
    "etsuran": "demo-etsuran-2026",
}
# Staff personas in turn: most staff are section staff who write; a few heads and readers.
STAFF_CYCLE = ["tanto", "kacho", "tanto", "bucho", "kikaku", "tanto", "etsuran", "kacho"]
EDITORS = {"tanto", "kacho"}

# Words citizens type, from the demo documents (みどり市's, and 伊勢原市's seeds when loaded).
SEARCH_TERMS = {
    "midori": ["市民協働", "パブリックコメント", "市民意識調査", "企画政策課", "子育て", "公募委員", "環境"],
    "isehara": ["パブリックコメント", "市債残高", "市民協働課", "財政", "広報"],
}
DOWNLOAD_WEIGHTS = {"csv": 35, "json": 20, "xlsx": 25, "pdf": 20}


# --- one simulated browser -------------------------------------------------------------------


class PageError(Exception):
    """The page answered, but not what the user should have got."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


@dataclass
class Response:
    status: int
    path: str  # after redirects
    body: str
    headers: dict[str, str]


@dataclass
class Sample:
    kind: str
    ms: float
    error: str = ""


class Browser:
    """One user's connection and cookie jar; follows redirects like a browser."""

    def __init__(self, base_url: str, timeout: float, samples: list[Sample] | None = None):
        parts = urlsplit(base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.samples = samples if samples is not None else []
        self.connection: http.client.HTTPConnection | None = None

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Response:
        sent = {"Host": f"{self.host}:{self.port}", "Accept-Language": "ja", **headers}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        while True:
            reused = self.connection is not None
            connection = self.connection or http.client.HTTPConnection(
                self.host, self.port, timeout=self.timeout
            )
            self.connection = connection
            try:
                connection.request(method, path, body=body, headers=sent)
                raw = connection.getresponse()
                data = raw.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                connection.close()
                self.connection = None
                if not reused:
                    raise
                # A kept-alive connection the server closed meanwhile: a browser opens another.
        if raw.getheader("Connection", "").lower() == "close":
            connection.close()
            self.connection = None
        for header, value in raw.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookie_value = rest.split(";", 1)[0]
                if "max-age=0" in value.lower() or not cookie_value or cookie_value == '""':
                    self.cookies.pop(name.strip(), None)
                else:
                    self.cookies[name.strip()] = cookie_value
        return Response(
            raw.status, path, data.decode("utf-8", "replace"), {k.lower(): v for k, v in raw.getheaders()}
        )

    def fetch(
        self,
        path: str,
        data: list[tuple[str, str]] | None = None,
        *,
        htmx: bool = False,
        expect: int = 200,
    ) -> Response:
        """GET (or POST ``data``, form-encoded) and follow redirects; raise on another status."""
        method = "POST" if data is not None else "GET"
        body = urlencode(data).encode() if data is not None else None
        headers: dict[str, str] = {}
        if data is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        if htmx:
            headers["HX-Request"] = "true"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        response = self._send(method, path, body, headers)
        for _hop in range(5):
            if response.status not in (301, 302, 303, 307, 308):
                break
            path = urljoin(path, response.headers["location"])
            if path.startswith(self.origin):
                path = path[len(self.origin) :]
            response = self._send("GET", path, None, {})
        if response.status != expect:
            raise PageError(f"HTTP {response.status} {method} {path}", response.status)
        return response

    def timed(self, kind: str, action: Callable[[], Response]) -> Response | None:
        """Run ``action``, record a sample (an error if it raised), return its response or None."""
        start = time.perf_counter()
        try:
            response = action()
        except PageError as error:
            self.samples.append(Sample(kind, (time.perf_counter() - start) * 1000, str(error)))
            return None
        except (OSError, http.client.HTTPException) as error:
            if self.connection is not None:
                self.connection.close()
                self.connection = None
            label = "timeout" if isinstance(error, TimeoutError | socket.timeout) else type(error).__name__
            self.samples.append(Sample(kind, (time.perf_counter() - start) * 1000, f"{label}: {error}"))
            return None
        self.samples.append(Sample(kind, (time.perf_counter() - start) * 1000))
        return response

    def log_in(self, username: str) -> Response:
        page = self.fetch("/login/")
        form = only_form(page.body, lambda f: "password" in f.names())
        form.set("username", username)
        form.set("password", PASSWORDS[username])
        done = self.fetch(form.action or "/login/", form.data())
        if done.path.startswith("/login/") or "sessionid" not in self.cookies:
            raise PageError(f"log-in of {username} did not succeed (still on {done.path})")
        return done


# --- forms, read the way a browser reads them -------------------------------------------------


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    submits: list[tuple[str, str]] = field(default_factory=list)  # buttons with a name

    def names(self) -> set[str]:
        return {name for name, _ in self.fields}

    def set(self, name: str, value: str) -> None:
        self.fields = [(n, v) for n, v in self.fields if n != name] + [(name, value)]

    def data(self, button: str | None = None) -> list[tuple[str, str]]:
        pressed = [(n, v) for n, v in self.submits if n == button]
        return self.fields + pressed


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(action=a.get("action", "")))
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.fields.append((name, a.get("value", "on")))
            elif kind == "submit":
                form.submits.append((name, a.get("value", "")))
            else:
                form.fields.append((name, a.get("value", "")))
        elif tag == "button" and name:
            form.submits.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None and self.forms:
            self.forms[-1].fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None and self.forms:
            chosen = [v for v, selected in self._options if selected] or [v for v, _ in self._options[:1]]
            self.forms[-1].fields.extend((self._select, v) for v in chosen)
            self._select = None


def page_forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def only_form(html: str, test: Callable[[Form], bool]) -> Form:
    found = [f for f in page_forms(html) if test(f)]
    if not found:
        raise PageError("the expected form is not on the page")
    return found[0]


# --- what the users find: discovered once before the run --------------------------------------


@dataclass
class Site:
    reports: list[str]  # portal report paths
    downloads: dict[str, list[str]]  # format -> download paths
    searches: list[str]  # search paths
    summaries: list[str]
    indexes: list[str]
    request_path: str  # 企画政策課's request in the bench round
    rows: list[str]  # its row ids, where editors add their entries
    round_path: str
    declarations: list[str]  # goal declaration pages of みどり市
    evaluation: list[str]
    run: str = field(default_factory=lambda: secrets.token_hex(3))  # marks this run's entries


def _links(html: str, pattern: str) -> list[str]:
    return sorted({unescape(m) for m in re.findall(pattern, html)})


def discover(base_url: str, timeout: float) -> Site:
    """Walk the portal, and open the bench round as the planning section (not timed)."""
    browser = Browser(base_url, timeout)
    indexes, reports, searches, summaries = [], [], [], []
    downloads: dict[str, list[str]] = defaultdict(list)
    for slug, terms in SEARCH_TERMS.items():
        try:
            index = browser.fetch(f"/p/{slug}/")
        except PageError as error:
            if error.status == 404:
                continue  # 伊勢原市 is only there when the seeds were loaded
            raise SystemExit(f"The portal does not answer: {error}") from None
        indexes.append(f"/p/{slug}/")
        summaries.append(f"/p/{slug}/summary/")
        found = _links(index.body, rf'href="(/p/{slug}/reports/\d+/)"')
        reports += found
        for report in found:
            page = browser.fetch(report)
            for link in _links(page.body, rf'href="({re.escape(report)}download\.[a-z]+[^"]*)"'):
                downloads[link.split("download.", 1)[1].split("?", 1)[0]].append(link)
        years = sorted(set(re.findall(r'<option value="(\d{4})"', browser.fetch(f"/p/{slug}/search/").body)))
        for term in terms:
            searches.append(f"/p/{slug}/search/?{urlencode({'q': term})}")
            for year in years:
                searches.append(f"/p/{slug}/search/?{urlencode({'q': term, 'year': year})}")
    if not reports or not searches:
        raise SystemExit(f"No published report on the portal of {base_url}: was load_demo run?")

    planner = Browser(base_url, timeout)
    planner.log_in("kikaku")
    round_path, section_pk = _open_round(planner)
    request_path = f"{round_path}sections/{section_pk}/"
    editor = Browser(base_url, timeout)
    editor.log_in("tanto")
    page = editor.fetch(request_path)
    prefill = [f for f in page_forms(page.body) if f.action.endswith("/prefill/")]
    if prefill:  # idempotent: what was carried once is not carried again
        page = editor.fetch(prefill[0].action, prefill[0].data())
    rows = _links(page.body, r'<section class="initiative-row" id="row-(\d+)">')
    if not rows or "/entries/" not in page.body:
        raise SystemExit(f"The request {request_path} has no row to write in.")
    declarations = _links(
        planner.fetch(f"/m/{MUNICIPALITY}/declarations/?year=2024").body,
        rf'href="(/m/{MUNICIPALITY}/declarations/\d+/)"',
    )
    evaluation = [f"/m/{MUNICIPALITY}/evaluation/", f"/m/{MUNICIPALITY}/evaluation/2024/"]
    return Site(
        reports=reports,
        downloads=dict(downloads),
        searches=searches,
        summaries=summaries,
        indexes=indexes,
        request_path=request_path,
        rows=rows,
        round_path=round_path,
        declarations=declarations,
        evaluation=evaluation,
    )


def _open_round(planner: Browser) -> tuple[str, str]:
    """The guideline-progress round of みどり市 for the year after its report: opened through
    the two-step form, or the open one found on the board. Returns its path and the section's pk."""
    board = planner.fetch(f"/m/{MUNICIPALITY}/rounds/")
    new = f"/m/{MUNICIPALITY}/rounds/new/"
    first = planner.fetch(new).body
    form = only_form(first, lambda f: "kind" in f.names())
    form.set("kind", "guideline_progress")
    form.set("fiscal_year", "2025")  # the demo report has the results of 2024 and the plans for 2025
    options = first.split('name="plan"', 1)[1].split("</select>", 1)[0]
    # The guideline (the demo's 総合計画 is offered too, for its 施策評価).
    plans = re.findall(r'<option value="(\d+)"[^>]*>[^<]*指針[^<]*</option>', options)
    form.set("plan", plans[0])
    second = planner.fetch(new, form.data("choose"))
    match = re.search(
        rf'name="sections" value="(\d+)" id="section-\d+"[^>]*>\s*<label[^>]*>{SECTION}<', second.body
    )
    if match is None:
        raise SystemExit(f"{SECTION} is not offered in the round form.")
    section_pk = match.group(1)
    # A round this script opened before (a server driven again with --base-url): reuse it.
    earlier = re.search(rf'<a href="(/m/{MUNICIPALITY}/rounds/\d+/)">{ROUND_TITLE}</a>', board.body)
    if earlier is not None:
        return earlier.group(1), section_pk
    form = only_form(second.body, lambda f: "deadline" in f.names())
    form.set("title", ROUND_TITLE)
    form.set("deadline", (datetime.date.today() + datetime.timedelta(days=30)).isoformat())
    if section_pk not in [v for n, v in form.fields if n == "sections"]:
        form.fields.append(("sections", section_pk))
    opened = planner.fetch(new, form.data("open"))
    if re.fullmatch(rf"/m/{MUNICIPALITY}/rounds/\d+/", opened.path):
        return opened.path, section_pk
    raise SystemExit(f"Could not open the bench round (the form answered on {opened.path}).")


# --- the simulated users ----------------------------------------------------------------------


class User:
    def __init__(self, number: int, site: Site, args: argparse.Namespace, deadline: float):
        self.number = number
        self.site = site
        self.deadline = deadline
        self.think = args.think
        self.rng = random.Random(args.seed * 100_003 + number)
        self.browser = Browser(args.base_url, args.timeout)

    def alive(self) -> bool:
        return time.monotonic() < self.deadline

    def pause(self) -> None:
        if self.think > 0:
            time.sleep(self.think * self.rng.uniform(0.5, 1.5))

    def get(self, kind: str, path: str) -> Response | None:
        if not self.alive():
            return None
        response = self.browser.timed(kind, lambda: self.browser.fetch(path))
        self.pause()
        return response

    def run(self) -> None:
        raise NotImplementedError


class Citizen(User):
    def run(self) -> None:
        site, rng = self.site, self.rng
        formats = [f for f in DOWNLOAD_WEIGHTS if f in site.downloads]
        while self.alive():
            self.get("portal index", rng.choice(site.indexes))
            self.get("portal report", rng.choice(site.reports))
            if rng.random() < 0.5:
                fmt = rng.choices(formats, [DOWNLOAD_WEIGHTS[f] for f in formats])[0]
                self.get(f"download {fmt}", rng.choice(site.downloads[fmt]))
            if rng.random() < 0.6:
                self.get("portal search", rng.choice(site.searches))
            if rng.random() < 0.2:
                self.get("portal summary", rng.choice(site.summaries))


class Staff(User):
    def __init__(self, username: str, *args: object, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.username = username
        self.marker = f"負荷試験{self.site.run} 利用者{self.number}（{username}）"
        self.entry: tuple[str, str] | None = None  # (edit path, version)
        self.saves = 0

    def run(self) -> None:
        browser = self.browser
        if browser.timed("log in", lambda: browser.log_in(self.username)) is None:
            return  # counted as an error; without a session there is nothing else to do
        self.pause()
        site = self.site
        while self.alive():
            self.get("staff /my/", "/my/")
            if self.username in EDITORS:
                self.get("staff rounds board", f"/m/{MUNICIPALITY}/rounds/")
                page = self.get("staff request page", site.request_path)
                if page is not None and self.alive():
                    self.save(page)
            elif self.username == "bucho":
                self.get("staff declarations", f"/m/{MUNICIPALITY}/declarations/?year=2024")
                if site.declarations:
                    self.get("staff declaration", self.rng.choice(site.declarations))
                self.get("staff evaluation", self.rng.choice(site.evaluation))
            elif self.username == "kikaku":
                self.get("staff rounds board", f"/m/{MUNICIPALITY}/rounds/")
                self.get("staff round board", site.round_path)
                self.get("staff evaluation", self.rng.choice(site.evaluation))
            else:
                self.get("portal index", self.rng.choice(site.indexes))
                self.get("portal report", self.rng.choice(site.reports))

    def save(self, page: Response) -> None:
        """Add this user's entry once, then save a new text into it (htmx POST, as the browser)."""
        browser = self.browser
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if csrf is None:
            browser.samples.append(Sample("staff save entry", 0.0, "no CSRF token on the request page"))
            return
        token = csrf.group(1)
        if self.entry is None:
            row = self.site.rows[self.number % len(self.site.rows)]
            action = f"{self.site.request_path}rows/{row}/entries/"
            data = [("csrfmiddlewaretoken", token), ("kind", "result"), ("text", self.marker)]
            fragment = browser.timed("staff add entry", lambda: self._checked(action, data, self.marker))
        else:
            # まとめて保存: the page's one form, with this user's entry changed (as entries.js sends it).
            self.saves += 1
            text = f"{self.marker} 保存{self.saves}回目"
            pk, version = self.entry
            data = [("csrfmiddlewaretoken", token), (f"version-{pk}", version), (f"text-{pk}", text)]
            action = f"{self.site.request_path}entries/save/"
            fragment = browser.timed("staff save entry", lambda: self._checked(action, data, text))
        if fragment is not None:
            self.entry = _own_entry(fragment.body, self.marker)
        self.pause()

    def _checked(self, action: str, data: list[tuple[str, str]], text: str) -> Response:
        response = self.browser.fetch(action, data, htmx=True)
        if text not in response.body or _own_entry(response.body, self.marker) is None:
            raise PageError(f"saved text not in the answer of POST {action}")
        return response


# An entry of the one form of the request page: its version field, then its box.
_ENTRY_FORM = re.compile(
    r'name="version-(\d+)" value="(\d+)".*?<textarea id="entry-text-\1" name="text-\1"[^>]*>([^<]*)</textarea>',
    re.S,
)


def _own_entry(html: str, marker: str) -> tuple[str, str] | None:
    """The id and version of the entry whose text starts with ``marker``."""
    for pk, version, text in _ENTRY_FORM.findall(html):
        if unescape(text).lstrip("\n").startswith(marker):
            return pk, version
    return None


def drive(site: Site, args: argparse.Namespace) -> tuple[list[Sample], float, dict[str, int]]:
    """Run the users; return the samples, the measured seconds and how many of each persona ran."""
    staff_count = round(args.users * args.staff_share)
    start = time.monotonic()
    deadline = start + args.duration  # the ramp is the first part of it
    users: list[User] = []
    personas: Counter[str] = Counter()
    for number in range(args.users):
        if number < staff_count:
            username = STAFF_CYCLE[number % len(STAFF_CYCLE)]
            users.append(Staff(username, number, site, args, deadline))
            personas[username] += 1
        else:
            users.append(Citizen(number, site, args, deadline))
            personas["citizen"] += 1
    # Interleave staff and citizens in the start order so that both ramp up together.
    order = sorted(range(len(users)), key=lambda i: (i * 7919) % len(users))
    threads = []

    def start_later(user: User, delay: float) -> None:
        time.sleep(delay)
        user.run()

    for position, i in enumerate(order):
        delay = args.ramp * position / max(1, len(users))
        thread = threading.Thread(target=start_later, args=(users[i], delay), daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + args.timeout * 3 + 10)
    elapsed = time.monotonic() - start
    samples = [s for user in users for s in user.browser.samples]
    return samples, elapsed, dict(personas)


# --- figures ----------------------------------------------------------------------------------


def _percentile(sorted_ms: list[float], share: float) -> float:
    if not sorted_ms:
        return 0.0
    return sorted_ms[min(len(sorted_ms) - 1, max(0, round(share * len(sorted_ms) + 0.5) - 1))]


def summarise(samples: list[Sample], elapsed: float) -> dict[str, object]:
    kinds: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        kinds[sample.kind].append(sample)
    rows = {}
    for kind in sorted(kinds):
        ms = sorted(s.ms for s in kinds[kind])
        errors = Counter(s.error for s in kinds[kind] if s.error)
        rows[kind] = {
            "requests": len(ms),
            "errors": sum(errors.values()),
            "p50_ms": round(_percentile(ms, 0.50), 1),
            "p95_ms": round(_percentile(ms, 0.95), 1),
            "p99_ms": round(_percentile(ms, 0.99), 1),
            "max_ms": round(ms[-1], 1),
            "error_kinds": dict(errors.most_common(5)),
        }
    all_ms = sorted(s.ms for s in samples)
    return {
        "kinds": rows,
        "total": {
            "requests": len(samples),
            "errors": sum(1 for s in samples if s.error),
            "p50_ms": round(_percentile(all_ms, 0.50), 1),
            "p95_ms": round(_percentile(all_ms, 0.95), 1),
            "p99_ms": round(_percentile(all_ms, 0.99), 1),
            "max_ms": round(all_ms[-1], 1) if all_ms else 0.0,
            "seconds": round(elapsed, 1),
            "requests_per_second": round(len(samples) / elapsed, 1) if elapsed else 0.0,
        },
    }


def print_table(summary: dict[str, object], heading: str) -> None:
    print(heading)
    kinds: dict[str, dict[str, object]] = summary["kinds"]  # type: ignore[assignment]
    total: dict[str, object] = summary["total"]  # type: ignore[assignment]
    width = max([len(k) for k in kinds] + [5])
    print(
        f"  {'kind':<{width}} {'requests':>9} {'errors':>7} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}  (ms)"
    )
    for kind, row in [*kinds.items(), ("total", total)]:
        print(
            f"  {kind:<{width}} {row['requests']:>9} {row['errors']:>7} {row['p50_ms']:>8} "
            f"{row['p95_ms']:>8} {row['p99_ms']:>8} {row['max_ms']:>8}"
        )
    print(
        f"  {total['requests']} requests in {total['seconds']} s: {total['requests_per_second']} requests/s"
    )
    for kind, row in kinds.items():
        for message, count in row["error_kinds"].items():  # type: ignore[attr-defined]
            print(f"  error ({kind}) ×{count}: {message}")


# --- setting up: PostgreSQL, the database, gunicorn -------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _pg_url(database: str) -> str:
    url = subprocess.run([str(ROOT / "scripts" / "pg.sh"), "url"], capture_output=True, text=True, check=True)
    return url.stdout.strip().rsplit("/", 1)[0] + "/" + database


def _pg_reachable(url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


def _pg_started_at(url: str) -> str:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as connection:
            row = connection.execute("SELECT pg_postmaster_start_time()::text").fetchone()
    except psycopg.OperationalError as error:
        return f"unreachable: {error}"
    return str(row[0]) if row else ""


def _manage(env: dict[str, str], *command: str) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *command], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")


@contextmanager
def own_server(args: argparse.Namespace) -> Iterator[str]:
    """PostgreSQL, a scratch database with the demo, and gunicorn in production mode; yields its URL."""
    import psycopg

    admin_url = _pg_url("postgres")
    started_pg = False
    if not _pg_reachable(admin_url):
        subprocess.run([str(ROOT / "scripts" / "pg.sh"), "start"], check=True)
        started_pg = True
    database_url = _pg_url(DATABASE)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    workdir = Path(tempfile.mkdtemp(prefix="shinchoku-load-"))
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SHINCHOKU_", "DATABASE_"))}
    development = {**base, "SHINCHOKU_ENV": "development", "DATABASE_URL": database_url}
    production = {
        **base,
        "SHINCHOKU_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    server: subprocess.Popen[bytes] | None = None
    log = workdir / "gunicorn.log"
    try:
        step = time.perf_counter()
        _manage(development, "migrate", "--no-input")
        _manage(development, "load_demo")
        _manage(production, "collectstatic", "--no-input")
        _manage(production, "check", "--deploy")
        port = _free_port()
        command = [
            str(BIN / "gunicorn"),
            "shinchoku.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--error-logfile",
            str(log),
        ]
        with log.open("wb") as sink:
            server = subprocess.Popen(command, env=production, cwd=ROOT, stdout=sink, stderr=sink)
        url = f"http://127.0.0.1:{port}"
        for _attempt in range(200):
            try:
                Browser(url, 5).fetch("/login/")
                break
            except (OSError, PageError):
                if server.poll() is not None:
                    raise SystemExit(f"gunicorn stopped:\n{log.read_text()[-3000:]}") from None
                time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not answer")
        print(
            f"set-up: PostgreSQL database {DATABASE}, migrate, load_demo, collectstatic, check --deploy "
            f"in {time.perf_counter() - step:.1f} s; gunicorn --workers {args.workers} --threads {args.threads} "
            f"on {url} (SHINCHOKU_ENV=production)",
            file=sys.stderr,
        )
        args.pg_admin_url = admin_url
        yield url
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
            # What the server logged: the exceptions behind the 500s, by kind.
            exceptions = Counter(
                line[:200]
                for line in log.read_text(errors="replace").splitlines()
                if re.match(r"(\w+\.)+\w*(Error|Exception|Violation)\b", line)
            )
            if exceptions:
                print(f"gunicorn's log ({log}) has these exceptions:", file=sys.stderr)
                for line, count in exceptions.most_common(8):
                    print(f"  ×{count} {line}", file=sys.stderr)
        _clean_up(args.keep, started_pg, admin_url, database_url, workdir)


def _clean_up(keep: bool, started_pg: bool, admin_url: str, database_url: str, workdir: Path) -> None:
    """Drop the scratch database, and stop PostgreSQL if this script started it and nobody else uses it."""
    import psycopg

    if keep:
        print(f"kept: database {database_url}, gunicorn log {workdir / 'gunicorn.log'}", file=sys.stderr)
        return
    shutil.rmtree(workdir, ignore_errors=True)
    try:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            others = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                "AND pid <> pg_backend_pid()"
            ).fetchone()
    except psycopg.OperationalError as error:
        print(f"Could not drop the database {DATABASE}: {error}", file=sys.stderr)
        return
    if started_pg:
        if others and others[0]:
            print("PostgreSQL left running: somebody else is connected to it.", file=sys.stderr)
        else:
            subprocess.run([str(ROOT / "scripts" / "pg.sh"), "stop"], check=False)


# --- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=200, help="simulated users (200)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load, ramp included (60)")
    parser.add_argument("--ramp", type=float, default=5.0, help="the users start over this many seconds (5)")
    parser.add_argument("--staff-share", type=float, default=0.3, help="share of users who are staff (0.3)")
    parser.add_argument("--think", type=float, default=0.0, help="think time between requests, s (0)")
    parser.add_argument("--timeout", type=float, default=30.0, help="a request slower than this fails (30 s)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (1: sync)")
    parser.add_argument("--base-url", help="drive this running server (with the demo data) instead")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database and PostgreSQL")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the users' choices")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    args.own_server = args.base_url is None
    if args.users < 1 or args.duration <= 0 or not 0 <= args.staff_share <= 1:
        parser.error("--users ≥ 1, --duration > 0 and 0 ≤ --staff-share ≤ 1")
    return args


def run(args: argparse.Namespace) -> dict[str, object]:
    """Discover the site, drive the users, return the summary (also used by the test)."""
    try:
        site = discover(args.base_url, args.timeout)
    except (PageError, OSError, http.client.HTTPException) as error:
        raise SystemExit(f"Preparing the run against {args.base_url} failed: {error}") from None
    load_before = os.getloadavg()[0]
    cpu_before = time.process_time()
    pg_admin_url = getattr(args, "pg_admin_url", None)
    pg_started = _pg_started_at(pg_admin_url) if pg_admin_url else None
    samples, elapsed, personas = drive(site, args)
    summary = summarise(samples, elapsed)
    if pg_admin_url:
        # scripts/pg.sh's cluster is shared: somebody's `make test-postgres` may stop it under us.
        summary["postgresql_restarted"] = _pg_started_at(pg_admin_url) != pg_started
    # The machine is shared with the load generator (and maybe others): say how busy it was.
    summary["machine"] = {
        "cores": os.cpu_count(),
        "load_average_1min_before": round(load_before, 2),
        "load_average_1min_after": round(os.getloadavg()[0], 2),
        "generator_cpu_s": round(time.process_time() - cpu_before, 1),
    }
    summary["setup"] = {
        "base_url": args.base_url,
        "users": args.users,
        "personas": personas,
        "duration_s": args.duration,
        "ramp_s": args.ramp,
        "think_s": args.think,
        "workers": None if args.own_server is False else args.workers,
        "threads": None if args.own_server is False else args.threads,
    }
    return summary


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.base_url:
            summary = run(args)
        else:
            with own_server(args) as url:
                args.base_url = url
                summary = run(args)
    except SystemExit as stop:
        if isinstance(stop.code, str):
            print(stop.code, file=sys.stderr)
            return 2
        raise
    setup: dict[str, object] = summary["setup"]  # type: ignore[assignment]
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        server = "gunicorn + PostgreSQL" if args.own_server else args.base_url
        print_table(
            summary,
            f"{args.users} users ({setup['personas']}) for {args.duration:g} s "
            f"(ramp {args.ramp:g} s), think {args.think:g} s, against {server}"
            + (f", {args.workers} workers × {args.threads} threads" if args.own_server else ""),
        )
        machine: dict[str, object] = summary["machine"]  # type: ignore[assignment]
        print(
            f"  machine: {machine['cores']} cores, load average {machine['load_average_1min_before']} before, "
            f"{machine['load_average_1min_after']} after; the load generator used "
            f"{machine['generator_cpu_s']} s of CPU"
        )
    if summary.get("postgresql_restarted"):
        print(
            "WARNING: PostgreSQL was stopped or restarted during the run (not by this script; "
            "scripts/pg.sh's cluster is shared): errors while it was down are not the application's.",
            file=sys.stderr,
        )
    total: dict[str, int] = summary["total"]  # type: ignore[assignment]
    return 1 if total["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Screenshots of every staff and portal page of a Shinchoku checkout (issue 10).

Usage::

    scripts/page_screenshots.py --checkout DIR --out OUTDIR --port PORT

What it does, in order:

1. Gives the checkout DIR a fresh SQLite database (and media, backup, static and
   published-file directories: every DIR/var/ default the settings let the environment
   override) in a temporary directory, so nothing under DIR/var/ is touched:
   ``manage.py migrate --no-input`` then ``manage.py load_demo``, whose output lists
   the demo accounts (user name, password, role).
2. Starts ``manage.py runserver 127.0.0.1:PORT --noreload`` (development settings,
   DEBUG on, so the static files are served too) and waits until it answers.
3. Goes through a few forms first (class Scenario; --no-scenario leaves it out), since the
   demo alone has no collection round and no upload awaiting confirmation: as kikaku, two
   uploads left unconfirmed (a report, the organisation master) and three rounds opened;
   as tanto, a guideline answer prefilled and submitted; as kacho, sent back with a comment.
   The crawl that follows is GET only.
4. For the citizen (not logged in) and then each demo persona, in the order
   citizen, kikaku, bucho, kacho, tanto, hyoka, etsuran: logs in through /login/,
   then crawls breadth-first from the home page, following same-origin ``<a href>``
   links with GET only. Log-out, the Django admin, the language switch, static
   files and downloads (.pdf/.xlsx/.csv/.json/.zip…, ``format=``/``download``
   queries, answers that are not text/html) are skipped. Pages reached only
   through a form are added where cheap: /login/ itself, and every GET form with
   a search box (the portal search) submitted with a search word (市民 by default), and
   every fiscal-year choice (a GET form's select named …year) submitted once per year.
5. Groups the URLs by pattern (numbers become ``<id>``, four-digit years
   ``<year>``, the municipality slug after /m/ and /p/ ``<slug>``, other codes
   ``<code>``; of the query only the search ``q`` and ``kind`` keys count, without
   their values, so pages and filters of a list are one pattern) and keeps
   ONE screenshot per pattern, by the first persona that reached it with a 2xx
   answer. The home page and "my work" page are kept once per persona, since each
   role sees its own.
6. Writes each screenshot as OUTDIR/<pattern>.jpg (1280 px wide, the whole page but
   at most --max-height px tall, JPEG), and OUTDIR/pages.json:
   ``[{"pattern", "url", "persona", "file", "title"}]``. Pages that answered with an
   error (4xx/5xx) are listed in OUTDIR/errors.json when there are any.

Only the standard library and Playwright (driving Debian's Chromium) are used, so the
script runs with any checkout's virtualenv, old or new; the checkout itself is run
with --python (by default /work/main/.venv/bin/python).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

# --- Settings ---------------------------------------------------------------------------

DEFAULT_PYTHON = "/work/main/.venv/bin/python"
CHROMIUM = os.environ.get("SHINCHOKU_CHROMIUM", "/usr/bin/chromium")
# The same flags as shinchoku/browser.py: no sandbox (we may run as root), and no
# background networking (a closed network refuses Google's hosts many times a second).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Chromium's own words on a page (the file chooser's 「ファイルを選択」) in Japanese, as a
    # Japanese user's browser shows them; the context's locale only sets navigator.language.
    "--lang=ja",
]
VIEWPORT = {"width": 1280, "height": 900}

# The order in which personas crawl: the first one to reach a pattern owns its screenshot.
# "citizen" is nobody logged in; the others are demo accounts printed by load_demo.
PERSONA_ORDER = ["citizen", "kikaku", "bucho", "kacho", "tanto", "hyoka", "etsuran"]
# Used only when load_demo's output cannot be read (the README's table of accounts).
FALLBACK_PASSWORDS = {name: f"demo-{name}-2026" for name in PERSONA_ORDER[1:]}

# Patterns every persona sees differently: one screenshot each, suffixed with the persona.
PER_PERSONA_PATTERNS = {"/", "/my/"}

# Never followed: leaving the session, the Django admin, the language switch, files.
SKIPPED_PREFIXES = ("/logout", "/admin/", "/i18n/", "/static/", "/media/", "/__debug__/")
# Downloads, recognised by the end of the path (…/download.csv, …/report.pdf).
DOWNLOAD_SUFFIXES = (
    ".pdf",
    ".xlsx",
    ".xls",
    ".csv",
    ".json",
    ".zip",
    ".txt",
    ".xml",
    ".docx",
    ".ods",
    ".tsv",
)
# Query keys that ask for a file instead of a page (?format=xlsx, ?download=1).
DOWNLOAD_QUERY_KEYS = {"format", "download", "export"}
# Query keys that make another kind of page, kept in the pattern: a search's results
# (?q=) and the import mapping of one document kind (?kind=). Every other key (pagination,
# a year filter, a prefilled form's values) shows the same page: it is left out, so
# filters and pages of a list do not each get a screenshot.
PATTERN_QUERY_KEYS = {"q", "kind"}

# How many URLs of one kind each persona visits. A few, not one: another goal or request
# links to other kinds of page; not all, or 200 goals would eat the page cap. The kind here
# is the pattern with the query's values (ids replaced, years kept): ?year=2024 of a list is
# worth visiting as well as ?year=2026, its page=2, page=3 … are not.
VISITS_PER_PATTERN = 3


# At most this many years of a year choice are visited (the newest first, as the selects list them).
MAX_YEARS = 12


# --- URL patterns --------------------------------------------------------------------

YEAR = re.compile(r"(19|20)\d\d")
NUMBER = re.compile(r"\d+")
# A segment holding digits among letters (a record key, a reset token, a uidb64 …).
CODE = re.compile(r"(?=.*\d)[A-Za-z0-9_\-]{2,}|[A-Za-z0-9_\-]{20,}")
# Path segments followed by a municipality slug: /m/<slug>/ (staff) and /p/<slug>/ (portal).
SLUG_PARENTS = {"m", "p"}


def url_pattern(url: str) -> str:
    """The page kind of a URL: ``/m/midori/declarations/12/`` → ``/m/<slug>/declarations/<id>/``.

    Query values are dropped; of the keys only PATTERN_QUERY_KEYS are kept (``/p/<slug>/search/?q``).
    """
    parts = urlsplit(url)
    segments = parts.path.split("/")
    out: list[str] = []
    for index, segment in enumerate(segments):
        if index > 0 and segments[index - 1] in SLUG_PARENTS and index == 2 and segment:
            out.append("<slug>")
        elif YEAR.fullmatch(segment):
            out.append("<year>")
        elif NUMBER.fullmatch(segment):
            out.append("<id>")
        elif CODE.fullmatch(segment) and not segment.endswith((".", "-")):
            out.append("<code>")
        else:
            out.append(segment)
    pattern = "/".join(out) or "/"
    keys = sorted({key for key, value in parse_qsl(parts.query) if key in PATTERN_QUERY_KEYS and value})
    if keys:
        pattern += "?" + "&".join(keys)
    return pattern


def visit_key(url: str) -> str:
    """What VISITS_PER_PATTERN counts: the path pattern and the query, ids replaced, years kept."""
    parts = urlsplit(url)
    query = sorted(
        (key, value if YEAR.fullmatch(value) else NUMBER.sub("<id>", value))
        for key, value in parse_qsl(parts.query)
        if key not in {"page"}
    )
    return url_pattern(urlunsplit(("", "", parts.path, "", ""))) + "?" + urlencode(query)


def pattern_file_name(pattern: str, persona: str | None = None) -> str:
    """An ASCII file name for a pattern: ``/m/<slug>/goals/<id>/`` → ``m-slug-goals-id.jpg``."""
    path, _, query = pattern.partition("?")
    words = [re.sub(r"[^A-Za-z0-9_]+", "", segment) for segment in path.split("/")]
    name = "-".join(word for word in words if word) or "home"
    if query:
        name += "--" + "-".join(re.sub(r"[^A-Za-z0-9_]+", "", key) for key in query.split("&"))
    if persona:
        name += "--" + persona
    return name + ".jpg"


def form_url(action: str, fields: list[tuple[str, str]]) -> str:
    """The URL a GET form goes to with these fields (empty ones left out, as a tidy form would)."""
    return urljoin(action, "?" + urlencode([(name, value) for name, value in fields if value]))


def normalise(url: str) -> str:
    """The URL without its fragment, for telling visited pages apart."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def is_followed(url: str, origin: str) -> bool:
    """Whether the crawler may GET this URL: same origin, a page, not a download or log-out."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or f"{parts.scheme}://{parts.netloc}" != origin:
        return False
    path = parts.path or "/"
    if path.startswith(SKIPPED_PREFIXES) or path.lower().endswith(DOWNLOAD_SUFFIXES):
        return False
    keys = {key.lower() for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    return not keys & DOWNLOAD_QUERY_KEYS


# A setting of the checkout that defaults to a path under its var/ and is read from the environment.
VAR_SETTING = re.compile(r'env_str\(\s*"([A-Z0-9_]+)",\s*str\(\s*BASE_DIR\s*/\s*"var"')


# --- The checkout: database and server -------------------------------------------------


@dataclass
class Checkout:
    """One checkout run from a private temporary directory."""

    directory: Path
    python: str
    port: int
    temp: Path
    server: subprocess.Popen[bytes] | None = None
    accounts: dict[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        """Development settings with every writable path in the temporary directory.

        The checkout's settings choose the database with DATABASE_URL (dj-database-url)
        and default the media, backup, static and published-file directories to DIR/var/…;
        all of them are pointed at the temporary directory instead.
        """
        settings = (self.directory / "shinchoku" / "settings.py").read_text(encoding="utf-8")
        if "DATABASE_URL" not in settings:
            sys.exit(f"{self.directory}: shinchoku/settings.py does not read DATABASE_URL")
        env = dict(os.environ)
        # Every other setting whose default lies under DIR/var/ and that an environment variable
        # overrides (env_str("NAME", str(BASE_DIR / "var" / …))) goes to the temporary directory
        # too, including ones a newer checkout adds (the published files, SHINCHOKU_ARTEFACT_ROOT).
        for name in VAR_SETTING.findall(settings):
            env[name] = str(self.temp / "var" / name.lower())
        env.update(
            {
                "SHINCHOKU_ENV": "development",
                "DJANGO_DEBUG": "1",
                "DATABASE_URL": f"sqlite:///{self.temp / 'db' / 'db.sqlite3'}",
                "DJANGO_MEDIA_ROOT": str(self.temp / "media"),
                "DJANGO_STATIC_ROOT": str(self.temp / "static"),
                "SHINCHOKU_BACKUP_DIR": str(self.temp / "backups"),
                "SHINCHOKU_ARTEFACT_ROOT": str(self.temp / "artefacts"),
                # No __pycache__ written into the checkout by this run.
                "PYTHONDONTWRITEBYTECODE": "1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.pop("DJANGO_SETTINGS_MODULE", None)
        return env

    def manage(self, *arguments: str) -> str:
        """Run ``manage.py`` in the checkout; its output, or exit with it on failure."""
        command = [self.python, "manage.py", *arguments]
        result = subprocess.run(
            command, cwd=self.directory, env=self.environment(), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            sys.exit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def prepare_database(self) -> None:
        """Migrate a new database and load the demo; read the demo accounts from the output."""
        self.manage("migrate", "--no-input")
        output = self.manage("load_demo")
        # Lines like "  kikaku   demo-kikaku-2026     企画担当管理者".
        for match in re.finditer(r"^\s+(\w+)\s+(demo-\S+)\s+\S", output, flags=re.MULTILINE):
            self.accounts[match.group(1)] = match.group(2)
        if not self.accounts:
            print("load_demo printed no accounts; using the README's demo passwords", file=sys.stderr)
            self.accounts = dict(FALLBACK_PASSWORDS)
        print(f"demo accounts: {', '.join(sorted(self.accounts))}")

    def start_server(self) -> None:
        """Start runserver on 127.0.0.1:PORT and wait until the home page answers."""
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                sys.exit(f"port {self.port} is already in use")
        log = open(self.temp / "server.log", "wb")  # noqa: SIM115 (kept open for the server's life)
        self.server = subprocess.Popen(
            [self.python, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            cwd=self.directory,
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                sys.exit(f"runserver stopped:\n{(self.temp / 'server.log').read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(self.origin + "/", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        sys.exit("runserver did not answer within 60 s")

    def stop_server(self) -> None:
        """Stop the server this script started (by its own process, nothing else)."""
        if self.server is None or self.server.poll() is not None:
            return
        self.server.terminate()
        try:
            self.server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()


# --- Before the crawl: the pages only a form leads to ------------------------------------------


@dataclass
class Scenario:
    """A few steps through forms, before the crawl, so that pages the demo alone lacks exist.

    The demo holds imported documents but no collection round and no upload waiting for
    confirmation, so the request, entry, history and import preview pages would be missing.
    As the planning administrator (kikaku) in みどり市 (the first municipality of the demo):

    - an upload of the demo's guideline report with one figure changed, left unconfirmed
      (the import preview, its checks and mapping pages);
    - an upload of the organisation master as downloaded, left unconfirmed (its preview);
    - three rounds: the guideline progress of last fiscal year, the goal declarations of this
      year and the year-end results of the demo declaration's year, each for 企画部;

    then the staff member (tanto) prefills and submits 企画政策課's guideline answer, and the
    section head (kacho) sends it back with a comment, so the request page and its history show
    a real exchange. The pages the steps end on (the two previews, each round, each round's
    publishing preview) start the crawl of the person who took the step, since no link leads
    to some of them. Every step is tried on its own: a step the checkout's forms do not allow
    is reported and skipped, never fatal. The crawl itself stays GET only.
    """

    origin: str
    checkout: Path
    temp: Path
    accounts: dict[str, str]
    slug: str = "midori"
    # Pages no link leads to (an upload's preview, a round's publishing preview before every
    # answer is in): persona → URLs, given to that persona's crawl as starting points.
    seeds: dict[str, list[str]] = field(default_factory=dict)

    def run(self, browser: Any, log_in: Any) -> None:
        steps: list[tuple[str, str, Any]] = [
            ("kikaku", "import upload", self.import_upload),
            ("kikaku", "organisation upload", self.organisation_upload),
            ("kikaku", "guideline round", self.guideline_round),
            ("kikaku", "goal declaration round", self.declaration_round),
            ("kikaku", "year-end round", self.year_end_round),
            ("tanto", "answer and submit", self.answer_and_submit),
            ("kacho", "send back", self.send_back),
        ]
        for user, name, step in steps:
            if user not in self.accounts:
                print(f"scenario: {name}: no {user} account", file=sys.stderr)
                continue
            context = browser.new_context(viewport=VIEWPORT, locale="ja-JP")
            context.set_default_timeout(30_000)
            page = context.new_page()
            try:
                if not log_in(page, user, self.accounts[user]):
                    continue
                result = step(page)
                print(f"scenario: {name} ({user}): {result}")
                if result.startswith("/"):
                    self.seeds.setdefault(user, []).append(self.origin + result)
                    if re.fullmatch(r"/m/[^/]+/rounds/\d+/", result):
                        self.seeds[user].append(self.origin + result + "publish/")
            except (PlaywrightError, StopIteration, IndexError, OSError) as error:
                print(f"scenario: {name} ({user}) skipped: {str(error).splitlines()[0]}", file=sys.stderr)
            finally:
                context.close()

    # -- helpers --

    def url(self, path: str) -> str:
        return f"{self.origin}/m/{self.slug}/{path}"

    @staticmethod
    def submit(page: Any, button: Any) -> None:
        """Click a submit button and wait for the page it leads to."""
        with page.expect_navigation(wait_until="load"):
            button.click()

    @staticmethod
    def last_fiscal_year() -> int:
        today = time.localtime()
        return (today.tm_year if today.tm_mon >= 4 else today.tm_year - 1) - 1

    # -- uploads (kikaku) --

    def upload(self, page: Any, path: str, file: Any) -> str:
        page.goto(self.url(path), wait_until="load")
        form = page.locator("main form", has=page.locator("input[type=file]")).first
        form.locator("input[type=file]").set_input_files(file)
        self.submit(page, form.locator("button[type=submit]").first)
        return page.url[len(self.origin) :]

    def import_upload(self, page: Any) -> str:
        document = self.checkout / "shinchoku" / "demo" / "documents" / "midori_guideline_progress_2024.txt"
        changed = self.temp / "upload" / document.name
        changed.parent.mkdir(parents=True, exist_ok=True)
        # One figure changed, so that the preview shows an update as well as what was read.
        changed.write_text(
            document.read_text(encoding="utf-8").replace("3,000人", "3,500人", 1), encoding="utf-8"
        )
        return self.upload(page, "imports/", str(changed))

    def organisation_upload(self, page: Any) -> str:
        answer = page.request.get(self.url("organization/download.csv"))
        if not answer.ok:
            return f"no organisation download ({answer.status})"
        csv = {"name": "organization.csv", "mimeType": "text/csv", "buffer": answer.body()}
        return self.upload(page, "organization/", csv)

    # -- rounds (kikaku) --

    def open_round(self, page: Any, kind_label: str, *, year: int | None, department: str | None) -> str:
        """Open a round in the two steps of its form: document and year, then deadline and open."""
        page.goto(self.url("rounds/new/"), wait_until="load")
        form = page.locator("main form", has=page.locator("select[name=kind]")).first
        kind = form.locator("select[name=kind]")
        labels = kind.locator("option").all_inner_texts()
        kind.select_option(label=next(label for label in labels if kind_label in label))
        fiscal_year = form.locator("select[name=fiscal_year]")
        if year is not None and fiscal_year.locator(f"option[value='{year}']").count():
            fiscal_year.select_option(str(year))
        if department is None:
            values = [
                v
                for v in form.locator("select[name=plan] option").evaluate_all("os => os.map(o => o.value)")
                if v
            ]
            form.locator("select[name=plan]").select_option(values[0])
        else:
            form.get_by_label(department, exact=True).check()
        self.submit(page, form.locator("button[type=submit]").first)
        # Step 2: the sections the document concerns are checked; a deadline three weeks away.
        form = page.locator("main form", has=page.locator("button[name=open]")).first
        deadline = time.strftime("%Y-%m-%d", time.localtime(time.time() + 21 * 86400))
        form.locator("input[name=deadline]").fill(deadline)
        if not form.locator("input[name=sections]:checked").count():
            form.locator("input[name=sections]").first.check()
        self.submit(page, form.locator("button[name=open]"))
        return page.url[len(self.origin) :]

    def guideline_round(self, page: Any) -> str:
        # Last fiscal year: its results are prefilled from the plans the demo's report made for it.
        return self.open_round(page, "指針", year=self.last_fiscal_year(), department=None)

    def declaration_round(self, page: Any) -> str:
        return self.open_round(page, "目標宣言", year=None, department="企画部")

    def year_end_round(self, page: Any) -> str:
        # The year of the demo's goal declaration (みどり市 FY2024), whose goals get results.
        return self.open_round(page, "達成", year=2024, department="企画部")

    # -- the request (tanto, kacho) --

    def guideline_request(self, page: Any) -> str:
        """企画政策課's request in the guideline round, from the person's 「わたしの作業」."""
        page.goto(self.origin + "/my/", wait_until="load")
        links = page.locator("main a[href*='/sections/']")
        for index in range(links.count()):
            link = links.nth(index)
            if "指針" in link.inner_text() or "指針" in link.locator("xpath=..").inner_text():
                return str(link.evaluate("a => a.href"))
        return str(links.first.evaluate("a => a.href"))

    def answer_and_submit(self, page: Any) -> str:
        page.goto(self.guideline_request(page), wait_until="load")
        prefill = page.locator("form[action$='/prefill/'] button[type=submit]")
        if prefill.count():
            self.submit(page, prefill.first)
        self.submit(page, page.locator("form[action$='/submit/'] button[type=submit]").first)
        if page.locator("form input[name=confirmed]").count():  # an untouched answer: confirm it
            self.submit(
                page,
                page.locator("main form", has=page.locator("input[name=confirmed]"))
                .locator("button[type=submit]")
                .first,
            )
        return page.url[len(self.origin) :]

    def send_back(self, page: Any) -> str:
        page.goto(self.guideline_request(page), wait_until="load")
        form = page.locator("form[action$='/send-back/']").first
        form.locator("textarea").first.fill(
            "市民意識調査の回答率と、結果をどの施策に生かしたかを書き加えてください。"
        )
        self.submit(page, form.locator("button[type=submit]"))
        return page.url[len(self.origin) :]


# --- The crawl ----------------------------------------------------------------------------


@dataclass
class Shot:
    pattern: str
    url: str
    persona: str
    file: str
    title: str


@dataclass
class Crawl:
    """The screenshots taken so far, over all personas."""

    origin: str
    out: Path
    max_pages: int
    max_height: int
    quality: int
    search_term: str
    shots: dict[str, Shot] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def log_in(self, page: Any, username: str, password: str) -> bool:
        """Log in through the /login/ form (fields ``username`` and ``password``)."""
        page.goto(self.origin + "/login/", wait_until="load")
        form = page.locator("main form", has=page.locator("input[name=password]"))
        form.locator("input[name=username]").fill(username)
        form.locator("input[name=password]").fill(password)
        with page.expect_navigation(wait_until="load"):
            form.locator("button[type=submit], input[type=submit]").first.click()
        if urlsplit(page.url).path.startswith("/login"):
            print(f"  {username}: log-in refused", file=sys.stderr)
            return False
        return True

    def links(self, page: Any) -> list[str]:
        """Every ``<a href>`` of the page, and the URLs its GET search forms lead to."""
        hrefs: list[str] = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        # GET forms with a search box are submitted with their defaults and the search word:
        # the results page is only reachable that way. A GET form choosing a fiscal year (a
        # select named …year) is submitted once per year: other years' declarations are only
        # reachable that way. Other GET forms (a threshold filter) show the same page again.
        forms: list[dict[str, Any]] = page.evaluate(
            """() => Array.from(document.querySelectorAll('form'))
                .filter(f => (f.getAttribute('method') || 'get').toLowerCase() === 'get')
                .map(f => ({
                    action: f.action,
                    fields: Array.from(new FormData(f).entries())
                        .filter(([, v]) => typeof v === 'string'),
                    search: Array.from(f.querySelectorAll('input[type=search], input[name=q]'))
                        .map(i => i.name),
                    years: Array.from(f.querySelectorAll('select[name$=year]')).map(s => ({
                        name: s.name,
                        values: Array.from(s.options).map(o => o.value).filter(v => v),
                    })),
                }))"""
        )
        for form in forms:
            fields: list[tuple[str, str]] = [(name, value) for name, value in form["fields"]]
            if form["search"]:
                fields = [
                    (name, self.search_term if name in form["search"] and not value else value)
                    for name, value in fields
                ]
                hrefs.append(form_url(form["action"], fields))
            elif form["years"]:
                for select in form["years"]:
                    for year in select["values"][:MAX_YEARS]:
                        chosen = [(n, year if n == select["name"] else v) for n, v in fields]
                        hrefs.append(form_url(form["action"], chosen))
        return hrefs

    def screenshot(self, page: Any, pattern: str, persona: str, per_persona: bool) -> Shot:
        """A JPEG of the page: 1280 px wide, the full page but at most max_height tall."""
        name = pattern_file_name(pattern, persona if per_persona else None)
        taken = {shot.file for shot in self.shots.values()}
        stem, counter = name[:-4], 2
        while name in taken:  # two patterns that read alike (a-b/ and a_b/): keep both
            name, counter = f"{stem}-{counter}.jpg", counter + 1
        height = page.evaluate(
            "() => Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)"
        )
        clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": max(1, min(height, self.max_height))}
        page.screenshot(
            path=str(self.out / name), type="jpeg", quality=self.quality, full_page=True, clip=clip
        )
        return Shot(
            pattern=pattern, url=page.url[len(self.origin) :], persona=persona, file=name, title=page.title()
        )

    def settle(self, page: Any) -> None:
        """Wait for htmx requests fired on load and for the web fonts, a few seconds at most."""
        with contextlib.suppress(PlaywrightError):
            page.wait_for_load_state("networkidle", timeout=4000)
        with contextlib.suppress(PlaywrightError):
            page.evaluate("() => document.fonts.ready.then(() => true)")

    def crawl(self, browser: Any, persona: str, password: str | None, extra: list[str] | None = None) -> None:
        """Breadth-first crawl as one persona, screenshotting each pattern not yet shot."""
        context = browser.new_context(
            viewport=VIEWPORT, locale="ja-JP", extra_http_headers={"Accept-Language": "ja"}
        )
        # A link that turns out to be a download must not stall the crawl.
        context.set_default_timeout(30_000)
        page = context.new_page()
        try:
            if password is not None and not self.log_in(page, persona, password):
                return
            seeds = [self.origin + "/"]
            if password is None:
                seeds.append(self.origin + "/login/")  # only the citizen sees the log-in form
            queue: deque[tuple[str, str]] = deque((url, "(start)") for url in seeds)
            # The scenario's pages; one this persona may not open is not an error of the site.
            queue.extend((url, "(scenario)") for url in extra or [])
            queued = {normalise(url) for url, _ in queue}
            visits: dict[str, int] = {}
            visited = 0
            while queue and visited < self.max_pages:
                url, referrer = queue.popleft()
                kind = visit_key(url)
                if visits.get(kind, 0) >= VISITS_PER_PATTERN:
                    continue
                visits[kind] = visits.get(kind, 0) + 1
                try:
                    response = page.goto(url, wait_until="load")
                except PlaywrightError as error:  # a download, or a page that never loads
                    print(f"  {persona}: {url}: {str(error).splitlines()[0]}", file=sys.stderr)
                    continue
                visited += 1
                final = normalise(page.url)
                final_path = urlsplit(final).path
                if response is None:
                    continue
                content_type = response.headers.get("content-type", "")
                if not content_type.startswith("text/html"):
                    continue
                # A page the persona may not open sends it to the log-in form: not its page.
                if final_path.startswith("/login") and not urlsplit(url).path.startswith("/login"):
                    continue
                if final != normalise(url):
                    queued.add(final)
                    if not is_followed(final, self.origin):
                        continue
                if response.status >= 400 and referrer == "(scenario)":
                    continue
                if response.status >= 400:
                    self.errors.append(
                        {
                            "url": url[len(self.origin) :],
                            "status": response.status,
                            "persona": persona,
                            "referrer": referrer[len(self.origin) :]
                            if referrer.startswith(self.origin)
                            else referrer,
                            "title": page.title(),
                        }
                    )
                    print(f"  {persona}: {response.status} {url} (from {referrer})", file=sys.stderr)
                    continue
                self.settle(page)
                final_pattern = url_pattern(final)
                per_persona = final_pattern in PER_PERSONA_PATTERNS
                key = f"{final_pattern} {persona}" if per_persona else final_pattern
                if key not in self.shots:
                    self.shots[key] = self.screenshot(page, final_pattern, persona, per_persona)
                    print(f"  {persona}: {final_pattern} -> {self.shots[key].file}")
                for link in self.links(page):
                    target = normalise(link)
                    if target in queued or not is_followed(target, self.origin):
                        continue
                    queued.add(target)
                    queue.append((target, final))
            print(f"{persona}: {visited} pages visited, {len(queue)} links left")
        finally:
            context.close()


# --- Main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--checkout", required=True, type=Path, help="the checkout to run (a worktree is fine)"
    )
    parser.add_argument("--out", required=True, type=Path, help="where the JPEGs and pages.json go")
    parser.add_argument("--port", required=True, type=int, help="the port runserver listens on (127.0.0.1)")
    parser.add_argument(
        "--python", default=DEFAULT_PYTHON, help=f"the checkout's Python (default {DEFAULT_PYTHON})"
    )
    parser.add_argument("--max-pages", type=int, default=150, help="pages visited per persona (default 150)")
    parser.add_argument(
        "--max-height", type=int, default=2400, help="screenshot height cap in px (default 2400)"
    )
    parser.add_argument("--quality", type=int, default=70, help="JPEG quality (default 70)")
    parser.add_argument(
        "--search-term", default="市民", help="the word typed into search forms (default 市民)"
    )
    parser.add_argument(
        "--no-scenario", action="store_true", help="crawl the demo as loaded (no rounds, no pending uploads)"
    )
    parser.add_argument("--keep-temp", action="store_true", help="keep the temporary database and server log")
    args = parser.parse_args()

    directory = args.checkout.resolve()
    if not (directory / "manage.py").exists():
        sys.exit(f"{directory}: no manage.py")
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    # A rerun replaces the previous run's files (only ours: *.jpg, pages.json, errors.json).
    for old in [*out.glob("*.jpg"), out / "pages.json", out / "errors.json"]:
        old.unlink(missing_ok=True)

    temp = Path(tempfile.mkdtemp(prefix="shinchoku-shots-"))
    checkout = Checkout(directory=directory, python=args.python, port=args.port, temp=temp)
    try:
        print(f"{directory}: new database in {temp}")
        checkout.prepare_database()
        checkout.start_server()
        print(f"server at {checkout.origin}")
        crawl = Crawl(
            origin=checkout.origin,
            out=out,
            max_pages=args.max_pages,
            max_height=args.max_height,
            quality=args.quality,
            search_term=args.search_term,
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                scenario = Scenario(
                    origin=checkout.origin, checkout=directory, temp=temp, accounts=checkout.accounts
                )
                if not args.no_scenario:
                    scenario.run(browser, crawl.log_in)
                for persona in PERSONA_ORDER:
                    if persona == "citizen":
                        crawl.crawl(browser, persona, None)
                    elif persona in checkout.accounts:
                        crawl.crawl(browser, persona, checkout.accounts[persona], scenario.seeds.get(persona))
                    else:
                        print(f"{persona}: no such demo account in this checkout", file=sys.stderr)
            finally:
                browser.close()
    finally:
        checkout.stop_server()
        if args.keep_temp:
            print(f"kept {temp}")
        else:
            shutil.rmtree(temp, ignore_errors=True)

    shots = sorted(crawl.shots.values(), key=lambda shot: (shot.pattern, PERSONA_ORDER.index(shot.persona)))
    pages = [
        {"pattern": s.pattern, "url": s.url, "persona": s.persona, "file": s.file, "title": s.title}
        for s in shots
    ]
    (out / "pages.json").write_text(json.dumps(pages, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if crawl.errors:
        (out / "errors.json").write_text(
            json.dumps(crawl.errors, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    print(f"{len(pages)} screenshots, {len(crawl.errors)} error pages, in {out}")


if __name__ == "__main__":
    main()

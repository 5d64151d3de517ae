"""No internal identifier reaches a screen, a download or an e-mail (issue 10, "Words").

Every persona of the access matrix GETs every page it may see (the matrix's URLs with the
objects its fixture builds, and the pages without a municipality slug), in Japanese, and
the visible text — tags, scripts and styles removed; ``title``, ``aria-label``, ``alt``
and ``placeholder`` kept, since people read them — must hold none of:

- snake_case words (``approved_by_section_head``): a field, a status or a kind by its code;
- ``app.model #id`` (``plans.plannode #21``) or ``(#21)``: an object by its database row;
- ISO dates and times (``2026-12-02``, ``15:04:47+00:00``): dates are written in 和暦;
- English words of four letters or more, except those in ``ENGLISH_ALLOWED``, each with
  its reason: an untranslated string.

The downloads (CSV, JSON values, XLSX cells) and the e-mails the cycle sends are read the
same way, except that open data writes Gregorian years beside the era year on purpose.
"""

from __future__ import annotations

import gettext
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from shinchoku.core.audit import Actor
from shinchoku.demo.loader import DOCUMENTS_DIR
from shinchoku.imports.services import pending_import_create
from shinchoku.organizations.master import organization_upload_create
from shinchoku.progress.services import progress_entry_update
from shinchoku.web.tests.test_access_matrix import (
    DEMO_GOALS,
    MATRIX,
    PERSONAS,
    url_of,
)
from shinchoku.web.tests.test_access_matrix import (
    objects as matrix_objects,
)
from shinchoku.workflow.models import Reminder, RoundRequest, WorkflowStep
from shinchoku.workflow.notifications import _message as step_message
from shinchoku.workflow.services import _reminder_message as reminder_message
from shinchoku.workflow.services import round_request_send_back, round_request_submit

# The personas get names, as real users have; their log-in IDs are data the city chose
# (the users page lists them), so they are allowed below.
NAMES = {
    "outsider": ("yoso", "余所 太郎"),
    "viewer": ("etsuran", "閲覧 花子"),
    "evaluator": ("hyoka", "評価 次郎"),
    "staff": ("tanto", "担当 三郎"),
    "section_head": ("kacho", "課長 四郎"),
    "department_head": ("bucho", "部長 五郎"),
    "planner": ("kikaku", "企画 六子"),
}

# English words that may stand on a Japanese page, each with its reason.
ENGLISH_ALLOWED = {
    # The product's name.
    "Shinchoku": "the product's name",
    # Key names, printed on the keyboard in Latin letters (「Ctrl＋Enterでも保存できます」).
    "Ctrl": "a key's name",
    "Enter": "a key's name",
    # File formats and standards, written in Latin letters in Japanese too.
    "CSV": "file format",
    "XLSX": "file format",
    "JSON": "file format",
    "PDF": "file format",
    "HTML": "file format",
    "UTF": "character encoding (UTF-8)",
    "Excel": "the spreadsheet program's name, as Japanese documents write it",
    "Shift": "character encoding (Shift_JIS)",
    "Shift_JIS": "character encoding",
    "PDL": "licence name (公共データ利用規約 PDL1.0)",
    "Creative": "licence name (Creative Commons)",
    "Commons": "licence name (Creative Commons)",
    # The language switcher names each language in that language (English, 日本語).
    "English": "the language switcher's own name for English",
    # Data: what the demo documents and the fixtures say.
    "LINE": "a messaging service named in the demo goal declaration (LINE公式アカウント)",
    "test": "the reason the access matrix's fixture gives for dismissing a finding",
    # The fixtures' log-in IDs and the test actor's label: data, not words of the interface.
    **{login: "a persona's log-in ID" for login, _name in NAMES.values()},
    "tests": "the label of the tests' actor (conftest.TEST_ACTOR)",
}

SNAKE = re.compile(r"(?<![A-Za-z0-9_])[a-z]+_[a-z_]+(?![A-Za-z0-9_])")
MODEL_ID = re.compile(r"[a-z_]+\.[a-z_]+ ?#\d+|\(#\d+\)")
ISO_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:?\d{2}|Z)?|[+-]00:00"
)
ISO_DATE = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")
WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z_]{3,}(?![A-Za-z0-9_])")
# Addresses and the names of uploaded files are data people chose, not words of the interface.
URL_OR_MAIL = re.compile(
    r"https?://\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[\w.-]+\.(?:csv|xlsx|txt|pdf|json)(?![\w])", re.I
)

VISIBLE_ATTRIBUTES = ("title", "aria-label", "alt", "placeholder")


class _Text(HTMLParser):
    """The text a person reads: element text and the attributes shown or spoken."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
            return
        values = dict(attrs)
        self.parts.extend(values[a] or "" for a in VISIBLE_ATTRIBUTES if values.get(a))
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self._hidden = max(0, self._hidden - 1)

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "\n".join(p.strip() for p in parser.parts if p.strip())


def offending(text: str, *, dates: bool = True) -> list[str]:
    """The identifier-like tokens of a Japanese text (``dates=False``: Gregorian dates allowed)."""
    text = URL_OR_MAIL.sub(" ", text)
    found = SNAKE.findall(text) + MODEL_ID.findall(text) + ISO_TIME.findall(text)
    if dates:
        found += ISO_DATE.findall(text)
    found += [w for w in WORD.findall(text) if w not in ENGLISH_ALLOWED and "_" not in w]
    return sorted(set(found))


def test_the_checker_finds_what_it_should() -> None:
    html = (
        '<main title="approved_by_section_head"><script>var snake_case = 1;</script>'
        "<p>plans.plannode #21 を更新（2026-12-02 15:04:47.172496+00:00）</p>"
        '<img alt="Report"><p>CSV（Shinchoku）令和8年12月2日 15時04分</p></main>'
    )
    assert offending(visible_text(html)) == [
        "2026-12-02",
        "2026-12-02 15:04:47.172496+00:00",
        "Report",
        "approved_by_section_head",
        "plannode",
        "plans",
        "plans.plannode #21",
    ]


def _name_personas(request: pytest.FixtureRequest) -> dict[str, Any]:
    users: dict[str, Any] = {}
    for persona, (login, name) in NAMES.items():
        user = request.getfixturevalue(persona)
        user.username, user.last_name = login, name
        user.save(update_fields=["username", "last_name"])
        users[persona] = user
    return users


@pytest.fixture
def crawl_objects(objects: dict[str, object], request: pytest.FixtureRequest, actor: Actor) -> dict[str, Any]:
    """The matrix's objects, named personas, and some history: an answer edited, submitted and
    sent back; a goal declaration read for the preview; an organisation master to compare."""
    users = _name_personas(request)
    municipality = objects["section"].municipality  # type: ignore[attr-defined]
    entry = objects["entry"]
    progress_entry_update(
        entry=entry,  # type: ignore[arg-type]
        text=entry.text + "（追記）",  # type: ignore[attr-defined]
        expected_version=None,
        actor=Actor(user=users["staff"]),
    )
    answer = RoundRequest.objects.get(round=objects["guideline_round"], section=objects["section"])
    answer = round_request_submit(request=answer, actor=Actor(user=users["staff"]))
    round_request_send_back(
        request=answer, actor=Actor(user=users["section_head"]), comment="数値を確認してください。"
    )
    master = "部,課,係,有効開始年度,有効終了年度,旧名称,表示順\n企画部,,,,,,100\n企画部,企画政策課,,,,,110\n企画部,広報戦略課,,令和6年度,,広報広聴課,130\n"
    return {
        **objects,
        "users": users,
        "goal_import": pending_import_create(
            municipality=municipality,
            user=users["planner"],
            upload_name=DEMO_GOALS,
            data=(DOCUMENTS_DIR / DEMO_GOALS).read_bytes(),
        ),
        "master_upload": organization_upload_create(
            municipality=municipality,
            user=users["planner"],
            upload_name="organization.csv",
            data=master.encode(),
            fiscal_year=2025,
        ),
    }


# `objects` is the access matrix's fixture, used here under its own name.
objects = matrix_objects


def _pages(persona: str, found: dict[str, Any]) -> list[str]:
    """Every page ``persona`` may GET: the matrix's, with more objects, and those without a slug."""
    urls = [
        url_of(name, found)
        for name, expect in MATRIX.items()
        if expect.method == "get" and persona in expect.allowed and "download" not in name
    ]
    slug = "midori"
    if persona == "planner":
        goal_import = found["goal_import"].pk
        urls += [
            reverse("imports:preview", kwargs={"slug": slug, "pk": goal_import}),
            reverse("imports:record_edit", kwargs={"slug": slug, "pk": goal_import, "record": "goal-1"}),
            reverse("organizations:preview", kwargs={"slug": slug, "pk": found["master_upload"].pk}),
            reverse("workflow:detail", kwargs={"slug": slug, "pk": found["guideline_round"].pk}),
            reverse("workflow:detail", kwargs={"slug": slug, "pk": found["goal_round"].pk}),
            reverse("workflow:publish", kwargs={"slug": slug, "pk": found["goal_round"].pk}),
        ]
    if persona in ("staff", "section_head", "department_head", "planner"):
        urls.append(
            reverse(
                "workflow:request",
                kwargs={"slug": slug, "pk": found["goal_round"].pk, "section_pk": found["section"].pk},
            )
        )
        urls.append(
            reverse(
                "workflow:history",
                kwargs={"slug": slug, "pk": found["goal_round"].pk, "section_pk": found["section"].pk},
            )
        )
    urls += ["/", reverse("compare"), f"{reverse('compare')}?prefecture=架空県"]
    if persona == "anonymous":
        urls += ["/login/"]
    else:
        urls += ["/my/", reverse("password_change")]
    return urls


def _downloads(persona: str, found: dict[str, Any]) -> list[str]:
    slug = "midori"
    publication = found["publication"].pk
    base = reverse("portal:download", kwargs={"slug": slug, "pk": publication, "fmt": "csv"})
    urls = [
        f"{base}?table=goals",
        f"{base}?table=figures",
        base.replace(".csv", ".json"),
        base.replace(".csv", ".xlsx"),
    ]
    urls.append(
        reverse("portal:download_table", kwargs={"slug": slug, "pk": publication, "table": "figures"})
    )
    summary = reverse("portal:summary", kwargs={"slug": slug})
    urls += [f"{summary}?format={fmt}" for fmt in ("csv", "json", "xlsx")]
    urls += [reverse("portal:summary_download", kwargs={"slug": slug, "fmt": fmt}) for fmt in ("csv", "json")]
    urls += [reverse("compare_download", kwargs={"fmt": fmt}) for fmt in ("csv", "json")]
    if persona == "planner":
        for fmt in ("csv", "xlsx"):
            urls.append(reverse("organizations:download", kwargs={"slug": slug, "fmt": fmt}))
        for fmt in ("csv", "json", "xlsx"):
            urls.append(
                reverse(
                    "workflow:preview_download",
                    kwargs={"slug": slug, "pk": found["guideline_round"].pk, "index": 0, "fmt": fmt},
                )
            )
    return urls


# Keys of the open-data JSON whose values are codes of its documented schema (docs/open-data.md),
# read by programs: the kind of document ("goal_declaration", "guideline_progress").
JSON_CODE_KEYS = {"kind"}


def _json_values(value: Any) -> list[str]:
    """The values of a JSON document (its keys are a documented schema, read by programs)."""
    if isinstance(value, dict):
        return [
            text for key, item in value.items() if key not in JSON_CODE_KEYS for text in _json_values(item)
        ]
    if isinstance(value, list):
        return [text for item in value for text in _json_values(item)]
    return [str(value)] if isinstance(value, str) else []


def download_text(response: Any) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "json" in kind:
        values = _json_values(json.loads(content))
        # Machine-readable fields of the envelope: a schema name and a moment in ISO 8601.
        return "\n".join(v for v in values if not v.startswith("shinchoku/") and not ISO_TIME.fullmatch(v))
    if "spreadsheet" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        cells = [
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if isinstance(cell, str)
        ]
        return "\n".join([*book.sheetnames, *cells])
    return content.decode("utf-8-sig")


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_internal_name_on_any_page(
    client: Client, persona: str, crawl_objects: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    if persona != "anonymous":
        client.force_login(crawl_objects["users"].get(persona) or request.getfixturevalue(persona))
    wrong = []
    pages = _pages(persona, crawl_objects)
    for url in pages:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="ja")
        if response.status_code != 200:
            continue  # a redirect (a refusal with a message) is followed by the page it leads to
        assert "text/html" in response["Content-Type"], url
        found = offending(visible_text(response.content.decode()))
        if found:
            wrong.append(f"{persona} GET {url}: {found}")
    for url in _downloads(persona, crawl_objects):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="ja")
        assert response.status_code == 200, url
        # Open data writes the Gregorian year beside the era year, and dates in ISO 8601.
        found = offending(download_text(response), dates=False)
        if found:
            wrong.append(f"{persona} download {url}: {found}")
    assert len(pages) >= 5
    assert not wrong, "\n".join(wrong)


def test_no_internal_name_in_the_mails(
    client: Client, crawl_objects: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    """The cycle's mails (a submission, a send-back: made by the fixture), a reminder and a reset link."""
    client.force_login(crawl_objects["users"]["planner"])
    member = crawl_objects["users"]["staff"]
    member.email = "tanto@example.jp"
    member.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:password_reset_send", kwargs={"slug": "midori", "pk": member.pk}),
            HTTP_ACCEPT_LANGUAGE="ja",
        )
    assert mail.outbox, "the reset link was not sent"
    answer = RoundRequest.objects.get(
        round=crawl_objects["guideline_round"], section=crawl_objects["section"]
    )
    messages = [*mail.outbox, reminder_message(answer, Reminder.Kind.LATE, ["tanto@example.jp"])]
    messages += [
        step_message(step, ["tanto@example.jp"]) for step in WorkflowStep.objects.filter(request=answer)
    ]
    assert len(messages) >= 4
    wrong = []
    for message in messages:
        found = offending(f"{message.subject}\n{message.body}")
        if found:
            wrong.append(f"{message.subject}: {found}")
    assert not wrong, "\n".join(wrong)


_JAPANESE = "\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e"
HALF_WIDTH_NEXT_TO_JAPANESE = re.compile(rf"[{_JAPANESE}]\s?[():]|[()]\s?[{_JAPANESE}]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|\{\w*\}")


def test_japanese_labels_use_full_width_brackets_and_colons() -> None:
    """公用文作成の考え方 (2022): Japanese text takes （） and ：, not ( ) and :.

    Our own catalogs only (LOCALE_PATHS), not Django's: its admin is not our interface."""
    catalog: dict[object, str] = {}
    for folder in reversed(settings.LOCALE_PATHS):
        found = Path(folder) / "ja" / "LC_MESSAGES" / "django.mo"
        if found.exists():
            with found.open("rb") as file:
                catalog.update(gettext.GNUTranslations(file)._catalog)  # type: ignore[attr-defined]
    assert catalog
    wrong = sorted(
        f"{msgid!r} → {text!r}"
        for msgid, text in catalog.items()
        if msgid and HALF_WIDTH_NEXT_TO_JAPANESE.search(PLACEHOLDER.sub("X", text))
    )
    assert not wrong, "\n".join(wrong)

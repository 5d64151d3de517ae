"""The static copy of the portal (portal_export) in Chromium, served by a plain static server.

No Django behind it: Python's http.server serves the directory. The pages render with our font,
pass axe-core, link to each other and to their downloads; the language links switch copies; and
the search page finds, for each query, exactly what the server's search finds (same entries, same
order), on SQLite (FTS5 trigram) and on PostgreSQL (pg_trgm).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from shinchoku.portal.export import portal_export
from shinchoku.publishing import selectors
from shinchoku.publishing.models import Publication
from shinchoku.web.tests.test_design_browser import check_controls, check_font

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUERIES: list[tuple[str, dict[str, str]]] = [
    ("市民", {}),
    ("市民 調査", {}),
    ("ＣＭＳ", {}),  # full-width letters: normalised as the server does
    ("cms", {}),  # case ignored
    ("の", {}),  # one character: a substring match, at most 100 results
    ("推進", {"year": "2018"}),
    ("財政", {"department": "企画部"}),
    ("存在しない語句", {}),
]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def static_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", tmp_path
    server.shutdown()
    server.server_close()


def test_the_copy_works_from_a_plain_static_server(  # type: ignore[no-untyped-def]
    browser, axe_check, published: dict[str, Publication], municipality, static_site
) -> None:
    base, directory = static_site
    portal_export(municipality, directory)
    context = browser.new_context(locale="ja-JP", base_url=base)
    page = context.new_page()
    page.set_default_timeout(10_000)
    goals = published["goals"].pk
    for path in ("index.html", f"reports/{goals}/index.html", "summary/index.html", "search/index.html"):
        response = page.goto(path)
        assert response is not None and response.ok, path
        check_font(page, path)
        check_controls(page, path)
        assert axe_check(page) == [], path

    # From the index to a report, and to each of its downloads.
    page.goto("index.html")
    page.get_by_role("link", name=published["goals"].title).click()
    expect(page).to_have_url(re.compile(rf"reports/{goals}/index.html$"))
    links = page.locator("section.downloads a")
    assert links.count() == 5
    for href in links.evaluate_all("links => links.map(a => a.href)"):
        assert page.request.get(href).ok, href
    # The other language is a copy of its own.
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(rf"en/reports/{goals}/index.html$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="日本語").click()
    expect(page).to_have_url(re.compile(rf"/reports/{goals}/index.html$"))
    context.close()


def _server_hits(municipality: Any, query: str, filters: dict[str, str]) -> list[str]:
    found = selectors.search(
        municipality,
        query,
        selectors.SearchFilters(
            year=int(filters["year"]) if "year" in filters else None,
            department=filters.get("department", ""),
        ),
    )
    return [f"{hit.entry.publication_id}#{hit.entry.anchor}" for hit in found]


def test_the_copy_searches_as_the_server_does(  # type: ignore[no-untyped-def]
    browser, published: dict[str, Publication], municipality, static_site
) -> None:
    base, directory = static_site
    portal_export(municipality, directory)
    context = browser.new_context(locale="ja-JP", base_url=base)
    page = context.new_page()
    page.set_default_timeout(10_000)
    compared = 0
    for query, filters in QUERIES:
        page.goto("search/index.html?" + urlencode({"q": query, **filters}))
        heading = page.locator("#static-search h2")
        expect(heading).to_be_visible()
        hrefs = page.locator("#static-search ol.hits a").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
        found = [re.sub(r"^\.\./reports/(\d+)/index\.html#", r"\1#", h) for h in hrefs]
        expected = _server_hits(municipality, query, filters)
        assert found == expected, (query, filters)
        assert heading.inner_text().startswith(f"「{query}」") or not expected, heading.inner_text()
        assert str(len(expected)) in heading.inner_text()
        compared += len(expected)
        if expected:
            # The snippet marks the terms, as the server's does.
            assert page.locator("#static-search ol.hits mark").count() >= 1
    assert compared >= 20
    # The form shows what was asked.
    page.goto("search/index.html?" + urlencode({"q": "推進", "year": "2018"}))
    expect(page.locator("#search-q")).to_have_value("推進")
    expect(page.locator("#search-year")).to_have_value("2018")
    context.close()

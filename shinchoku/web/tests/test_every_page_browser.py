"""Every page in Chromium: axe-core finds no WCAG 2.1 A/AA violation, and every control has the
design system's sizes (issue 10, "Done means").

The pages are those of the words crawl (``test_words_crawl._pages``): every page of the access
matrix each persona may see, with the objects of its fixture (a round answered, submitted and
sent back; an import waiting for its preview; an organisation master to compare). A page seen
by several personas is checked as each of them: a role sees other controls (the planner's
buttons, staff's entry forms, the viewer's read-only page).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from shinchoku.web.tests.test_design_browser import check_controls, check_font
from shinchoku.web.tests.test_words_crawl import _pages, crawl_objects, objects  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason="the markup does not depend on the database: the SQLite pass checks every page, "
        "the PostgreSQL pass runs the other browser tests",
    ),
]

ORDER = ("planner", "department_head", "section_head", "staff", "evaluator", "viewer", "anonymous")


def _session_cookie(user: Any, live_url: str) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_url,
    }


def test_every_page_passes_axe_and_has_the_design_sizes(  # type: ignore[no-untyped-def]
    browser,
    live_server,
    axe_check,
    crawl_objects: dict[str, Any],  # noqa: F811
) -> None:
    problems: list[str] = []
    checked = controls = 0
    for persona in ORDER:
        context = browser.new_context(locale="ja-JP", base_url=live_server.url, bypass_csp=True)
        if persona != "anonymous":
            context.add_cookies([_session_cookie(crawl_objects["users"][persona], live_server.url)])
        page = context.new_page()
        page.set_default_timeout(10_000)
        for url in _pages(persona, crawl_objects):
            response = page.goto(url)
            assert response is not None and response.ok, f"{persona} {url}: {response and response.status}"
            where = f"{persona} {url}"
            check_font(page, where)
            try:
                controls += check_controls(page, where)
            except AssertionError as error:
                problems.append(str(error))
            violations = axe_check(page)
            if violations:
                problems.append(f"{where}: {violations}")
            checked += 1
        context.close()
    assert checked >= 100, checked
    assert controls >= 100, controls
    assert not problems, "\n".join(problems)

"""The pages work under the Content-Security-Policy: nothing refused, htmx still swaps."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from shinchoku.goals.models import Goal
from shinchoku.organizations.models import Department, Section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_and_public_pages_run_under_the_policy(
    browser, live_server, department: Department, section: Section, department_head
) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="ja-JP", base_url=live_server.url)  # the policy enforced
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: refused.append(str(e)))
    try:
        response = page.goto("/login/")
        assert response is not None
        assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
        page.locator("input[name=username]").fill("department_head")
        page.locator("input[name=password]").fill("persona-password-1")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        page.goto("/m/midori/declarations/new/")
        page.locator("input[name=fiscal_year]").fill("2024")
        page.locator("select[name=department]").select_option(label="企画部")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/declarations/*/")
        page.locator("details.editor summary").last.click()
        new_goal = page.locator("form[action$='/goals/']")
        new_goal.locator("input[name$=title]").fill("窓口のデジタル化")
        new_goal.locator("input[name$=sections]").first.check()
        with page.expect_response(lambda r: r.url.endswith("/goals/")):
            new_goal.locator("button[type=submit]").click()  # an htmx swap
        expect(page.get_by_text("窓口のデジタル化").first).to_be_visible()
        assert Goal.objects.filter(title="窓口のデジタル化").exists()
        for path in ("/my/", "/m/midori/", "/p/midori/", "/p/midori/search/?q=窓口", "/p/midori/summary/"):
            page.goto(path)
            page.wait_for_load_state()
    finally:
        context.close()
    assert refused == []

"""In Chromium: the token page is accessible (axe-core), and the API documentation renders from our
own files under the Content-Security-Policy, asking nothing of another host."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from shinchoku.api.models import AccessToken

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_make_a_token_on_an_accessible_page(page, axe_check, staff) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login/")
    page.locator("input[name=username]").fill("staff")
    page.locator("input[name=password]").fill("persona-password-1")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto("/account/tokens/")
    assert axe_check(page) == []
    page.locator("input[name=name]").fill("実績の一括登録")
    page.locator("input[value=read_write]").check()
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    secret = page.locator("#new-token").input_value()
    assert secret.startswith("shk_") and AccessToken.objects.get().prefix == secret[:12]
    assert axe_check(page) == []


@pytest.mark.parametrize(
    ("url", "shown"), [("/api/v1/docs/", ".swagger-ui .info"), ("/api/v1/redoc/", "redoc h1")]
)
def test_the_documentation_renders_from_our_own_files(browser, live_server, url: str, shown: str) -> None:  # type: ignore[no-untyped-def]
    # Not the ``page`` fixture: it bypasses the Content-Security-Policy (for axe-core's script).
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()

    def outside(url: str) -> bool:
        # data: and blob: (Redoc's search worker) are made in the page.
        return not url.startswith((live_server.url, "data:", "blob:"))

    fetched: list[str] = []
    refused: list[str] = []
    page.on("requestfinished", lambda r: fetched.append(r.url) if outside(r.url) else None)
    page.on("requestfailed", lambda r: refused.append(r.failure or "") if outside(r.url) else None)
    page.goto(url)
    expect(page.locator(shown).first).to_contain_text("Shinchoku API")
    page.wait_for_load_state("networkidle")
    # Nothing reached another host. Redoc's footer names an image on its CDN: the
    # Content-Security-Policy refuses it inside the browser, before any connection.
    assert fetched == []
    assert set(refused) <= {"csp"}, refused  # Chromium's reason for a request the policy refused
    context.close()

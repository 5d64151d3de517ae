"""The portal in Chromium: axe-core finds no WCAG 2 A/AA violation; keyboard use; screenshots."""

from pathlib import Path

import pytest

from shinchoku.publishing.models import Publication

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[3] / "build" / "artifacts"


def test_portal_pages_pass_axe(page, axe_check, published: dict[str, Publication]) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    urls = {
        "portal-index": "/p/midori/",
        "portal-goal-report": f"/p/midori/reports/{published['goals'].pk}/",
        "portal-guideline-report": f"/p/midori/reports/{published['guideline'].pk}/",
        "portal-search": "/p/midori/search/?q=パブリックコメント",
        "portal-summary": "/p/midori/summary/",
    }
    for name, url in urls.items():
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "ja"
        assert axe_check(page) == [], name
        # Closed networks: every script, style, image and link target of the page is on this host.
        urls = page.evaluate(
            "Array.from(document.querySelectorAll('script[src],link[href],img[src],iframe[src]'))"
            ".map(e => e.src || e.href)"
        )
        assert [u for u in urls if not u.startswith((page.url.split("/p/")[0], "data:"))] == [], name
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=name != "portal-guideline-report")


def test_search_by_keyboard(page, published: dict[str, Publication]) -> None:  # type: ignore[no-untyped-def]
    page.goto("/p/midori/")
    page.keyboard.press("Tab")  # skip link first
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.get_by_label("公表資料を検索").fill("市債残高")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/**")
    first = page.locator("ol.hits li a").first
    assert "市債残高の縮減" in first.inner_text()
    assert page.locator("mark").first.inner_text() == "市債残高"
    first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**#goal-4")

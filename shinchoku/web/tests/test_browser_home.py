"""The foundation's pages in a real browser: the municipality page and the language switch."""

import pytest

from shinchoku.core.audit import Actor
from shinchoku.organizations.models import Municipality, Section
from shinchoku.organizations.services import fiscal_year_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_browse_from_home_to_municipality_and_switch_language(
    page, municipality: Municipality, section: Section, actor: Actor, tmp_path
) -> None:
    fiscal_year_ensure(municipality=municipality, year=2019, actor=actor)
    page.goto("/")
    page.get_by_role("link", name="架空県みどり市").click()
    page.wait_for_url("**/m/midori/")
    assert page.get_by_role("heading", level=1).inner_text() == "架空県みどり市"
    assert page.get_by_role("rowheader", name="令和元年度（2019）").is_visible()
    assert page.get_by_role("rowheader", name="企画部").is_visible()
    assert page.locator("html").get_attribute("lang") == "ja"
    # Every asset comes from the application itself (closed networks: no CDN).
    hosts = page.evaluate(
        "Array.from(document.querySelectorAll('script[src],link[href]')).map(e => (e.src || e.href))"
    )
    external = [u for u in hosts if not u.startswith((page.url.split("/m/")[0], "data:"))]
    assert hosts and external == []
    page.get_by_label("言語").select_option("en")
    page.get_by_role("button", name="変更").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Fiscal years").is_visible()
    page.screenshot(path=str(tmp_path / "municipality.png"))

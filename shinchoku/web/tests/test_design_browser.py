"""The design system in a real browser (docs/design.md): sizes, the font, the components, axe-core.

Representative pages (log-in, a staff form with its errors, a declaration saved through htmx, a
published report) are opened in Chromium; on each, every visible button and text control is
measured from its computed style (≥ 16 px text, ≥ 40 px high), the body font is BIZ UDPGothic
loaded from our own static files, and axe-core finds no WCAG 2.1 A/AA violation.

With ``SHINCHOKU_DESIGN_SCREENSHOTS=1`` the test also refreshes the component screenshots of
docs/design.md (docs/screenshots/design/).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from shinchoku.core.audit import Actor
from shinchoku.goals.models import GoalDeclaration
from shinchoku.imports.services import report_import
from shinchoku.organizations.models import Department, Municipality, Section
from shinchoku.plans.models import Plan
from shinchoku.publishing.models import Publication
from shinchoku.publishing.services import goal_declaration_publish, guideline_progress_publish
from shinchoku.testing import SEED_000, SEED_004

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots" / "design"
FONT_FAMILY = "BIZ UDPGothic"

# Every visible control, measured; checkboxes and radio buttons are measured apart (24 px boxes).
CONTROLS_JS = """() => Array.from(document.querySelectorAll('button, input, select, textarea, .button'))
  .filter(e => e.type !== 'hidden' && !e.closest('.visually-hidden'))
  .map(e => {
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return {
      what: e.tagName.toLowerCase() + (e.type ? '[' + e.type + ']' : '') + ' ' + (e.name || e.id || e.textContent.trim().slice(0, 30)),
      kind: (e.type === 'checkbox' || e.type === 'radio') ? 'box' : 'control',
      visible: r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none',
      fontSize: parseFloat(s.fontSize), height: r.height, width: r.width,
      fontFamily: s.fontFamily,
    };
  })
  .filter(c => c.visible)"""


def check_controls(page: Any, where: str) -> int:
    """Assert the DADS sizes of every visible control; return how many were measured."""
    controls = page.evaluate(CONTROLS_JS)
    small = [
        c
        for c in controls
        if c["kind"] == "control"
        and (c["fontSize"] < 16 or c["height"] < 40 or FONT_FAMILY not in c["fontFamily"])
    ]
    tiny_boxes = [c for c in controls if c["kind"] == "box" and (c["height"] < 24 or c["width"] < 24)]
    assert small == [], f"{where}: controls under 16 px text / 40 px height or not in {FONT_FAMILY}: {small}"
    assert tiny_boxes == [], f"{where}: checkboxes under 24 px: {tiny_boxes}"
    return len([c for c in controls if c["kind"] == "control"])


def check_font(page: Any, where: str) -> None:
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert family.startswith(f'"{FONT_FAMILY}"'), f"{where}: body font is {family}"
    loaded = page.evaluate(
        """async (family) => {
            await document.fonts.load('16px "' + family + '"', '進捗');
            await document.fonts.load('bold 16px "' + family + '"', '進捗');
            await document.fonts.ready;
            return Array.from(document.fonts).filter(f => f.family.replace(/"/g, '') === family && f.status === 'loaded')
              .map(f => f.weight);
        }""",
        FONT_FAMILY,
    )
    assert sorted(loaded) == ["400", "700"], f"{where}: loaded faces of {FONT_FAMILY}: {loaded}"
    assert page.evaluate(f"document.fonts.check('16px \"{FONT_FAMILY}\"', '進捗')")


def shoot(page: Any, locator: Any, name: str) -> None:
    if os.environ.get("SHINCHOKU_DESIGN_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        locator.screenshot(path=str(SHOTS / f"{name}.png"), animations="disabled")


@pytest.fixture
def published(municipality: Municipality, actor: Actor, seeds_dir: Path) -> dict[str, Publication]:
    for name in (SEED_000, SEED_004):
        report_import(
            municipality=municipality,
            data=(seeds_dir / name).read_bytes(),
            source=name,
            actor=actor,
            create_missing=True,
        )
    return {
        "goals": goal_declaration_publish(declaration=GoalDeclaration.objects.get(), actor=actor),
        "guideline": guideline_progress_publish(plan=Plan.objects.get(), fiscal_year=2018, actor=actor),
    }


def test_controls_font_and_components_follow_the_design_system(  # type: ignore[no-untyped-def]
    page, axe_check, department: Department, section: Section, department_head
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    fonts: list[tuple[str, int]] = []
    page.on("response", lambda r: fonts.append((r.url, r.status)) if r.url.endswith(".woff2") else None)

    # The log-in page: the form, the header without a municipality, the footer.
    page.goto("/login/")
    check_font(page, "/login/")
    assert check_controls(page, "/login/") >= 3
    assert axe_check(page) == []
    assert page.locator("label[for=id_username] .required-mark").inner_text() == "必須"
    assert page.locator("footer").get_by_role("link", name="CC BY 4.0").count() == 1
    shoot(page, page.locator("header.site-header"), "header")
    shoot(page, page.locator("footer.site-footer"), "footer")
    # Nothing typed: the error summary comes first, takes the focus and links to each field.
    page.locator("main form button[type=submit]").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert summary.get_by_role("link").count() == 2
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_username"
    assert page.locator("#id_username").get_attribute("aria-invalid") == "true"
    assert check_controls(page, "/login/ with errors") >= 3
    assert axe_check(page) == []
    shoot(page, summary, "error-summary")
    shoot(page, page, "login-with-errors")
    shoot(page, page.locator(".form-field").first, "field-error")

    page.locator("input[name=username]").fill("department_head")
    page.locator("input[name=password]").fill("persona-password-1")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)

    # A staff form page: breadcrumbs, the header with the municipality, fields with their marks.
    page.goto("/m/midori/declarations/new/")
    header = page.locator("header.site-header")
    assert "架空県みどり市" in header.inner_text()
    assert header.locator(".emblem-slot").count() == 1
    crumbs = page.get_by_role("navigation", name="パンくずリスト")
    assert crumbs.get_by_role("link").all_inner_texts()[:2] == ["ホーム", "架空県みどり市"]
    assert crumbs.locator("[aria-current=page]").count() == 1
    check_font(page, "declarations/new")
    assert check_controls(page, "declarations/new") >= 4
    assert axe_check(page) == []
    shoot(page, header, "header-municipality")
    shoot(page, crumbs, "breadcrumbs")
    shoot(page, page.locator("main form"), "form")
    shoot(page, page, "staff-form-page")
    page.locator("input[name=fiscal_year]").fill("2024")
    page.locator("select[name=department]").select_option(label="企画部")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/declarations/*/")

    # The messages framework: a notification banner.
    banner = page.locator("ul.messages .notification--success")
    assert banner.count() == 1 and banner.locator("[role=status]").count() == 1
    shoot(page, banner, "notification-success")

    # An htmx save: 「保存しました」 in the live region, visible.
    page.locator("#goals > details.editor > summary").click()
    new_goal = page.locator("form[action$='/goals/']")
    new_goal.locator("input[name$=title]").fill("窓口のデジタル化")
    new_goal.locator("input[name$=sections]").first.check()
    with page.expect_response(lambda r: r.url.endswith("/goals/")):
        new_goal.locator("button[type=submit]").click()
    status = page.locator("#save-status")
    status.get_by_text("保存しました").wait_for()
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    expect(status).to_be_visible()
    assert check_controls(page, "declaration detail") >= 5
    assert axe_check(page) == []
    shoot(page, status, "saved")
    shoot(page, page.locator("section.goal").first.locator(".goal-actions"), "buttons-small")
    shoot(page, page.locator("section.goal table.indicators").first, "table")
    # An htmx save with an error: the summary in the swapped form, nothing "saved".
    page.locator("#goals > details.editor > summary").click()
    empty = page.locator("form[action$='/goals/']")
    empty.evaluate("form => { form.noValidate = true; }")  # past the browser's own check of `required`
    with page.expect_response(lambda r: r.url.endswith("/goals/")):
        empty.locator("button[type=submit]").click()
    page.locator("#goals .error-summary").wait_for()
    assert "保存しました" not in status.inner_text()
    assert check_controls(page, "declaration detail with errors") >= 5
    assert axe_check(page) == []


def test_report_page_has_contents_and_downloads_at_the_top(page, axe_check, published) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1280, "height": 900})
    for kind, publication in published.items():
        page.goto(f"/p/midori/reports/{publication.pk}/")
        toc = page.locator("nav.report-toc")
        downloads = page.locator("section.downloads")
        # Both start within the first screen, before the report's body.
        assert toc.bounding_box()["y"] < 900 and downloads.bounding_box()["y"] < 900, kind
        assert downloads.get_by_role("link", name="PDF").count() == 1
        first = toc.get_by_role("link").first
        target = first.get_attribute("href")
        assert target and page.locator(target).count() == 1, target
        crumbs = page.get_by_role("navigation", name="パンくずリスト")
        assert crumbs.get_by_role("link").all_inner_texts() == ["ホーム", "架空県みどり市", "公表資料"]
        check_font(page, kind)
        check_controls(page, kind)
        assert axe_check(page) == [], kind
        if kind == "goals":
            shoot(page, page.locator(".report-head"), "report-head")
            shoot(page, page, "report-page")  # the first screen of the page

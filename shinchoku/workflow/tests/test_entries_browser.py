"""Issue 10 in Chromium: type into two entries, Ctrl+Enter saves both; a draft survives a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from shinchoku.core.audit import Actor
from shinchoku.organizations.models import Municipality, Section
from shinchoku.progress.models import ProgressEntry
from shinchoku.workflow.models import DocumentKind, EntryDraft
from shinchoku.workflow.services import round_open

from .conftest import RESULT_YEAR, add_entry, make_guideline
from .test_workflow_browser import collection_date, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_type_two_entries_ctrl_enter_saves_and_a_draft_survives_a_reload(
    browser, live_server, page, axe_check, municipality: Municipality, section: Section, staff, actor: Actor
) -> None:  # type: ignore[no-untyped-def]
    plan, rows = make_guideline(municipality, 2)
    add_entry(rows[0], ProgressEntry.Kind.PLAN, "市民意識調査を実施する。", section)
    add_entry(rows[1], ProgressEntry.Kind.PLAN, "外部評価委員会を開く。", section)
    collection_round = round_open(
        municipality=municipality,
        fiscal_year=RESULT_YEAR,
        kind=DocumentKind.GUIDELINE_PROGRESS,
        title="令和7年度 市民協働推進指針の進捗照会",
        deadline=collection_date(),
        sections=[section],
        actor=actor,
        plan=plan,
    )
    url = f"/m/midori/rounds/{collection_round.pk}/sections/{section.pk}/"
    first, second = ProgressEntry.objects.filter(
        kind=ProgressEntry.Kind.RESULT, fiscal_year=RESULT_YEAR
    ).order_by("row__initiative__path")

    # Under the real Content-Security-Policy (the shared fixture bypasses it for axe-core).
    context = browser.new_context(locale="ja-JP", base_url=live_server.url)
    strict = context.new_page()
    strict.set_default_timeout(10_000)
    refused: list[str] = []
    strict.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    log_in(strict, "staff")
    strict.goto(url)
    one, two = strict.locator(f"#entry-text-{first.pk}"), strict.locator(f"#entry-text-{second.pk}")
    family = one.evaluate("el => getComputedStyle(el).fontFamily")
    assert "BIZ UDPGothic" in family.split(",")[0], family  # long texts in the proportional font

    # Keyboard only: type, Tab on to the next box, type, Ctrl+Enter saves both in one POST.
    one.fill("")
    one.type("市民意識調査を実施し、回答率は42%だった。")
    one.focus()
    for _ in range(10):  # the buttons of the entry, then the next row's controls, then its box
        strict.keyboard.press("Tab")
        if strict.evaluate("document.activeElement.id") == f"entry-text-{second.pk}":
            break
    assert strict.evaluate("document.activeElement.id") == f"entry-text-{second.pk}"
    strict.keyboard.press("Control+A")
    strict.keyboard.type("外部評価委員会を2回開いた。")
    with strict.expect_response(lambda r: "/entries/save/" in r.url) as saving:
        strict.keyboard.press("Control+Enter")
    posted = saving.value.request.post_data or ""
    assert f"text-{first.pk}" in posted and f"text-{second.pk}" in posted
    status = strict.locator("#save-status")
    status.get_by_text("保存しました").wait_for()
    assert "保存しました（" in status.inner_text()
    strict.reload()
    assert one.input_value() == "市民意識調査を実施し、回答率は42%だった。"
    assert two.input_value() == "外部評価委員会を2回開いた。"
    first.refresh_from_db()
    assert first.text == "市民意識調査を実施し、回答率は42%だった。" and first.version == 2

    # Autosave: typing is kept as a draft (not the entry) and comes back after a reload.
    one.press("Control+End")
    with strict.expect_response(lambda r: "/entries/draft/" in r.url):
        one.type("さらに追記中")
    assert EntryDraft.objects.filter(user=staff, entry=first).exists()
    first.refresh_from_db()
    assert "さらに追記中" not in first.text
    strict.reload()
    assert one.input_value().endswith("さらに追記中")
    expect(strict.locator(".draft-notice")).to_be_visible()
    assert refused == []
    context.close()

    # The page with a draft passes axe-core.
    log_in(page, "staff")
    page.goto(url)
    expect(page.locator(".draft-notice")).to_be_visible()
    assert axe_check(page) == []
    # Discarding shows the saved text again.
    page.locator(".draft-notice button").click()
    page.wait_for_load_state()
    assert (
        page.locator(f"#entry-text-{first.pk}").input_value() == "市民意識調査を実施し、回答率は42%だった。"
    )
    assert not EntryDraft.objects.exists()

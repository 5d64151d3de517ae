"""The whole ladder in Chromium, as the issue tells it, with a screenshot of each step."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from shinchoku.core.audit import Actor
from shinchoku.organizations.models import Municipality, Section
from shinchoku.progress.models import ProgressEntry
from shinchoku.publishing.models import Publication
from shinchoku.workflow.models import DocumentKind
from shinchoku.workflow.services import round_open

from .conftest import RESULT_YEAR, add_entry, make_guideline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "build" / "artifacts"
# The README shows workflow-1, -3 and -6, copied by hand from build/artifacts (a test never
# writes into the tracked tree).


def log_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto("/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill("persona-password-1")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def step(page, request_url: str, action: str, comment: str = "") -> None:  # type: ignore[no-untyped-def]
    page.goto(request_url)
    form = page.locator(f"form[action$='/{action}/']")
    if comment:
        form.locator("textarea").fill(comment)
    form.locator("button").click()
    page.wait_for_load_state()


def shoot(page, name: str, axe_check=None) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if axe_check is not None:
        assert axe_check(page) == [], name


def test_prefill_edit_submit_send_back_fix_approve_publish(
    page,
    axe_check,
    municipality: Municipality,
    section: Section,
    staff,
    section_head,
    department_head,
    planner,
    actor: Actor,
) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    plan, rows = make_guideline(municipality)
    add_entry(rows[0], ProgressEntry.Kind.PLAN, "市民意識調査を実施し、施策評価に活用する。", section)
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
    request_url = f"/m/midori/rounds/{collection_round.pk}/sections/{section.pk}/"
    entry = ProgressEntry.objects.get(kind=ProgressEntry.Kind.RESULT, fiscal_year=RESULT_YEAR)

    # Staff find this year's results prefilled from last year's plans, edit and submit.
    log_in(page, "staff")
    page.goto("/m/midori/rounds/")
    page.get_by_role("link", name=collection_round.title).click()
    page.locator(f"a[href='{request_url}']").click()
    box = page.locator(f"#entry-text-{entry.pk}")
    assert box.input_value() == "市民意識調査を実施し、施策評価に活用する。"
    shoot(page, "workflow-1-prefilled", axe_check)
    box.fill("市民意識調査を実施し、回答率は42%だった。")
    with page.expect_response(lambda r: "/entries/save/" in r.url):
        page.locator("#entries-form button[type=submit]").click()  # まとめて保存 (htmx swaps the entries)
    assert (
        page.locator(f"#entry-text-{entry.pk}").input_value() == "市民意識調査を実施し、回答率は42%だった。"
    )
    step(page, request_url, "submit")
    shoot(page, "workflow-2-submitted")

    # The section head approves; the department head sends back with a comment.
    log_in(page, "section_head")
    step(page, request_url, "approve")
    log_in(page, "department_head")
    step(page, request_url, "send-back", "施策評価への活用状況も書いてください。")

    # Staff see the comment, fix and resubmit.
    log_in(page, "staff")
    page.goto(request_url)
    assert (
        page.locator("blockquote.sent-back").inner_text().endswith("施策評価への活用状況も書いてください。")
    )
    shoot(page, "workflow-3-sent-back", axe_check)
    page.locator(f"#entry-text-{entry.pk}").fill("市民意識調査を実施し、結果を施策評価に活用した。")
    with page.expect_response(lambda r: "/entries/save/" in r.url) as saved:
        page.locator(f"#entry-text-{entry.pk}").press("Control+Enter")
    assert saved.value.status == 200, saved.value.text()[:2000]
    assert saved.value.request.post_data and "text-" in saved.value.request.post_data, (
        saved.value.request.post_data
    )
    step(page, request_url, "submit")

    # The approvals complete; the planning section accepts and publishes.
    log_in(page, "section_head")
    step(page, request_url, "approve")
    log_in(page, "department_head")
    step(page, request_url, "approve")
    shoot(page, "workflow-4-approved")
    log_in(page, "planner")
    step(page, request_url, "accept")
    page.goto(f"/m/midori/rounds/{collection_round.pk}/")
    # 公表 shows the report as citizens will get it first, then asks for confirmation.
    page.locator("a[href$='/publish/']").click()
    page.wait_for_load_state()
    expect(page.get_by_text("市民意識調査を実施し、結果を施策評価に活用した。").first).to_be_visible()
    assert not Publication.objects.exists()
    shoot(page, "workflow-5-preview", axe_check)
    page.locator("input[name=confirm]").check()
    page.locator("form.confirm button[type=submit]").click()
    page.wait_for_load_state()
    shoot(page, "workflow-5-board", axe_check)
    page.goto(f"{request_url}history/")
    expect(page.get_by_text("施策評価への活用状況も書いてください。").first).to_be_visible()

    # The public page shows the new text.
    publication = Publication.objects.get(is_current=True)
    page.context.clear_cookies()
    page.goto(f"/p/midori/reports/{publication.pk}/")
    expect(page.get_by_text("市民意識調査を実施し、結果を施策評価に活用した。").first).to_be_visible()
    shoot(page, "workflow-6-published")


def collection_date():  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    return timezone.localdate() + timedelta(days=14)

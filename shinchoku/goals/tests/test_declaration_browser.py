"""The goal declaration form in Chromium: create, add a goal and an indicator with htmx, figures read back."""

import pytest
from playwright.sync_api import expect

from shinchoku.goals.models import Goal
from shinchoku.organizations.models import Department, Section
from shinchoku.plans.models import Target

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_department_head_declares_goals_in_the_browser(
    page, axe_check, department: Department, section: Section, department_head
) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login/")
    page.locator("input[name=username]").fill("department_head")
    page.locator("input[name=password]").fill("persona-password-1")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    page.goto("/m/midori/declarations/new/")
    page.locator("input[name=fiscal_year]").fill("2024")
    page.locator("select[name=department]").select_option(label="企画部")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/declarations/*/")
    assert axe_check(page) == []

    page.locator("details.editor summary").last.click()
    new_goal = page.locator("form[action$='/goals/']")
    new_goal.locator("input[name$=title]").fill("広報活動の充実")
    new_goal.locator("input[name$=sections]").first.check()
    new_goal.locator("textarea[name$=target_text]").fill("・総ページビュー数 450万件")
    with page.expect_response(lambda r: r.url.endswith("/goals/")):
        new_goal.locator("button[type=submit]").click()  # htmx swaps the goal list
    expect(page.get_by_text("広報活動の充実").first).to_be_visible()
    goal = Goal.objects.get()

    form = page.locator(f"form[action$='/goals/{goal.pk}/indicators/']")
    if not form.is_visible():
        page.locator(f"#goal-{goal.pk} details summary").last.click()
    form.locator("input[name$=name]").fill("総ページビュー数")
    form.locator("input[name$=target]").fill("４５０万件")
    # The figure is read back while typing (htmx), before anything is saved.
    page.wait_for_selector("ul.figure-check strong")
    assert "4500000件" in form.locator("ul.figure-check").inner_text().replace(",", "")
    with page.expect_response(lambda r: "/indicators/" in r.url):
        form.locator("button:not([name=check])").click()
    target = Target.objects.get()
    assert (target.indicator.name, target.value, target.fiscal_year) == ("総ページビュー数", 4500000, 2024)
    assert axe_check(page) == []

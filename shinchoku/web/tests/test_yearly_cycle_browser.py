"""A city runs its whole yearly cycle in the browser, from an empty database.

もみじ市 (fictional: 架空県, code 992046) is set up with the README's commands ("Setting up
your city") from the files in ``cycle/``. From then on everything happens in Chromium, as
its staff would do it:

1. the planning administrator logs in (temporary password → own password) and opens the
   goal-declaration round of this fiscal year for 企画部;
2. the head of 企画部 declares two goals with an indicator and a target each;
3. 企画政策課's staff submit from their home page (/my/), its head and the department head
   approve, the planning section accepts; 財政課 has nobody, so the planning section submits
   and approves on its behalf; 議会事務局, asked by mistake, is withdrawn;
4. the planning section publishes through the preview;
5. the year-end round: results and actual figures typed in the goal's form, a send-back
   seen on /my/ with its comment, a fix, the approvals, publishing again;
6. last year's guideline report is imported through the import page, a guideline round
   prefills this year's results from its plans, staff edit them, and it is published;
7. the portal shows the reports, and every download opens (the PDF holds what was typed).

The test creates no object itself: only the set-up commands and the browser write. Each step
leaves a screenshot in docs/screenshots/cycle/; every page visited is checked with axe-core
(WCAG 2.1 A and AA); the clicks of each task are counted. Product problems found on the way
(``tour.problem``) and axe violations are asserted at the end, so that one run lists them all;
run with ``-s`` to see the click counts.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HERE = Path(__file__).resolve().parent
CYCLE = HERE / "cycle"
# Screenshots go to build/ (a test run never writes into the tracked tree); to refresh the ones
# the README shows: SHINCHOKU_CYCLE_SCREENSHOTS=docs/screenshots/cycle make test-sqlite
SHOTS = Path(
    os.environ.get("SHINCHOKU_CYCLE_SCREENSHOTS", HERE.parents[2] / "build" / "screenshots" / "cycle")
).resolve()

CODE, NAME, PREFECTURE, SLUG = "992046", "もみじ市", "架空県", "momiji"
PLANNER, DEPARTMENT_HEAD, SECTION_HEAD, STAFF = (
    "momiji-kikaku",
    "momiji-bucho",
    "momiji-kacho",
    "momiji-tanto",
)

GOAL_WEB = "市ホームページによる情報発信の充実"
GOAL_FUND = "持続可能な財政運営"
WEB_RESULT_DRAFT = "トップページを全面改修し、災害情報の配信を始めた。"
WEB_RESULT_FIXED = "トップページを全面改修し、災害情報の配信を始めた。閲覧数は目標の94%だった。"
WEB_ACTUAL = "4,238,714件"
FUND_RESULT = "基金の取崩しを抑え、残高を確保した。"
FUND_ACTUAL = "11億2,000万円"
# How the report may print them: as typed, or in the official style with 万・億.
ACTUALS_PRINTED = ((WEB_ACTUAL, "423万8,714件"), (FUND_ACTUAL, "1,120,000,000円"))
SEND_BACK = "閲覧数が目標に届かなかった理由と達成率を書いてください。"
MID_YEAR_FORECAST = "約400万件"  # 見込 at mid-year: 88.9 % of 450万件, graded 概ね達成 provisionally
MID_YEAR_ISSUES = "災害情報の配信開始が遅れ、閲覧数が伸び悩んでいる。"
HEARING_NOTES = "閲覧数の伸び悩みは配信開始の遅れによるもの。"
HEARING_INSTRUCTION = "年度末までに災害情報の配信を始め、SNSでの告知を検討すること。"
ON_BEHALF = "職員が登録されていないため、企画政策課が代わって{step}します。"

GUIDELINE = "もみじ市市民参加推進指針"
GUIDELINE_PREFILLED = "市民意識調査を実施し、結果を施策評価に活用する。"  # last year's plan
GUIDELINE_RESULT = "市民意識調査を実施し、回答率は41%だった。結果を施策評価に活用した。"
GUIDELINE_PLAN = "市民意識調査の結果をオープンデータとして公開する。"
WITHDRAWN_PREFILL = "意見募集の予定を年度当初に把握し"  # 市民協働課's plan of last year


def fiscal_year_now() -> int:
    today = timezone.localdate()
    return today.year if today.month >= 4 else today.year - 1


def era_year(year: int, *, wide: bool = False) -> str:
    """令和8年度; ``wide``: with full-width digits, as the published documents write it."""
    number = year - 2018
    digits = "元" if number == 1 else str(number)
    if wide:
        digits = digits.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return f"令和{digits}年度"


YEAR = fiscal_year_now()


@dataclass
class Tour:
    """The browser and the users' passwords; what the run collects: shots, axe, clicks, problems."""

    page: Any
    axe_check: Any
    passwords: dict[str, str]
    task: str | None = None  # the task whose clicks are being counted
    clicks: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    typed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    violations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    checked: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    english: dict[str, str] = field(default_factory=dict)  # untranslated text → where
    internal: dict[str, str] = field(default_factory=dict)  # snake_case identifiers → where
    shots: list[str] = field(default_factory=list)

    # --- what the user does (counted) ---------------------------------------------------

    def count(self) -> None:
        if self.task:
            self.clicks[self.task] += 1

    def click(self, locator: Any) -> None:
        self.count()
        locator.click()

    def follow(self, locator: Any) -> None:
        """Click a link or a button that loads a new page."""
        self.count()
        with self.page.expect_navigation():
            locator.click()
        self.visited()

    def fill(self, locator: Any, text: str) -> None:
        if self.task:
            self.typed[self.task] += 1
        locator.fill(text)

    def select(self, locator: Any, **option: str) -> None:
        self.count()
        locator.select_option(**option)

    # --- what the test does (not counted) -----------------------------------------------

    @property
    def path(self) -> str:
        return "/" + self.page.url.split("/", 3)[3]

    def goto(self, path: str) -> None:
        self.page.goto(path)
        self.visited()

    def visited(self) -> None:
        """axe-core on each kind of page once (ids replaced by N); screenshots check their own state."""
        key = re.sub(r"\d+", "N", self.path.split("?")[0])
        if key not in self.checked:
            self.checked.add(key)
            self.axe(key)

    def axe(self, name: str) -> None:
        found = self.axe_check(self.page)
        if found:
            self.violations[name] = found
        # Japanese pages should not show English sentences (an untranslated string).
        text = self.page.locator("main").inner_text()
        for phrase in re.findall(r"[A-Za-z][a-z’']+(?: [A-Za-z’'.]+){2,}", text):
            self.english.setdefault(phrase, self.path)
        for word in re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", text):
            self.internal.setdefault(word, self.path)

    def screenshot(self, name: str) -> None:
        filename = f"{len(self.shots) + 1:02d}-{name}.png"
        self.page.screenshot(path=str(SHOTS / filename), full_page=False)
        self.shots.append(filename)
        self.axe(f"{filename} {self.path}")

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def main_text(self, limit: int = 2000) -> str:
        return self.page.locator("main").inner_text()[:limit]

    def log_in(self, username: str) -> None:
        """Log in; at the first log-in the temporary password is replaced, as the page asks."""
        page = self.page
        page.context.clear_cookies()
        self.goto("/login/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(self.passwords[username])
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert "/login/" not in page.url, f"{username} could not log in: {self.main_text()}"
        if "/password/" in page.url:
            self.visited()
            new = f"{username}-own-Pass-2026!"
            page.locator("input[name=old_password]").fill(self.passwords[username])
            page.locator("input[name=new_password1]").fill(new)
            page.locator("input[name=new_password2]").fill(new)
            if username == STAFF:
                self.screenshot("first-login-password")
            with page.expect_navigation():
                page.locator("main form button[type=submit]").click()
            assert "/password/" not in page.url, self.main_text()
            self.passwords[username] = new
            self.visited()

    def my_work_link(self, round_title: str, section: str) -> Any:
        """The link to one section's request on /my/."""
        return self.page.locator("main ul.tasks a", has_text=round_title).filter(has_text=section).first

    def board_link(self, section: str) -> Any:
        """The link to a section's request in the round page's list of what publishing waits for."""
        return self.page.locator("main ul.blockers li", has_text=section).locator("a").first

    def step(self, action: str, comment: str = "") -> None:
        """Take a step on the request page: fill its comment box if given, click its button."""
        form = self.page.locator(f"form[action$='/{action}/']")
        assert form.count() == 1, (
            f"no {action} button on {self.path}; buttons: {self.page.locator('main form button').all_inner_texts()}"
        )
        if comment:
            self.fill(form.locator("textarea"), comment)
        self.follow(form.locator("button[type=submit]"))
        if self.page.locator("form input[name=confirmed]").count():
            # Submitting an empty or untouched answer asks for a confirmation first.
            self.screenshot(f"confirm-{action}")
            self.follow(self.page.locator("main form button[type=submit]"))
        error = self.page.locator("ul.messages li.error")
        assert not error.count(), f"{action} on {self.path}: {error.all_inner_texts()}"

    def status(self) -> str:
        return self.page.locator("#request-status").inner_text().strip()


# --- the set-up commands ------------------------------------------------------------------


def set_up_city() -> dict[str, str]:
    """The README's "Setting up your city" (dry runs first), with call_command: the temporary passwords."""
    quiet = {"stdout": io.StringIO()}
    call_command(
        "municipality_create",
        "--code",
        CODE,
        "--name",
        NAME,
        "--prefecture",
        PREFECTURE,
        "--slug",
        SLUG,
        **quiet,
    )
    for dry_run in (["--dry-run"], []):
        call_command(
            "organization_import", str(CYCLE / "organization.csv"), "--municipality", SLUG, *dry_run, **quiet
        )
    call_command("users_import", str(CYCLE / "users.csv"), "--municipality", SLUG, "--dry-run", **quiet)
    out = io.StringIO()
    call_command("users_import", str(CYCLE / "users.csv"), "--municipality", SLUG, stdout=out)
    passwords = {}
    for line in out.getvalue().split("Temporary passwords", 1)[-1].splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith("momiji-"):
            passwords[parts[0]] = parts[1]
    assert set(passwords) == {PLANNER, DEPARTMENT_HEAD, SECTION_HEAD, STAFF}, out.getvalue()
    return passwords


# --- the tasks ------------------------------------------------------------------------------


def open_round(
    tour: Tour, kind: str, name: str, *, plan: str = "", extra_section: str = ""
) -> tuple[str, str, dict[str, bool]]:
    """The planning section opens a round of this fiscal year; returns its path, title and the sections offered."""
    page = tour.page
    tour.goto(f"/m/{SLUG}/rounds/")
    tour.task = f"open a round ({kind})"
    tour.follow(page.locator("main a[href$='/rounds/new/']"))
    year = page.get_by_label(re.compile(r"^年度[:：]?\s*(必須)?$"))
    options = year.locator("option").all_inner_texts()
    if not any(o.startswith(era_year(YEAR)) for o in options):
        tour.problem(f"/m/{SLUG}/rounds/new/: the 年度 select offers no {era_year(YEAR)}: {options}")
    if year.input_value() != str(YEAR):
        tour.select(year, value=str(YEAR))
    tour.select(page.locator("select[name=kind]"), label=kind)
    if plan:
        tour.select(page.locator("select[name=plan]"), label=plan)
    else:
        tour.click(page.get_by_label("企画部", exact=True))
    tour.follow(page.get_by_role("button", name="対象の課を選ぶ"))
    offered = {
        page.locator(f"label[for='{box.get_attribute('id')}']").inner_text().strip(): box.is_checked()
        for box in page.locator("input[name=sections]").all()
    }
    tour.screenshot(f"{name}-round-sections")
    if extra_section:
        tour.click(page.get_by_label(extra_section, exact=True))
    tour.fill(page.locator("input[name=deadline]"), (timezone.localdate() + timedelta(days=21)).isoformat())
    tour.follow(page.get_by_role("button", name="照会を開始する"))
    tour.task = None
    assert re.search(r"/rounds/\d+/$", page.url), tour.main_text()
    tour.screenshot(f"{name}-round-opened")
    return tour.path, page.locator("main h1").inner_text().strip(), offered


def take_step_from_my_work(tour: Tour, user: str, round_title: str, section: str, *actions: str) -> None:
    """Log in, open the request from /my/, take the step(s)."""
    tour.log_in(user)
    document = next(d for d in ("目標宣言", "達成状況", "指針", "中間ヒアリング") if d in round_title)
    tour.task = f"{'+'.join(actions)} from /my/ ({user}, {section}, {document})"
    link = tour.my_work_link(round_title, section)
    assert link.count(), f"/my/ of {user} does not list {section} of {round_title}: {tour.main_text()}"
    tour.follow(link)
    for action in actions:
        tour.step(action)
    tour.task = None


def on_behalf(tour: Tour, round_path: str, section: str, document: str) -> None:
    """The planning section submits and approves for a section with nobody, from the round page."""
    tour.goto(round_path)
    tour.task = f"submit and approve on behalf of {section} ({document})"
    tour.follow(tour.board_link(section))
    if document == "達成状況":
        goal_results(tour, GOAL_FUND, FUND_RESULT, FUND_ACTUAL)
    tour.step("submit-for", f"{section}に" + ON_BEHALF.format(step="提出"))
    tour.step("approve-for", f"{section}長が未登録のため、企画政策課が代わって承認します。")
    tour.task = None


def withdraw(tour: Tour, round_path: str, section: str, reason: str) -> None:
    tour.goto(round_path)
    tour.task = f"withdraw {section} from the round"
    tour.follow(tour.board_link(section))
    tour.step("withdraw", reason)
    tour.task = None


def publish(tour: Tour, round_path: str, name: str, *, shows: str, changes: str) -> None:
    """Preview and publish from the round page: the report as citizens will see it (``shows``),
    what changes against the published revision (``changes``), downloads that open; then publish."""
    page = tour.page
    tour.goto(round_path)
    tour.task = f"publish ({name})"
    tour.follow(page.locator(f"main a[href$='{round_path}publish/']"))
    tour.screenshot(f"{name}-preview")
    assert shows in page.locator("main .preview-frame").inner_text(), tour.main_text()
    assert changes in page.locator("main table.diff").inner_text(), tour.main_text()
    for a in page.locator("main .downloads a").all():
        href = a.get_attribute("href")
        status = page.request.get(href).status
        if status != 200:
            tour.problem(f"{round_path}publish/: the preview's download {href} answers {status}")
    tour.click(page.locator("input[name=confirm]"))
    tour.follow(page.locator("form.confirm button[type=submit]"))
    tour.task = None
    assert tour.path == round_path, tour.main_text()
    assert page.locator(f"main a[href^='/p/{SLUG}/reports/']").count(), tour.main_text()
    tour.screenshot(f"{name}-published")


def goal_results(tour: Tour, goal: str, result: str, actual: str) -> None:
    """On a year-end request: open the goal's results form, type the result and the actual, save."""
    page = tour.page
    tour.follow(page.locator("main table a", has_text=goal))
    if goal == GOAL_WEB:
        # What was said at the mid-year hearing is on the form: the status, the 見込, the instructions.
        recalled = (
            page.locator("main section.recall").inner_text()
            if page.locator("main section.recall").count()
            else ""
        )
        for said in ("やや遅れ", MID_YEAR_FORECAST, MID_YEAR_ISSUES, HEARING_INSTRUCTION):
            if said not in recalled:
                tour.problem(
                    f"{tour.path}: the year-end form does not recall {said!r} from the mid-year hearing"
                )
        if not any("year-end-recall" in shot for shot in tour.shots):
            tour.screenshot("year-end-recall")
    tour.fill(page.locator("textarea[name=result_text]"), result)
    box = page.locator("input[name^=actual_]").first
    if box.input_value() != actual:
        tour.fill(box, actual)
        # The figure is read back while typing (htmx), before anything is saved.
        try:
            page.wait_for_selector("#figure-check li strong", timeout=5000)
        except Exception:
            tour.problem(f"{tour.path}: the actual figure {actual} is not read back while typing")
        if goal == GOAL_WEB:
            tour.screenshot("year-end-goal-results")
    tour.follow(page.locator("main form button[type=submit]:not([name=check])"))
    assert page.locator("main table", has_text=result).count(), tour.main_text()


# --- the test -------------------------------------------------------------------------------


def test_a_city_runs_its_yearly_cycle_in_the_browser(page, axe_check, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    page.set_viewport_size({"width": 1280, "height": 900})
    tour = Tour(page=page, axe_check=axe_check, passwords=set_up_city())

    goal_declaration(tour)
    mid_year(tour)
    year_end(tour)
    guideline(tour, tmp_path)
    portal(tour)

    report(tour)
    assert not tour.problems, "\n".join(tour.problems)
    assert not tour.violations, json.dumps(tour.violations, ensure_ascii=False, indent=1)
    # Nothing internal or untranslated reaches a Japanese screen.
    assert not tour.english, tour.english
    assert not tour.internal, tour.internal


def goal_declaration(tour: Tour) -> None:
    page = tour.page
    # 1. The planning section opens the round; the sections of 企画部 are checked, and it adds
    #    議会事務局 by mistake.
    tour.log_in(PLANNER)
    tour.screenshot("planner-my-work")
    round_path, title, offered = open_round(tour, "目標宣言", "declaration", extra_section="議会事務局")
    assert offered.get("企画政策課") and offered.get("財政課") and not offered.get("議会事務局"), offered

    # 2. The department head declares the goals, with an indicator and a target each.
    tour.log_in(DEPARTMENT_HEAD)
    tour.goto(f"/m/{SLUG}/declarations/")
    tour.task = "declare two goals with an indicator and a target each"
    tour.follow(page.locator("main table a[href*='/declarations/']").first)
    declaration = tour.path
    for goal_title, section, content, target, indicator, unit, figure in (
        (
            GOAL_WEB,
            "企画政策課",
            "・トップページを改修する\n・災害情報を配信する",
            "・総ページビュー数 450万件",
            "総ページビュー数",
            "件",
            "450万件",
        ),
        (
            GOAL_FUND,
            "財政課",
            "・基金の取崩しを抑える",
            "・財政調整基金残高 10億円以上",
            "財政調整基金残高",
            "円",
            "１０億円",
        ),
    ):
        new_goal = page.locator(f"form[action$='{declaration}goals/']")
        if not new_goal.is_visible():
            tour.click(page.locator("#goals > details.editor > summary"))
        tour.fill(new_goal.locator("input[name$=title]"), goal_title)
        tour.click(new_goal.get_by_label(section, exact=True))
        tour.fill(new_goal.locator("textarea[name$=content]"), content)
        tour.fill(new_goal.locator("textarea[name$=target_text]"), target)
        with page.expect_response(lambda r: r.url.endswith("/goals/")):
            tour.click(new_goal.locator("button[type=submit]"))  # htmx swaps the goal list
        goal = page.locator("section.goal", has=page.locator("h2", has_text=goal_title))
        expect(goal).to_have_count(1)  # once htmx has swapped the new list in
        form = goal.locator("form[action*='/indicators/']").last
        if not form.is_visible():
            tour.click(goal.locator("details.editor > summary").last)
        tour.fill(form.locator("input[name$=name]"), indicator)
        tour.fill(form.locator("input[name$=unit]"), unit)
        tour.fill(form.locator("input[name$=target]"), figure)
        page.wait_for_selector(
            f"#{goal.get_attribute('id')} ul.figure-check strong"
        )  # read back while typing
        with page.expect_response(lambda r: "/indicators/" in r.url):
            tour.click(form.locator("button:not([name=check])"))
        expect(goal.locator("table.indicators").get_by_text(indicator).first).to_be_visible()
    tour.task = None
    page.reload()
    tour.screenshot("declaration-goals")
    assert "450万件" in tour.main_text(5000) or "4,500,000件" in tour.main_text(5000), tour.main_text()

    # 3. 企画政策課: the staff submit from their home page; the heads approve; planning accepts.
    tour.log_in(STAFF)
    tour.screenshot("staff-my-work")
    tour.task = "answer a request (staff, 目標宣言)"
    link = tour.my_work_link(title, "企画政策課")
    assert link.count(), tour.main_text()
    tour.follow(link)
    tour.screenshot("declaration-staff-request")
    tour.step("submit")
    tour.task = None
    assert tour.status() == "提出済み", tour.status()
    take_step_from_my_work(tour, SECTION_HEAD, title, "企画政策課", "approve")
    take_step_from_my_work(tour, DEPARTMENT_HEAD, title, "企画政策課", "approve")

    # 財政課 has nobody: planning answers and approves for it. 議会事務局 is withdrawn.
    tour.log_in(PLANNER)
    tour.goto(round_path)
    tour.screenshot("declaration-board-waiting")
    on_behalf(tour, round_path, "財政課", "目標宣言")
    tour.screenshot("declaration-on-behalf")
    withdraw(tour, round_path, "議会事務局", "議会事務局は目標宣言の対象外のため照会から外します。")
    take_step_from_my_work(tour, DEPARTMENT_HEAD, title, "財政課", "approve")
    take_step_from_my_work(tour, PLANNER, title, "企画政策課", "accept")
    take_step_from_my_work(tour, PLANNER, title, "財政課", "accept")

    # 4. Publishing through the preview.
    publish(tour, round_path, "declaration", shows=GOAL_FUND, changes=GOAL_WEB)


def mid_year(tour: Tour) -> None:
    """中間ヒアリング: the section reports a status, a 見込 and its issues; the planning section
    hears the department, notes and instructs; the department's dashboard shows the year so far."""
    page = tour.page
    round_path, title, offered = open_round(tour, "中間ヒアリング", "mid-year")
    assert offered.get("企画政策課") and offered.get("財政課") and not offered.get("議会事務局"), offered

    tour.log_in(STAFF)
    tour.task = "mid-year report of one goal (staff: status, 見込, issues)"
    tour.follow(tour.my_work_link(title, "企画政策課"))
    tour.follow(page.locator("main table a", has_text=GOAL_WEB))
    tour.click(page.get_by_label("やや遅れ", exact=True))
    tour.fill(page.locator("input[name^=forecast_]").first, MID_YEAR_FORECAST)
    tour.fill(page.locator("textarea[name=issues]"), MID_YEAR_ISSUES)
    tour.follow(page.locator("main form button[type=submit]"))
    tour.follow(page.locator("main table a", has_text=GOAL_WEB))
    provisional = page.locator("section[aria-labelledby=provisional]").inner_text()
    if "88.9%" not in provisional or "概ね達成" not in provisional:
        tour.problem(
            f"{tour.path}: the 見込 {MID_YEAR_FORECAST} is not graded provisionally: {provisional!r}"
        )
    tour.screenshot("mid-year-goal")
    tour.follow(page.locator("nav.breadcrumbs a", has_text="企画政策課"))
    tour.step("submit")
    tour.task = None
    take_step_from_my_work(tour, SECTION_HEAD, title, "企画政策課", "approve")
    take_step_from_my_work(tour, DEPARTMENT_HEAD, title, "企画政策課", "approve")
    tour.log_in(PLANNER)
    on_behalf(tour, round_path, "財政課", "中間ヒアリング")
    take_step_from_my_work(tour, DEPARTMENT_HEAD, title, "財政課", "approve")
    take_step_from_my_work(tour, PLANNER, title, "企画政策課", "accept")
    take_step_from_my_work(tour, PLANNER, title, "財政課", "accept")

    # The hearing: the planning section writes its notes and instructions for 企画部.
    tour.goto(round_path)
    tour.task = "write the hearing's notes and instructions (planning)"
    tour.follow(page.get_by_role("link", name="ヒアリングの記録と指示事項"))
    department = page.locator("main section", has=page.locator("h2", has_text="企画部"))
    tour.fill(department.locator("textarea[name=notes]"), HEARING_NOTES)
    tour.fill(department.locator("textarea[name=instructions]"), HEARING_INSTRUCTION)
    tour.follow(department.get_by_role("button", name="企画部の記録を保存する"))
    tour.task = None
    saved = page.locator("main section", has=page.locator("h2", has_text="企画部")).locator(
        "textarea[name=instructions]"
    )
    assert saved.input_value() == HEARING_INSTRUCTION, tour.main_text()
    tour.screenshot("mid-year-hearing")

    # The department head's dashboard: the goal behind, graded provisionally.
    tour.log_in(DEPARTMENT_HEAD)
    tour.task = "see the department's year so far (department head, from /my/)"
    tour.follow(page.get_by_role("link", name="企画部の今年度の状況"))
    tour.task = None
    row = page.locator("main tr", has_text=GOAL_WEB).inner_text()
    assert "やや遅れ" in row and "概ね達成" in row, row
    tour.screenshot("mid-year-dashboard")
    tour.log_in(PLANNER)


def year_end(tour: Tour) -> None:
    page = tour.page
    round_path, title, offered = open_round(tour, "年度末の達成状況", "year-end")
    # The sections named by the declaration's goals, and only they.
    assert offered.get("企画政策課") and offered.get("財政課") and not offered.get("議会事務局"), offered

    tour.log_in(STAFF)
    tour.task = "answer a request (staff, 達成状況: result and actual of one goal)"
    tour.follow(tour.my_work_link(title, "企画政策課"))
    goal_results(tour, GOAL_WEB, WEB_RESULT_DRAFT, WEB_ACTUAL)
    tour.screenshot("year-end-staff-request")
    tour.step("submit")
    tour.task = None

    tour.log_in(SECTION_HEAD)
    tour.task = "send back with a comment (section head)"
    tour.follow(tour.my_work_link(title, "企画政策課"))
    tour.step("send-back", SEND_BACK)
    tour.task = None

    # The staff find the request and the comment on their home page, fix and resubmit.
    tour.log_in(STAFF)
    assert SEND_BACK in page.locator("main li.task", has_text=title).inner_text(), tour.main_text()
    tour.screenshot("year-end-sent-back-on-my-work")
    tour.task = "fix and resubmit (staff)"
    tour.follow(tour.my_work_link(title, "企画政策課"))
    goal_results(tour, GOAL_WEB, WEB_RESULT_FIXED, WEB_ACTUAL)
    tour.step("submit")
    tour.task = None
    # The request's history: every change and step, with labels and dates people read.
    request_path = tour.path
    tour.goto(f"{request_path.rstrip('/')}/history/")
    assert "閲覧数が目標に届かなかった" in tour.main_text(20_000)
    tour.goto(request_path)

    take_step_from_my_work(tour, SECTION_HEAD, title, "企画政策課", "approve")
    take_step_from_my_work(tour, DEPARTMENT_HEAD, title, "企画政策課", "approve")
    tour.log_in(PLANNER)
    on_behalf(tour, round_path, "財政課", "達成状況")
    take_step_from_my_work(tour, DEPARTMENT_HEAD, title, "財政課", "approve")
    take_step_from_my_work(tour, PLANNER, title, "企画政策課", "accept")
    take_step_from_my_work(tour, PLANNER, title, "財政課", "accept")
    publish(tour, round_path, "year-end", shows=FUND_RESULT, changes=WEB_RESULT_FIXED)


def guideline(tour: Tour, tmp_path: Path) -> None:
    """Last year's published guideline report is imported; this year's round prefills from its plans."""
    page = tour.page
    document = tmp_path / "もみじ市市民参加推進指針_進捗状況.txt"
    template = (CYCLE / "guideline_progress.txt.template").read_text(encoding="utf-8")
    document.write_text(
        template.format(result=era_year(YEAR - 1, wide=True), plan=era_year(YEAR, wide=True)),
        encoding="utf-8",
    )

    tour.log_in(PLANNER)
    tour.goto(f"/m/{SLUG}/")
    tour.task = "import last year's guideline report"
    tour.follow(page.locator(f"main a[href$='/m/{SLUG}/imports/']"))
    tour.count()  # choosing the file
    page.locator("input[type=file]").set_input_files(str(document))
    tour.follow(page.locator("main form button[type=submit]"))
    tour.screenshot("guideline-import-preview")
    for box in page.locator("main form[action$='/commit/'] input[type=checkbox]").all():
        tour.problem(
            f"{tour.path}: importing もみじ市's own guideline asks to confirm {box.get_attribute('name')}"
        )
        tour.click(box)
    tour.follow(page.locator("main form[action$='/commit/'] button[type=submit]"))
    tour.task = None
    assert tour.path == f"/m/{SLUG}/imports/", tour.main_text()
    assert not page.locator("ul.messages li.error").count(), tour.main_text()

    round_path, title, offered = open_round(tour, "指針の進捗状況", "guideline", plan=GUIDELINE)
    # The sections named by last year's plans, and only they.
    assert offered.get("企画政策課") and offered.get("市民協働課") and offered.get("議会事務局"), offered
    assert not offered.get("財政課"), offered

    # 企画政策課: the result is prefilled from last year's plan; staff rewrite it, add a plan, submit.
    tour.log_in(STAFF)
    tour.task = "answer a request (staff, 指針: rewrite the prefilled result, add a plan)"
    tour.follow(tour.my_work_link(title, "企画政策課"))
    boxes = [
        b for b in page.locator("textarea[id^=entry-text-]").all() if b.input_value() == GUIDELINE_PREFILLED
    ]
    assert boxes, tour.main_text(4000)
    tour.screenshot("guideline-prefilled")
    entry = boxes[0].get_attribute("id").removeprefix("entry-text-")
    tour.fill(boxes[0], GUIDELINE_RESULT)
    with page.expect_response(lambda r: "/entries/save/" in r.url):
        tour.click(page.locator("#entries-form button[type=submit]"))  # まとめて保存 (htmx swaps the entries)
    assert page.locator(f"#entry-text-{entry}").input_value() == GUIDELINE_RESULT
    new = page.locator("section.initiative-row", has=page.locator(f"#entry-{entry}")).locator(
        "form.entry-new"
    )
    tour.select(new.locator("select[name=kind]"), value="plan")
    tour.fill(new.locator("textarea[name=text]"), GUIDELINE_PLAN)
    # The add answers POST …/entries/ (autosaved drafts go to …/entries/draft/ meanwhile).
    with page.expect_response(lambda r: r.url.endswith("/entries/") and r.request.method == "POST"):
        tour.click(new.locator("button[type=submit]"))
    page.wait_for_function(  # once htmx has swapped the row in
        "text => [...document.querySelectorAll('textarea[id^=entry-text-]')].some(box => box.value === text)",
        arg=GUIDELINE_PLAN,
    )
    tour.screenshot("guideline-edited")
    tour.step("submit")
    tour.task = None
    take_step_from_my_work(tour, SECTION_HEAD, title, "企画政策課", "approve")
    take_step_from_my_work(tour, DEPARTMENT_HEAD, title, "企画政策課", "approve")

    # 議会事務局 (outside any department, nobody in it): planning answers for it and, as there is
    # no department head, takes that step too before accepting. 市民協働課 is withdrawn.
    tour.log_in(PLANNER)
    on_behalf(tour, round_path, "議会事務局", "指針")
    withdraw(
        tour,
        round_path,
        "市民協働課",
        "市民協働課の実績は市民部の報告で別に取りまとめるため、照会から外します。",
    )
    take_step_from_my_work(tour, PLANNER, title, "企画政策課", "accept")
    take_step_from_my_work(tour, PLANNER, title, "議会事務局", "approve", "accept")
    publish(tour, round_path, "guideline", shows=GUIDELINE_PLAN, changes=GUIDELINE_RESULT)


def portal(tour: Tour) -> None:
    """Citizens read the reports; every download opens, and the PDF holds what was typed."""
    page = tour.page
    page.context.clear_cookies()
    tour.goto(f"/p/{SLUG}/")
    tour.screenshot("portal-index")
    reports = [a.get_attribute("href") for a in page.locator("main ul.report-list a").all()]
    assert len(reports) == 2, tour.main_text()  # the goal declaration (2nd revision) and the guideline
    downloads: dict[str, int] = {}
    csv_text = ""
    for href in reports:
        tour.goto(href)
        shown = tour.main_text(20000)
        is_guideline = GUIDELINE in shown
        tour.screenshot("portal-guideline" if is_guideline else "portal-goals")
        expected = (
            (GUIDELINE_RESULT, GUIDELINE_PLAN) if is_guideline else (GOAL_WEB, WEB_RESULT_FIXED, FUND_RESULT)
        )
        for typed in expected:
            assert typed in shown, f"{href} does not show {typed!r}"
        actuals = () if is_guideline else ACTUALS_PRINTED
        for forms in actuals:
            if not any(f in shown for f in forms):
                row = page.locator(
                    "main tr", has_text=GOAL_WEB if forms[0] == WEB_ACTUAL else GOAL_FUND
                ).first
                tour.problem(
                    f"{href}: the actual figure typed in the results form ({forms[0]}) is not on the page; "
                    f"its row reads {row.inner_text()!r}"
                )
        if is_guideline and WITHDRAWN_PREFILL in shown:
            tour.problem(
                f"{href}: 市民協働課 was withdrawn from the guideline round without answering, yet the result "
                f"prefilled from its plan of last year ({WITHDRAWN_PREFILL}…) is published as this year's result"
            )
        for a in page.locator("main .downloads a").all():
            url = a.get_attribute("href")
            response = page.request.get(url)
            downloads[url] = response.status
            if response.status != 200:
                continue
            body = response.body()
            if ".pdf" in url:
                pdf = pdf_cells(body)
                for typed in expected:
                    assert typed in pdf, f"{typed!r} is not in {url}: {pdf}"
                for forms in actuals:
                    if not any(f in pdf for f in forms):
                        tour.problem(
                            f"{url}: the actual figure typed in the results form ({forms[0]}) is not in the PDF"
                        )
            elif ".json" in url:
                json.loads(body)
            elif ".xlsx" in url:
                assert body[:2] == b"PK", url
            elif ".csv" in url:
                csv_text += body.decode("utf-8-sig")
    assert downloads and all(status == 200 for status in downloads.values()), downloads
    assert {re.sub(r"\?.*", "", u).rsplit(".", 1)[-1] for u in downloads} >= {"pdf", "xlsx", "csv", "json"}
    for value in ("4238714", "1120000000"):
        assert value in csv_text.replace(",", ""), f"the CSV downloads hold no actual {value}"


def pdf_cells(content: bytes) -> str:
    """The PDF's text, then each table cell with its lines joined (the table wraps long texts)."""
    import pdfplumber

    parts = []
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        for pdf_page in pdf.pages:
            parts.append(pdf_page.extract_text() or "")
            for table in pdf_page.extract_tables():
                parts.extend((cell or "").replace("\n", "") for row in table for cell in row)
    return "\n".join(parts)


def report(tour: Tour) -> None:
    print("\nClicks (and fields typed) per task:")
    for task, clicks in tour.clicks.items():
        print(f"  {clicks:3d} clicks, {tour.typed.get(task, 0):2d} fields  {task}")
    print("Screenshots:", ", ".join(tour.shots))
    print(f"axe-core: {len(tour.checked)} kinds of page and {len(tour.shots)} screenshot states checked")
    for problem in tour.problems:
        print("PROBLEM:", problem)
    for name, found in tour.violations.items():
        print("AXE:", name, found)
    for phrase, where in tour.english.items():
        print(f"ENGLISH on a Japanese page: {phrase!r} ({where})")

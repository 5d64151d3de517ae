"""A city runs a 施策評価 (policy evaluation) round in the browser, from an empty database.

かえで市 (fictional: 架空県, code 992054) is set up with the README's commands ("Setting up
your city") from the files in ``browser/``. From then on everything happens in Chromium:

1. the planning administrator logs in (temporary password → own password), opens 施策体系
   from /my/, uploads a broken file (the page lists each problem with its line and column),
   then the good one: the 総合計画 (2021–2030) with its 政策, 施策, 主な事業 and indicators;
2. they open the 施策評価 round of last fiscal year (the year evaluated) for that plan: the
   lead sections of the 施策 are checked;
3. 企画政策課's staff open the request from /my/, fill in the sheet of 施策 1-1 (an actual in
   Japanese style, ４２３万件; the project's budget, 1,234万円, settled amount and result; the
   internal grade, its reasons, the issues, the direction) and submit; the section head and
   the department head approve, the planning section accepts. 財政課 has nobody: the planning
   section submits and approves on its behalf. 市民協働課 (市民部, nobody) is withdrawn;
4. the planning section opens 「外部評価（委員会）」, assigns the sheet to committee member A
   (not B) and records a committee meeting;
5. member A finds the sheet under 評価待ち on /my/ and evaluates it; member B sees no sheet,
   and A's review is a 404 for B;
6. the planning section records the committee's grade and opinion; the lead section's staff
   enter the department's response (「委員会意見への対応を入力する」);
7. the planning section publishes through the preview; the portal shows the 施策, the
   achievement rate computed by the engine (4,230,000 ÷ 4,500,000 = 94.0%), the committee's
   opinion, the response and the roll-up by 政策; the PDF holds the 施策 and the opinion, the
   XLSX opens, the CSV tables download.

The test creates no object itself: only the set-up commands and the browser write. Each step
leaves a screenshot in build/screenshots/policy/; every kind of page visited is checked with
axe-core (WCAG 2.1 A and AA) and for English sentences and snake_case words. Product problems
found on the way (``tour.problem``), axe violations and untranslated text are asserted at the
end, so that one run lists them all; run with ``-s`` to see the click counts.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from shinchoku.web.tests.test_yearly_cycle_browser import Tour as CycleTour
from shinchoku.web.tests.test_yearly_cycle_browser import (
    era_year,
    fiscal_year_now,
    pdf_cells,
    report,
    withdraw,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HERE = Path(__file__).resolve().parent
FILES = HERE / "browser"
# Screenshots go to build/ (a test run never writes into the tracked tree).
SHOTS = Path(
    os.environ.get("SHINCHOKU_POLICY_SCREENSHOTS", HERE.parents[2] / "build" / "screenshots" / "policy")
).resolve()

CODE, NAME, PREFECTURE, SLUG = "992054", "かえで市", "架空県", "kaede"
PLANNER, STAFF, SECTION_HEAD, DEPARTMENT_HEAD = "kaede-kikaku", "kaede-tanto", "kaede-kacho", "kaede-bucho"
MEMBER_A, MEMBER_B = "kaede-iin-a", "kaede-iin-b"
MEMBER_A_NAME, MEMBER_B_NAME = "松本 里奈", "山口 浩二"
USERS = {PLANNER, STAFF, SECTION_HEAD, DEPARTMENT_HEAD, MEMBER_A, MEMBER_B}

YEAR = fiscal_year_now() - 1  # the year evaluated: last fiscal year
PLAN = "かえで市第2次総合計画"
LEAD, FINANCE, COOPERATION = "企画政策課", "財政課", "市民協働課"
POLICY = "情報発信の充実"  # 施策 1-1, 企画政策課
POLICY_LINK = f"1-1 {POLICY}"
AREA_1, AREA_2 = "1 市民とともにつくるまち", "2 持続可能な行財政運営"
INDICATOR = "市ホームページの年間閲覧数"
PROJECT = "ホームページ運営事業"

ACTUAL = "４２３万件"  # target of the year evaluated: 4,500,000 件 → 94.0%
ACTUAL_PRINTED = ("4,230,000件", "423万件")
RATE = "94.0%"
BUDGET, BUDGET_PRINTED = "1,234万円", ("12,340,000円", "1,234万円")
SETTLEMENT, SETTLEMENT_PRINTED = "１１，８７６，５４３円", ("11,876,543円", "1,187万6,543円")
PROJECT_RESULT = "トップページを全面改修し、災害情報の自動配信を始めた。"
GRADE = "概ね達成"
REASONS = "閲覧数は目標の94%に達したが、スマートフォンからの閲覧が伸び悩んだ。"
ISSUES = "高齢者に届く発信手段（紙・防災無線）との組み合わせが課題である。"
DIRECTION = "拡充"
MEMBER_COMMENT = "閲覧数だけでなく、市民が必要な情報にたどり着けたかを測る指標が望まれる。"
MEETING_TITLE = "第1回かえで市外部評価委員会"
MEETING_MINUTES = "施策1-1について担当課から説明を受け、質疑を行った。"
OPINION = "発信の量は増えたが、情報が届いていない層への対策を具体化されたい。"
RESPONSE = "自治会の回覧と防災無線による発信を組み合わせ、来年度から高齢者向けの配信を始める。"

# A 施策体系 with two mistakes a person makes (a 方向 the layout does not know, a target in words).
BROKEN = """政策番号,政策,施策番号,施策,施策の目的,担当部,担当課,区分,名称,単位,方向,基準値,基準年度,目標年度,目標値
1,市民とともにつくるまち,1-1,情報発信の充実,市の情報を届ける。,企画部,企画政策課,施策,,,,,,,
1,市民とともにつくるまち,1-1,,,,,指標,市ホームページの年間閲覧数,件,上昇,3500000,令和2年度,令和7年度,4500000
1,市民とともにつくるまち,1-1,,,,,指標,市ホームページの年間閲覧数,件,増加,3500000,令和2年度,令和12年度,たくさん
"""
BROKEN_PLACES = ("3行目「方向」列", "4行目「目標値」列")


class Tour(CycleTour):
    """The cycle test's tour, with its screenshots in build/screenshots/policy/."""

    def screenshot(self, name: str) -> None:
        filename = f"{len(self.shots) + 1:02d}-{name}.png"
        self.page.screenshot(path=str(SHOTS / filename), full_page=False)
        self.shots.append(filename)
        self.axe(f"{filename} {self.path}")

    def messages(self) -> str:
        return " ".join(self.page.locator("ul.messages li").all_inner_texts())


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
            "organization_import", str(FILES / "organization.csv"), "--municipality", SLUG, *dry_run, **quiet
        )
    call_command("users_import", str(FILES / "users.csv"), "--municipality", SLUG, "--dry-run", **quiet)
    out = io.StringIO()
    call_command("users_import", str(FILES / "users.csv"), "--municipality", SLUG, stdout=out)
    passwords = {}
    for line in out.getvalue().split("Temporary passwords", 1)[-1].splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith(f"{SLUG}-"):
            passwords[parts[0]] = parts[1]
    assert set(passwords) == USERS, out.getvalue()
    return passwords


# --- the steps ------------------------------------------------------------------------------


def structure(tour: Tour, tmp_path: Path) -> None:
    """1. The planning section uploads the 施策体系: a broken file first, then the good one."""
    page = tour.page
    tour.log_in(PLANNER)
    tour.screenshot("planner-my-work")
    tour.task = "upload the 施策体系"
    link = page.locator(f"main a[href$='/m/{SLUG}/policies/structure/']")
    assert link.count(), f"/my/ of the planner has no link to 施策体系: {tour.main_text()}"
    tour.follow(link.first)
    assert tour.path == f"/m/{SLUG}/policies/structure/", tour.path

    broken = tmp_path / "施策体系_誤り.csv"
    broken.write_text(BROKEN, encoding="utf-8")

    def upload(path: Path) -> None:
        tour.fill(page.get_by_label("計画の名称"), PLAN)
        tour.select(page.get_by_label("計画期間の初年度"), value="2021")
        tour.select(page.get_by_label("計画期間の最終年度"), value="2030")
        tour.count()  # choosing the file
        page.get_by_label(re.compile(r"^施策体系（CSVまたはExcel）")).set_input_files(str(path))
        tour.follow(page.get_by_role("button", name="アップロード"))

    upload(broken)
    problems = page.locator("main [role=alert] li").all_inner_texts()
    tour.screenshot("structure-broken-file")
    for place in BROKEN_PLACES:
        assert any(place in p and broken.name in p for p in problems), (place, problems, tour.main_text())
    assert not page.locator("main ul:not(.messages) > li", has_text=PLAN).count(), (
        "a broken file imported a plan"
    )

    upload(FILES / "policy_structure.csv")
    tour.task = None
    assert not page.locator("main [role=alert]").count(), tour.main_text()
    assert "3" in tour.messages() and PLAN in tour.messages(), tour.messages()
    plans = page.locator("main ul:not(.messages) > li", has_text=PLAN)
    assert plans.count() == 1, tour.main_text()
    assert f"{era_year(2021)}〜{era_year(2030)}" in plans.inner_text(), plans.inner_text()
    # The list of the city's 総合計画 is headed as such, not as the 予定 (plans) of a guideline's entries.
    heading = page.locator("main h2:has(+ ul:not(.messages))").first.inner_text().strip()
    if heading != "計画":
        tour.problem(
            f"/m/{SLUG}/policies/structure/: the list of the city's plans is headed 「{heading}」 (the 予定 of a "
            'guideline\'s entries: msgid "Plans" is shared), not 「計画」'
        )
    tour.screenshot("structure-uploaded")


def open_round(tour: Tour) -> tuple[str, str]:
    """2. The planning section opens the 施策評価 round of last fiscal year; returns its path and title."""
    page = tour.page
    tour.goto(f"/m/{SLUG}/rounds/")
    tour.task = "open the 施策評価 round"
    tour.follow(page.locator("main a[href$='/rounds/new/']"))
    year = page.locator("select[name=fiscal_year]")
    options = year.locator("option").all_inner_texts()
    assert any(o.startswith(era_year(YEAR)) for o in options), options
    tour.select(year, value=str(YEAR))
    tour.select(page.locator("select[name=kind]"), label="施策評価")
    tour.select(page.locator("select[name=plan]"), label=PLAN)
    tour.follow(page.get_by_role("button", name="対象の課を選ぶ"))
    offered = {
        page.locator(f"label[for='{box.get_attribute('id')}']").inner_text().strip(): box.is_checked()
        for box in page.locator("input[name=sections]").all()
    }
    tour.screenshot("round-sections")
    # The lead sections of the plan's 施策, and only they.
    assert offered.get(LEAD) and offered.get(FINANCE) and offered.get(COOPERATION), offered
    assert not offered.get("議会事務局"), offered
    title_box = page.locator("input[name=title]")
    assert PLAN in title_box.input_value() and era_year(YEAR) in title_box.input_value(), (
        title_box.input_value()
    )
    tour.fill(page.locator("input[name=deadline]"), (timezone.localdate() + timedelta(days=30)).isoformat())
    tour.follow(page.get_by_role("button", name="照会を開始する"))
    tour.task = None
    assert re.search(r"/rounds/\d+/$", page.url), tour.main_text()
    tour.screenshot("round-opened")
    return tour.path, page.locator("main h1").inner_text().strip()


def heading_of_indicators(tour: Tour) -> None:
    """The sheet's indicators are headed 指標 (a list of them), not 指標数 (their number)."""
    headings = [
        h.strip()
        for h in tour.page.locator("main h2, main caption").all_inner_texts()
        if h.strip().startswith("指標")
    ]
    if headings != ["指標"] * len(headings) or not headings:
        tour.problem(
            f"{tour.path}: the table of a 施策's indicators is headed {headings} (「指標数」 is the number of "
            'indicators: msgid "Indicators" is shared with the count columns of the roll-ups), not 「指標」'
        )


def take_step(tour: Tour, user: str, round_title: str, section: str, *actions: str) -> None:
    """Log in, open the request from /my/, take the step(s)."""
    tour.log_in(user)
    tour.task = f"{'+'.join(actions)} from /my/ ({user}, {section})"
    link = tour.my_work_link(round_title, section)
    assert link.count(), f"/my/ of {user} does not list {section} of {round_title}: {tour.main_text()}"
    tour.follow(link)
    for action in actions:
        tour.step(action)
    tour.task = None


def internal_evaluation(tour: Tour, round_path: str, title: str) -> str:
    """3. The lead section fills in its sheet and submits; the approvals; the other sections.

    Returns the path of the lead section's request."""
    page = tour.page
    tour.log_in(STAFF)
    tour.screenshot("staff-my-work")
    tour.task = "fill in the 施策評価シート and submit (staff)"
    link = tour.my_work_link(title, LEAD)
    assert link.count(), f"/my/ of the staff does not list the round: {tour.main_text()}"
    tour.follow(link)
    request_path = tour.path
    tour.screenshot("staff-request")
    tour.follow(page.locator("main table a", has_text=POLICY_LINK))
    tour.fill(page.get_by_label(f"実績値：{INDICATOR}"), ACTUAL)
    tour.fill(page.get_by_label(f"{PROJECT}の予算額（円）"), BUDGET)
    tour.fill(page.get_by_label(f"{PROJECT}の決算額（円）"), SETTLEMENT)
    tour.fill(page.get_by_label(f"{PROJECT}の実績"), PROJECT_RESULT)
    tour.select(page.get_by_label(re.compile(r"^内部評価")), label=GRADE)
    tour.fill(page.get_by_label(re.compile(r"^評価の理由")), REASONS)
    tour.fill(page.get_by_label(re.compile(r"^課題")), ISSUES)
    tour.select(page.get_by_label(re.compile(r"方向性")), label=DIRECTION)
    tour.screenshot("sheet-filled")
    tour.follow(page.get_by_role("button", name="保存", exact=True))
    assert tour.path == request_path, f"saving the sheet: {tour.path}: {tour.main_text()}"
    assert "保存しました" in tour.messages(), tour.messages()
    row = page.locator("main table tr", has_text=POLICY_LINK)
    assert GRADE in row.inner_text() and DIRECTION in row.inner_text(), row.inner_text()

    # The sheet reads back what was typed, and the engine's achievement rate.
    tour.follow(page.locator("main table a", has_text=POLICY_LINK))
    assert page.get_by_label(f"実績値：{INDICATOR}").input_value() == ACTUAL
    assert page.get_by_label(f"{PROJECT}の予算額（円）").input_value() in ("12,340,000", BUDGET)
    heading_of_indicators(tour)
    indicators = page.locator("main table", has_text=INDICATOR).first.inner_text()
    assert any(a in indicators for a in ACTUAL_PRINTED), indicators
    assert RATE in indicators, f"{tour.path}: the achievement rate is not {RATE}: {indicators}"
    tour.screenshot("sheet-saved")
    # What the section wrote is in the request's history (「すべての変更」), as for goals and entries.
    tour.goto(f"{request_path}history/")
    if REASONS not in tour.main_text(20_000):
        tour.problem(
            f"{request_path}history/ (「この照会先の変更履歴（すべての変更）」) lists none of the changes saved "
            f"on the section's 施策評価シート (internal grade, reasons, actual, budget): {tour.main_text(600)!r}"
        )
    tour.goto(request_path)
    # Submitting a sheet that is filled in goes through without a "nothing written" confirmation.
    tour.follow(page.locator("form[action$='/submit/'] button[type=submit]"))
    if page.locator("form input[name=confirmed]").count():
        warning = page.locator("main .warning-box").inner_text().strip()
        tour.problem(
            f"{request_path}submit/: submitting the filled-in 施策評価シート asks for a confirmation as if the "
            f"answer were empty: 「{warning}」"
        )
        tour.screenshot("confirm-submit-filled-sheet")
        tour.follow(page.locator("main form button[type=submit]"))
    tour.task = None
    assert tour.status() == "提出済み", tour.status()

    take_step(tour, SECTION_HEAD, title, LEAD, "approve")
    take_step(tour, DEPARTMENT_HEAD, title, LEAD, "approve")

    # 財政課 has nobody: the planning section answers and approves for it. 市民協働課 (市民部, with
    # nobody at all) is withdrawn.
    tour.log_in(PLANNER)
    tour.goto(round_path)
    tour.screenshot("round-waiting")
    tour.task = f"submit and approve on behalf of {FINANCE}"
    tour.follow(tour.board_link(FINANCE))
    tour.step("submit-for", f"{FINANCE}に職員が登録されていないため、企画政策課が代わって提出します。")
    tour.step("approve-for", f"{FINANCE}長が未登録のため、企画政策課が代わって承認します。")
    tour.task = None
    withdraw(
        tour,
        round_path,
        COOPERATION,
        "市民協働課の施策は市民部の評価体制が整う来年度から評価するため、照会から外します。",
    )
    take_step(tour, DEPARTMENT_HEAD, title, FINANCE, "approve")
    take_step(tour, PLANNER, title, LEAD, "accept")
    take_step(tour, PLANNER, title, FINANCE, "accept")
    return request_path


def committee(tour: Tour, round_path: str) -> tuple[str, str]:
    """4. The planning section assigns the sheet to member A and records a meeting.

    Returns the paths of the committee page and of the sheet's committee page."""
    page = tour.page
    tour.goto(round_path)
    tour.task = "assign the sheet to a committee member"
    tour.follow(page.get_by_role("link", name="外部評価（委員会）"))
    committee_path = tour.path
    tour.screenshot("committee-board")
    tour.follow(page.locator("main table a", has_text=POLICY_LINK))
    sheet_path = tour.path
    member_a, member_b = page.get_by_label(MEMBER_A_NAME), page.get_by_label(MEMBER_B_NAME)
    assert member_a.count() == 1 and member_b.count() == 1, tour.main_text()
    tour.click(member_a)
    tour.follow(page.get_by_role("button", name="割り当てる"))
    tour.task = None
    assert tour.path == sheet_path, tour.main_text()
    assert "委員を割り当てました" in tour.messages(), tour.messages()
    assert page.get_by_label(MEMBER_A_NAME).is_checked() and not page.get_by_label(MEMBER_B_NAME).is_checked()
    assert MEMBER_A_NAME in page.locator("main section", has=page.locator("#reviews")).inner_text()
    tour.screenshot("committee-sheet-assigned")

    tour.task = "record a committee meeting"
    tour.follow(page.get_by_role("link", name="外部評価", exact=True))  # the crumbs
    assert tour.path == committee_path, tour.path
    tour.fill(
        page.get_by_label(re.compile(r"^開催日")), (timezone.localdate() - timedelta(days=3)).isoformat()
    )
    tour.fill(page.get_by_label(re.compile(r"^表題")), MEETING_TITLE)
    tour.fill(page.get_by_label(re.compile(r"^出席者")), f"{MEMBER_A_NAME}、{MEMBER_B_NAME}")
    tour.fill(page.get_by_label(re.compile(r"^議事概要")), MEETING_MINUTES)
    tour.click(page.get_by_label(POLICY_LINK))
    tour.screenshot("committee-meeting-form")
    tour.follow(page.get_by_role("button", name="会議を記録する"))
    tour.task = None
    assert tour.path == committee_path, tour.main_text()
    assert "会議を記録しました" in tour.messages(), tour.messages()
    assert MEETING_TITLE in tour.main_text(5000)
    row = page.locator("main table tr", has_text=POLICY_LINK)
    assert MEMBER_A_NAME in row.inner_text() and MEMBER_B_NAME not in row.inner_text(), row.inner_text()
    tour.screenshot("committee-meeting-recorded")
    return committee_path, sheet_path


def reviews(tour: Tour) -> None:
    """5. Member A evaluates the sheet from /my/; member B sees nothing of it."""
    page = tour.page
    tour.log_in(MEMBER_A)
    to_review = page.locator("main section", has=page.get_by_role("heading", name=re.compile("^評価待ち")))
    assert to_review.count() == 1, f"/my/ of member A has no 評価待ち: {tour.main_text()}"
    assert POLICY_LINK in to_review.inner_text(), to_review.inner_text()
    tour.screenshot("member-a-my-work")
    tour.task = "evaluate a sheet (committee member)"
    tour.follow(to_review.get_by_role("link", name=POLICY_LINK))
    review_path = tour.path
    review_text = tour.main_text(10_000)
    for typed in (REASONS, ISSUES, PROJECT_RESULT):
        assert typed in review_text, f"{review_path} does not show {typed!r}"
    tour.select(page.get_by_role("combobox", name=re.compile(r"^あなたの評価")), label=GRADE)
    tour.fill(page.get_by_role("textbox", name=re.compile(r"^あなたの意見")), MEMBER_COMMENT)
    tour.screenshot("member-a-review")
    tour.follow(page.get_by_role("button", name="保存", exact=True))
    tour.task = None
    assert tour.path == f"/m/{SLUG}/policies/reviews/", tour.main_text()
    assert "保存しました" in tour.messages(), tour.messages()
    assert GRADE in page.locator("main table tr", has_text=POLICY_LINK).inner_text()
    tour.screenshot("member-a-reviews")
    # Evaluated: nothing waits for member A any more.
    tour.goto("/my/")
    assert not page.locator("main #review-heading").count(), tour.main_text()

    tour.log_in(MEMBER_B)
    tour.task = "see the sheets assigned (committee member B)"
    link = page.locator(f"main a[href$='/m/{SLUG}/policies/reviews/']")
    assert link.count(), f"/my/ of member B has no link to the sheets assigned: {tour.main_text()}"
    tour.follow(link.first)
    tour.task = None
    assert not page.locator("main a", has_text=POLICY).count(), tour.main_text()
    assert "担当する施策評価シートはまだありません" in tour.main_text(), tour.main_text()
    tour.screenshot("member-b-reviews")
    response = page.goto(review_path)
    assert response is not None and response.status == 404, (review_path, response and response.status)
    assert MEMBER_COMMENT not in page.content()


def opinion_and_response(tour: Tour, committee_path: str, sheet_path: str, title: str) -> None:
    """6. The committee's opinion (planning section), then the department's response (staff)."""
    page = tour.page
    tour.log_in(PLANNER)
    tour.goto(committee_path)
    tour.task = "record the committee's opinion"
    tour.follow(page.locator("main table a", has_text=POLICY_LINK))
    assert tour.path == sheet_path
    assert MEMBER_COMMENT in tour.main_text(10_000), "the member's evaluation is not on the committee's sheet"
    tour.select(page.get_by_role("combobox", name=re.compile(r"^委員会の評価")), label=GRADE)
    tour.fill(page.get_by_role("textbox", name=re.compile(r"^委員会の意見")), OPINION)
    tour.screenshot("committee-opinion")
    tour.follow(page.get_by_role("button", name="意見を保存する"))
    tour.task = None
    assert tour.path == committee_path, tour.main_text()
    assert "保存しました" in tour.messages(), tour.messages()
    row = page.locator("main table tr", has_text=POLICY_LINK).inner_text()
    assert GRADE in row and "対応待ち" in row, row

    # The lead section's staff answer the committee's opinion.
    tour.log_in(STAFF)
    tour.screenshot("staff-my-work-response-waiting")
    if POLICY not in tour.main_text(5000):
        tour.problem(
            "/my/ of the lead section's staff does not mention the committee's opinion that waits for the "
            f"department's response (施策 {POLICY_LINK}): the request is accepted, so nothing leads them "
            "back to the sheet"
        )
    tour.task = "respond to the committee's opinion (staff, from /my/)"
    tour.follow(page.locator("main ul.tasks a", has_text=POLICY).first)
    assert OPINION in tour.main_text(10_000), tour.main_text()
    crumbs = " > ".join(page.locator("nav.site-breadcrumbs li").all_inner_texts())
    if title not in crumbs:
        tour.problem(
            f"{tour.path}: the response page's breadcrumbs ({crumbs!r}) lead back to neither the round nor the "
            "section's request, unlike the sheet's other pages"
        )
    tour.fill(page.get_by_role("textbox", name=re.compile(r"^委員会意見への対応")), RESPONSE)
    tour.screenshot("response-form")
    tour.follow(page.get_by_role("button", name="保存", exact=True))
    tour.task = None
    assert "保存しました" in tour.messages(), tour.messages()
    assert page.get_by_role("textbox", name=re.compile(r"^委員会意見への対応")).input_value() == RESPONSE
    tour.screenshot("response-saved")


def publish(tour: Tour, round_path: str) -> None:
    """7. The planning section publishes the 施策評価報告書 through the preview."""
    page = tour.page
    tour.log_in(PLANNER)
    tour.goto(round_path)
    tour.task = "publish the 施策評価報告書"
    tour.follow(page.locator(f"main a[href$='{round_path}publish/']"))
    tour.screenshot("preview")
    preview = page.locator("main .preview-frame").inner_text()
    for shown in (POLICY, RATE, OPINION, RESPONSE, REASONS):
        assert shown in preview, f"the preview does not show {shown!r}: {preview[:3000]}"
    assert COOPERATION in page.locator("main .warning-box").inner_text(), tour.main_text()  # withdrawn
    # What publishing changes against what citizens see now (nothing yet): every 施策, as added.
    diff = page.locator("main table.diff")
    diff_text = diff.inner_text() if diff.count() else ""
    if POLICY not in diff_text or OPINION not in diff_text:
        section = page.locator("main section.preview").first.inner_text()[:120]
        tour.problem(
            f"{round_path}publish/: 「現在公表中の内容からの変更点」 lists nothing of the 施策評価報告書 (no "
            f"{POLICY}, no committee opinion); the section reads {section!r}"
        )
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
    tour.screenshot("published")


def rollup_rows(tour: Tour) -> dict[str, dict[str, str]]:
    """The roll-up by 政策 on the portal page: row heading → column heading → cell."""
    table = tour.page.locator(
        "main section", has=tour.page.get_by_role("heading", name="政策別の集計")
    ).locator("table")
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    rows = {}
    for tr in table.locator("tbody tr").all():
        cells = [c.strip() for c in tr.locator("th, td").all_inner_texts()]
        rows[cells[0]] = dict(zip(headers[1:], cells[1:], strict=True))
    return rows


def portal(tour: Tour) -> None:
    """Citizens read the 施策評価報告書; every download opens, the PDF holds what was typed."""
    page = tour.page
    page.context.clear_cookies()
    tour.goto(f"/p/{SLUG}/")
    tour.screenshot("portal-index")
    reports = [a.get_attribute("href") for a in page.locator("main ul.report-list a").all()]
    assert len(reports) == 1, tour.main_text()
    tour.goto(reports[0])
    shown = tour.main_text(50_000)
    tour.screenshot("portal-report")
    assert "施策評価報告書" in page.locator("main h1").inner_text(), page.locator("main h1").inner_text()
    sheet = page.locator("main article.policy-sheet", has_text=POLICY)
    assert sheet.count() == 1, shown[:3000]
    sheet_text = sheet.inner_text()
    for typed in (POLICY, REASONS, ISSUES, PROJECT_RESULT, OPINION, RESPONSE, DIRECTION, GRADE):
        assert typed in sheet_text, f"{reports[0]} does not show {typed!r} in {POLICY_LINK}"
    caption = sheet.locator("table", has_text=INDICATOR).locator("caption").inner_text().strip()
    if caption != "指標":
        tour.problem(
            f"{reports[0]}: the table of a 施策's indicators is captioned 「{caption}」, not 「指標」"
        )
    indicator_row = sheet.locator("tr", has_text=INDICATOR).inner_text()
    assert RATE in indicator_row, f"{reports[0]}: the achievement rate is not {RATE}: {indicator_row!r}"
    assert any(a in indicator_row for a in ACTUAL_PRINTED), indicator_row
    project_row = sheet.locator("tr", has_text=PROJECT).inner_text()
    assert any(b in project_row for b in BUDGET_PRINTED), project_row
    assert any(s in project_row for s in SETTLEMENT_PRINTED), project_row
    assert MEETING_TITLE in shown, "the committee meeting is not in the report"

    rollup = rollup_rows(tour)
    # 施策数, then the internal grades (未評価 last), then the directions.
    assert set(rollup) == {AREA_1, AREA_2, "合計"}, rollup
    # 市民協働課 was withdrawn: its 施策 is left out (the preview said so), never a draft published.
    expected = {
        AREA_1: {"施策数": "1", GRADE: "1", "未評価": "0", DIRECTION: "1"},
        AREA_2: {"施策数": "1", GRADE: "0", "未評価": "1", DIRECTION: "0"},
        "合計": {"施策数": "2", GRADE: "1", "未評価": "1", DIRECTION: "1"},
    }
    for area, cells in expected.items():
        for column, value in cells.items():
            assert rollup[area].get(column) == value, (area, column, rollup)

    downloads: dict[str, int] = {}
    csv_text = ""
    for a in page.locator("main .downloads a").all():
        url = a.get_attribute("href")
        response = page.request.get(url)
        downloads[url] = response.status
        if response.status != 200:
            continue
        body = response.body()
        if ".pdf" in url:
            pdf = pdf_cells(body)
            for typed in (POLICY, OPINION):
                assert typed in pdf, f"{typed!r} is not in {url}: {pdf[:3000]}"
        elif ".xlsx" in url:
            import openpyxl

            book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
            workbook = " ".join(
                str(value)
                for ws in book.worksheets
                for row in ws.iter_rows(values_only=True)
                for value in row
            )
            assert POLICY in workbook and OPINION in workbook, f"{url}: {workbook[:2000]}"
        elif ".json" in url:
            json.loads(body)
        elif ".csv" in url:
            text = body.decode("utf-8-sig")
            assert list(csv.reader(io.StringIO(text))), url
            csv_text += text
    assert downloads and all(status == 200 for status in downloads.values()), downloads
    assert {re.sub(r"\?.*", "", u).rsplit(".", 1)[-1] for u in downloads} >= {"pdf", "xlsx", "csv"}, downloads
    assert len([u for u in downloads if ".csv" in u]) >= 3, downloads  # 施策, 指標, 主な事業
    for value in ("4230000", "12340000", "11876543", OPINION, RESPONSE):
        assert value in csv_text.replace(",", ""), f"the CSV downloads hold no {value}"


# --- the test -------------------------------------------------------------------------------


def test_a_city_runs_a_policy_evaluation_round_in_the_browser(page, axe_check, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    page.set_viewport_size({"width": 1280, "height": 900})
    tour = Tour(page=page, axe_check=axe_check, passwords=set_up_city())

    structure(tour, tmp_path)
    round_path, title = open_round(tour)
    internal_evaluation(tour, round_path, title)
    committee_path, sheet_path = committee(tour, round_path)
    reviews(tour)
    opinion_and_response(tour, committee_path, sheet_path, title)
    publish(tour, round_path)
    portal(tour)

    report(tour)
    # One failure listing everything found: the product's problems, axe-core's violations, and
    # anything internal or untranslated on a Japanese screen.
    found = {
        "problems": tour.problems,
        "axe-core violations": tour.violations,
        "English on a Japanese page": tour.english,
        "snake_case on a Japanese page": tour.internal,
    }
    assert not any(found.values()), json.dumps(
        {k: v for k, v in found.items() if v}, ensure_ascii=False, indent=1
    )

"""The 施策評価報告書 writers: a fictional city's year, read back with pdfplumber, openpyxl and csv."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

import openpyxl
import pdfplumber
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shinchoku.documents.policy_evaluation import (
    DIRECTIONS,
    ParsedPolicyEvaluation,
    PolicyIndicatorLine,
    PolicyMeetingLine,
    PolicyProjectLine,
    PolicySheetLine,
)
from shinchoku.reports import moment
from shinchoku.reports.opendata import Publisher
from shinchoku.reports.policy_reports import (
    POLICY_CSV_TABLES,
    UNGRADED,
    area_rollup,
    policy_evaluation_csv,
    policy_evaluation_pdf,
    policy_evaluation_xlsx,
    thousand_yen,
)
from shinchoku.reports.tests.test_pdf import compact, embedded_fonts

PUBLISHER = Publisher(code="992011", name="みどり市")
SHEETS = ["施策評価", "指標", "主な事業", "政策別集計", "委員会"]


def midori() -> ParsedPolicyEvaluation:
    """Two 政策, three 施策; 1-2 has no indicator, no project and no evaluation yet."""
    children = "安心して子どもを産み育てられるまち"
    return ParsedPolicyEvaluation(
        plan="みどり市第5次総合計画",
        fiscal_year=2025,
        title="令和7年度 施策評価報告書",
        grades=["A", "B", "C", "D"],
        sheets=[
            PolicySheetLine(
                area_label="1",
                area_title=children,
                label="1-1",
                title="子育て支援の充実",
                purpose="子育て世帯が安心して暮らせるよう、相談と保育の体制を整える。",
                department="こども未来部",
                sections=["子育て支援課", "保育課"],
                indicators=[
                    PolicyIndicatorLine(
                        name="待機児童数",
                        unit="人",
                        baseline="42",
                        baseline_year=2020,
                        target="0",
                        actual="3",
                        rate="92.9",
                        grade="A",
                    ),
                    PolicyIndicatorLine(
                        name="子育て相談件数",
                        unit="件",
                        target="1200",
                        actual="1150.5",
                        actual_provisional=True,
                        rate="95.9",
                        grade="B",
                    ),
                ],
                projects=[
                    PolicyProjectLine(
                        title="保育所整備事業", budget="12345678", settlement="12345499", result="2園を整備"
                    ),
                    PolicyProjectLine(title="子育て相談事業", budget="800000", settlement=None),
                ],
                internal_grade="A",
                reasons="待機児童が大きく減少した。",
                issues="保育士の確保が課題である。",
                direction="拡充",
                committee_grade="A",
                committee_opinion="保育士の処遇改善にも取り組まれたい。",
                response="令和8年度から保育士の宿舎借り上げを支援する。",
            ),
            PolicySheetLine(area_label="1", area_title=children, label="1-2", title="母子保健の推進"),
            PolicySheetLine(
                area_label="2",
                area_title="活力ある産業のまち",
                label="2-1",
                title="商工業の振興",
                department="産業部",
                sections=["商工観光課"],
                internal_grade="B",
                direction="継続",
                committee_grade="B",
                committee_opinion="創業支援の成果を数値で示されたい。",
            ),
        ],
        meetings=[
            PolicyMeetingLine(
                held_on="2025-08-20",
                title="第1回外部評価委員会",
                attendees="委員5名",
                minutes="施策1-1を審議",
            ),
            PolicyMeetingLine(held_on="2025-10-03", title="第2回外部評価委員会"),
        ],
    )


@pytest.fixture(scope="module")
def document() -> ParsedPolicyEvaluation:
    return midori()


@pytest.fixture(scope="module")
def pdf(document: ParsedPolicyEvaluation) -> bytes:
    return policy_evaluation_pdf(document)


def pdf_text(data: bytes) -> str:
    with pdfplumber.open(BytesIO(data)) as opened:
        return compact("".join(page.extract_text() for page in opened.pages))


def pdf_rows(data: bytes, header: list[str]) -> list[list[str]]:
    """The body rows of every table whose header is ``header``, cells compacted."""
    with pdfplumber.open(BytesIO(data)) as opened:
        return [
            [compact(cell or "") for cell in row]
            for page in opened.pages
            for table in page.extract_tables()
            if [compact(cell or "") for cell in table[0]] == header
            for row in table[1:]
        ]


# --- roll-up ----------------------------------------------------------------------------------


def test_area_rollup_counts_grades_directions_and_the_ungraded(document: ParsedPolicyEvaluation) -> None:
    first, second, total = area_rollup(document, total=True)
    assert (first.area_label, first.policies, first.total) == ("1", 2, False)
    assert first.grades == {"A": 1, "B": 0, "C": 0, "D": 0, UNGRADED: 1}
    assert first.directions == {"拡充": 1, "継続": 0, "改善": 0, "縮小": 0, "廃止": 0}
    assert (second.area_title, second.policies, second.grades["B"], second.directions["継続"]) == (
        "活力ある産業のまち",
        1,
        1,
        1,
    )
    assert (total.area_title, total.policies, total.total) == ("合計", 3, True)
    assert total.grades == {"A": 1, "B": 1, "C": 0, "D": 0, UNGRADED: 1}
    assert list(total.directions) == list(DIRECTIONS)
    assert len(area_rollup(document)) == 2  # no total unless asked


def test_a_grade_outside_the_scale_gets_its_own_column() -> None:
    document = midori()
    document.sheets[2].internal_grade = "S"
    assert list(area_rollup(document)[1].grades.items()) == [
        ("A", 0),
        ("B", 0),
        ("C", 0),
        ("D", 0),
        ("S", 1),
        (UNGRADED, 0),
    ]


@pytest.mark.parametrize(
    ("amount", "printed"),
    [
        ("12345678", "12,346"),
        ("12345499", "12,345"),
        ("1500", "2"),  # half up, not to even
        ("2500", "3"),
        ("499.99", "0"),
        ("-400", "0"),  # never "-0"
        ("1E+5", "100"),
        ("99999999999999999999.5", "100,000,000,000,000,000"),
        ("0.49999999999999999999999999999999999", "0"),  # not rounded to 28 digits first
        (None, "—"),
        ("", "—"),
        ("未定", "未定"),
    ],
)
def test_thousand_yen(amount: str | None, printed: str) -> None:
    assert thousand_yen(amount) == printed


# --- PDF --------------------------------------------------------------------------------------


def test_pdf_holds_the_report(pdf: bytes) -> None:
    text = pdf_text(pdf)
    for expected in [
        "令和7年度施策評価報告書",
        "みどり市第5次総合計画",
        "施策1-1子育て支援の充実",
        "施策2-1商工業の振興",
    ]:
        assert expected in text
    assert "令和7年8月20日" in text  # the meeting, in the era
    assert "施策1-1を審議" in text


def test_pdf_tables(pdf: bytes) -> None:
    indicators = pdf_rows(pdf, ["指標名", "単位", "基準値（年度）", "目標値", "実績値", "達成率", "評価"])
    assert ["待機児童数", "人", "42（令和2年度）", "0", "3", "92.9%", "A"] in indicators
    assert ["子育て相談件数", "件", "—", "1200", "1150.5（見込）", "95.9%", "B"] in indicators
    projects = pdf_rows(pdf, ["事業名", "予算額（千円）", "決算額（千円）", "実績"])
    assert ["保育所整備事業", "12,346", "12,345", "2園を整備"] in projects
    assert ["子育て相談事業", "800", "—", "—"] in projects
    internal = pdf_rows(pdf, ["評価", "今後の方向性", "評価の理由", "課題"])
    assert internal == [
        ["A", "拡充", "待機児童が大きく減少した。", "保育士の確保が課題である。"],
        ["—", "—", "—", "—"],  # 1-2: nothing said yet
        ["B", "継続", "—", "—"],
    ]
    committee = pdf_rows(pdf, ["委員会の評価", "委員会の意見"])
    assert committee[0] == ["A", "保育士の処遇改善にも取り組まれたい。"]
    assert pdf_rows(pdf, ["委員会意見への対応"])[0] == ["令和8年度から保育士の宿舎借り上げを支援する。"]
    rollup = pdf_rows(pdf, ["政策", "施策数", "A", "B", "C", "D", "未評価", *DIRECTIONS])
    assert rollup[-1] == ["合計", "3", "1", "1", "0", "0", "1", "1", "1", "0", "0", "0"]


def test_pdf_is_portrait_with_embedded_fonts(pdf: bytes) -> None:
    with pdfplumber.open(BytesIO(pdf)) as opened:
        assert all(page.width < page.height for page in opened.pages)
        assert len(opened.pages) == 5  # roll-up, three sheets, meetings
        assert opened.pages[-1].extract_text().splitlines()[-1] == "5 / 5"
    fonts = embedded_fonts(pdf)
    assert fonts and all(fonts.values()), fonts
    assert all("BIZUDGothic" in name for name in fonts), fonts


# --- XLSX and CSV ----------------------------------------------------------------------------


def test_xlsx_sheets_and_typed_numbers(document: ParsedPolicyEvaluation) -> None:
    workbook = openpyxl.load_workbook(BytesIO(policy_evaluation_xlsx(document)))
    assert workbook.sheetnames == SHEETS
    policies = list(workbook["施策評価"].values)
    assert len(policies) == 4 and policies[0][:4] == ("政策番号", "政策", "施策番号", "施策")
    assert policies[1][10] == "拡充"
    indicators = list(workbook["指標"].values)
    assert indicators[1][4:10] == (42, 2020, 0, 3, None, 92.9)  # 見込 blank: not provisional
    assert indicators[2][7:9] == (1150.5, "○")
    projects = list(workbook["主な事業"].values)
    assert projects[1][3:5] == (12345678, 12345499)
    assert projects[2][4] is None
    rollup = list(workbook["政策別集計"].values)
    assert rollup[-1] == (None, "合計", 3, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0)
    meetings = list(workbook["委員会"].values)
    assert (meetings[1][0].date(), meetings[1][1]) == (date(2025, 8, 20), "令和7年8月20日")  # a date cell


@pytest.mark.parametrize(("table", "rows"), [("policies", 3), ("indicators", 2), ("projects", 2)])
def test_csv_tables(document: ParsedPolicyEvaluation, table: str, rows: int) -> None:
    data = policy_evaluation_csv(document, table, PUBLISHER)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0][:5] == ["地方公共団体コード", "地方公共団体名", "年度", "年度（和暦）", "計画"]
    assert len(lines) == 1 + rows
    assert lines[1][:5] == ["992011", "みどり市", "2025", "令和7年度", "みどり市第5次総合計画"]
    assert table in POLICY_CSV_TABLES


def test_csv_figures_are_exact() -> None:
    document = midori()
    document.sheets[0].projects[0].budget = "12345678901234567890"
    data = policy_evaluation_csv(document, "projects", PUBLISHER).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(data)))[1][8:10] == ["12345678901234567890", "12345499"]
    indicators = list(
        csv.reader(io.StringIO(policy_evaluation_csv(document, "indicators", PUBLISHER).decode()))
    )
    assert indicators[2][13] == "1"  # 見込


def test_an_unknown_csv_table_is_refused(document: ParsedPolicyEvaluation) -> None:
    with pytest.raises(ValueError, match="goals"):
        policy_evaluation_csv(document, "goals", PUBLISHER)


def test_a_published_revision_renders_to_the_same_bytes(document: ParsedPolicyEvaluation) -> None:
    with moment.fixed(datetime(2025, 9, 1, 10, 0, tzinfo=UTC)):
        assert policy_evaluation_pdf(document) == policy_evaluation_pdf(document)
        assert policy_evaluation_xlsx(document) == policy_evaluation_xlsx(document)


def test_json_round_trip(document: ParsedPolicyEvaluation) -> None:
    assert ParsedPolicyEvaluation.from_json(document.to_json()) == document


# --- any text ---------------------------------------------------------------------------------

# Long Japanese runs without a blank (the wrapper must cut them), any text, or nothing.
_KANA = "".join(map(chr, range(0x3041, 0x3097))) + "漢字施策評価報告書、。「」（）ー"
texts = st.one_of(st.just(""), st.text(alphabet=_KANA, min_size=500, max_size=3000), st.text(max_size=80))
# A grade is a scale's label (at most 50 characters): the roll-up's header prints it.
grades = (
    st.sampled_from(["A", "B", ""]) | st.text(max_size=50) | st.text(alphabet=_KANA, min_size=50, max_size=50)
)


@st.composite
def figures(draw: st.DrawFn) -> str | None:
    """A decimal string of up to 20 digits, or None."""
    if draw(st.booleans()):
        return None
    digits = draw(st.integers(min_value=1, max_value=20))
    value = Decimal(draw(st.integers(min_value=-(10**digits) + 1, max_value=10**digits - 1)))
    return format(value.scaleb(-draw(st.integers(min_value=0, max_value=digits))), "f")


indicators = st.builds(
    PolicyIndicatorLine,
    name=texts,
    unit=texts,
    baseline=figures(),
    baseline_year=st.none() | st.integers(min_value=1, max_value=2200),
    target=figures(),
    actual=figures(),
    actual_provisional=st.booleans(),
    rate=figures(),
    grade=grades,
)
projects = st.builds(PolicyProjectLine, title=texts, budget=figures(), settlement=figures(), result=texts)
sheets = st.builds(
    PolicySheetLine,
    area_label=st.sampled_from(["1", "2"]),
    area_title=texts,
    label=texts,
    title=texts,
    purpose=texts,
    department=texts,
    sections=st.lists(texts, max_size=2),
    indicators=st.lists(indicators, max_size=2),
    projects=st.lists(projects, max_size=2),
    internal_grade=grades,
    reasons=texts,
    issues=texts,
    direction=st.sampled_from([*DIRECTIONS, ""]),
    committee_grade=texts,
    committee_opinion=texts,
    response=texts,
)
meetings = st.builds(
    PolicyMeetingLine,
    held_on=st.dates().map(date.isoformat) | texts,
    title=texts,
    attendees=texts,
    minutes=texts,
)
documents = st.builds(
    ParsedPolicyEvaluation,
    plan=texts,
    fiscal_year=st.integers(min_value=1989, max_value=2100),
    title=texts,
    grades=st.just(["A", "B"]),
    sheets=st.lists(sheets, max_size=3),
    meetings=st.lists(meetings, max_size=2),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(documents)
def test_any_text_renders(document: ParsedPolicyEvaluation) -> None:
    assert policy_evaluation_pdf(document).startswith(b"%PDF")
    assert openpyxl.load_workbook(BytesIO(policy_evaluation_xlsx(document))).sheetnames == SHEETS
    for table in POLICY_CSV_TABLES:
        assert policy_evaluation_csv(document, table, PUBLISHER).startswith(b"\xef\xbb\xbf")
    assert ParsedPolicyEvaluation.from_json(document.to_json()) == document

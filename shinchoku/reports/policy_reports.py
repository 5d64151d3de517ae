"""The 施策評価報告書 (``ParsedPolicyEvaluation``) as PDF, XLSX and CSV, and its roll-up by 政策.

Like the other writers these take the document, never the ORM, and reuse the helpers of
``pdf.py``, ``xlsx.py`` and ``opendata.py`` so that the three reports look and read alike.
The PDF is A4 portrait (the city's 施策評価シート are), one sheet to a page after the
roll-up. Amounts are stored in 円 and printed in 千円, rounded half up (四捨五入) exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from functools import cache
from typing import Any

from openpyxl import Workbook
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import CondPageBreak, Flowable, PageBreak, Paragraph, Spacer

from shinchoku.core.eras import format_date, format_fiscal_year
from shinchoku.documents import layouts as L
from shinchoku.documents.policy_evaluation import (
    DIRECTIONS,
    ParsedPolicyEvaluation,
    PolicySheetLine,
)
from shinchoku.reports.opendata import Publisher, _csv, _flag, _year
from shinchoku.reports.pdf import (
    HEADING_ROOM,
    _build,
    _cell,
    _centered,
    _header_row,
    _markup,
    _style,
    _styles,
    _table,
    register_fonts,
)
from shinchoku.reports.xlsx import _body_row, _header, _setup_print, _to_bytes, cell_number

__all__ = [
    "POLICY_CSV_TABLES",
    "UNGRADED",
    "AreaRollup",
    "area_rollup",
    "policy_evaluation_csv",
    "policy_evaluation_pdf",
    "policy_evaluation_xlsx",
    "rollup_grades",
    "thousand_yen",
]

UNGRADED = "未評価"
EMPTY = "—"
TOTAL_TITLE = "合計"
POLICY_CSV_TABLES = ("policies", "indicators", "projects")

POLICY_COLUMNS = ["政策番号", "政策", "施策番号", "施策", "担当部", "担当課", "施策の目的", "内部評価", "評価の理由", "課題", "今後の方向性", "外部評価", "委員会の意見", "委員会意見への対応"]  # fmt: skip
INDICATOR_COLUMNS = ["施策番号", "施策", "指標名", "単位", "基準値", "基準年度", "目標値", "実績値", "見込", "達成率(%)", "評価"]  # fmt: skip
PROJECT_COLUMNS = ["施策番号", "施策", "事業名", "予算額（円）", "決算額（円）", "実績"]
MEETING_COLUMNS = ["開催日", "開催日（和暦）", "会議名", "出席者", "議事概要"]


# --- roll-up by 政策 area -------------------------------------------------------------------


@dataclass(frozen=True)
class AreaRollup:
    """One 政策 area (or the total, ``total=True``): its 施策, counted by internal grade and direction."""

    area_label: str
    area_title: str
    policies: int
    grades: dict[str, int]  # rollup_grades(document) → count, 未評価 last
    directions: dict[str, int]  # DIRECTIONS → count (a 施策 without a direction is in none)
    total: bool = False


def rollup_grades(document: ParsedPolicyEvaluation) -> list[str]:
    """The grade columns: the scale best first, then 未評価.

    A grade given outside the scale (the scale changed after the grading) gets a column of its
    own before 未評価: counting it as not graded, or not at all, would misstate the year.
    """
    outside = [s.internal_grade for s in document.sheets if s.internal_grade not in ("", *document.grades)]
    return [*document.grades, *dict.fromkeys(outside), UNGRADED]


def _rollup(label: str, title: str, sheets: list[PolicySheetLine], grades: list[str]) -> AreaRollup:
    return AreaRollup(
        area_label=label,
        area_title=title,
        policies=len(sheets),
        grades={g: sum((s.internal_grade or UNGRADED) == g for s in sheets) for g in grades},
        directions={d: sum(s.direction == d for s in sheets) for d in DIRECTIONS},
    )


def area_rollup(document: ParsedPolicyEvaluation, *, total: bool = False) -> list[AreaRollup]:
    """One row per 政策 area in document order; with ``total``, a last row 合計 over them all."""
    grades = rollup_grades(document)
    rows = [_rollup(label, title, sheets, grades) for label, title, sheets in document.areas()]
    if total:
        whole = _rollup("", TOTAL_TITLE, document.sheets, grades)
        rows.append(replace(whole, total=True))
    return rows


def _rollup_cells(row: AreaRollup) -> list[Any]:
    return [row.area_label, row.area_title, row.policies, *row.grades.values(), *row.directions.values()]


def _rollup_header(document: ParsedPolicyEvaluation) -> list[str]:
    return ["政策番号", "政策", "施策数", *rollup_grades(document), *DIRECTIONS]


# --- figures --------------------------------------------------------------------------------


def _decimal(text: str | None) -> Decimal | str | None:
    """A stored figure as a Decimal; a text that is no finite number stays text (printed as stored)."""
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    return value if value.is_finite() else text


def thousand_yen(amount: str | None) -> str:
    """An amount in 円 printed in 千円, rounded half up, with separators: "12345678" → "12,346"."""
    value = _decimal(amount)
    if not isinstance(value, Decimal):
        return value if value and value.strip() else EMPTY
    # A context as precise as the amount: the default 28 digits could round before the 四捨五入.
    figure = value.as_tuple()
    exact = Context(prec=len(figure.digits) + max(int(figure.exponent), 0) + 1)
    thousands = value.scaleb(-3, exact).quantize(Decimal(1), rounding=ROUND_HALF_UP, context=exact)
    return "0" if thousands.is_zero() else f"{thousands:,}"  # never "-0"


def _fiscal_year(year: int) -> str:
    try:
        return format_fiscal_year(year)
    except ValueError:  # before 明治 or past an era's year 99: the year as given
        return f"{year}年度"


def _meeting_day(held_on: str) -> date | None:
    try:
        return date.fromisoformat(held_on)
    except ValueError:
        return None


def _japanese_date(held_on: str) -> str:
    """``2025-08-20`` → 令和7年8月20日; a text that is no date (or a day before 明治) as stored."""
    day = _meeting_day(held_on)
    try:
        return format_date(day) if day else held_on
    except ValueError:
        return held_on


# --- table rows shared by the XLSX sheets and the CSV tables ----------------------------------
# Cells hold Decimal, bool, None or plain values; each format writes them its own way.


def _policy_rows(document: ParsedPolicyEvaluation) -> list[list[Any]]:
    return [
        [
            s.area_label,
            s.area_title,
            s.label,
            s.title,
            s.department,
            "、".join(s.sections),
            s.purpose,
            s.internal_grade,
            s.reasons,
            s.issues,
            s.direction,
            s.committee_grade,
            s.committee_opinion,
            s.response,
        ]
        for s in document.sheets
    ]


def _indicator_rows(document: ParsedPolicyEvaluation) -> list[list[Any]]:
    return [
        [
            s.label,
            s.title,
            i.name,
            i.unit,
            _decimal(i.baseline),
            i.baseline_year,
            _decimal(i.target),
            _decimal(i.actual),
            i.actual_provisional,
            _decimal(i.rate),
            i.grade,
        ]
        for s in document.sheets
        for i in s.indicators
    ]


def _project_rows(document: ParsedPolicyEvaluation) -> list[list[Any]]:
    return [
        [s.label, s.title, p.title, _decimal(p.budget), _decimal(p.settlement), p.result]
        for s in document.sheets
        for p in s.projects
    ]


_TABLES: dict[str, tuple[list[str], Callable[[ParsedPolicyEvaluation], list[list[Any]]]]] = {
    "policies": (POLICY_COLUMNS, _policy_rows),
    "indicators": (INDICATOR_COLUMNS, _indicator_rows),
    "projects": (PROJECT_COLUMNS, _project_rows),
}


# --- PDF ----------------------------------------------------------------------------------------

PAGE_SIZE = A4
CONTENT_WIDTH = 515  # A4 portrait between the margins (≈ 527 pt) less the frame's padding


@cache
def _policy_styles() -> dict[str, ParagraphStyle]:
    return {
        "plan": _style("plan", fontSize=11, leading=16, alignment=TA_CENTER, spaceAfter=8),
        "right": _style("right", alignment=TA_RIGHT),
    }


def _text(width: int, text: str) -> Any:
    """A wrapped cell, "—" when there is nothing to print."""
    return _cell(width, text if text.strip() else EMPTY)


def _right(text: str) -> list[Flowable]:
    return [Paragraph(_markup(text), _policy_styles()["right"])]


def _heading(text: str, style: str) -> list[Flowable]:
    # Room for the heading and the first rows of its table, else both go to the next page.
    return [CondPageBreak(HEADING_ROOM), Paragraph(_markup(text), _styles()[style])]


def _rollup_table(document: ParsedPolicyEvaluation) -> Flowable:
    rows = area_rollup(document, total=True)
    counts = 1 + len(rows[0].grades) + len(DIRECTIONS)
    count_width = min(36, (CONTENT_WIDTH - 120) // counts)  # a long scale narrows the counts
    widths = (CONTENT_WIDTH - counts * count_width, *([count_width] * counts))
    body: list[list[Any]] = [_header_row(["政策", *_rollup_header(document)[2:]])]
    for row in rows:
        area = f"{row.area_label} {row.area_title}".strip()
        body.append([_text(widths[0], area), *(_centered(str(n)) for n in _rollup_cells(row)[2:])])
    return _table(body, widths)


def _indicator_table(sheet: PolicySheetLine) -> Flowable:
    widths = (150, 45, 80, 65, 75, 50, 50)
    rows: list[list[Any]] = [
        _header_row(["指標名", "単位", "基準値（年度）", "目標値", "実績値", "達成率", "評価"])
    ]
    for i in sheet.indicators:
        baseline = i.baseline or EMPTY
        if i.baseline_year is not None:
            baseline += f"（{_fiscal_year(i.baseline_year)}）"
        actual = EMPTY if i.actual is None else i.actual + ("（見込）" if i.actual_provisional else "")
        texts = [i.name, i.unit, baseline, i.target or "", actual, f"{i.rate}%" if i.rate else "", i.grade]
        rows.append([_text(width, text) for width, text in zip(widths, texts, strict=True)])
    if not sheet.indicators:
        rows.append([EMPTY] * len(widths))
    return _table(rows, widths)


def _project_table(sheet: PolicySheetLine) -> Flowable:
    widths = (170, 75, 75, 195)
    rows: list[list[Any]] = [_header_row(["事業名", "予算額（千円）", "決算額（千円）", "実績"])]
    for p in sheet.projects:
        rows.append(
            [
                _text(widths[0], p.title),
                _right(thousand_yen(p.budget)),
                _right(thousand_yen(p.settlement)),
                _text(widths[3], p.result),
            ]
        )
    if not sheet.projects:
        rows.append([EMPTY] * len(widths))
    return _table(rows, widths)


def _texts_table(labels: list[str], widths: tuple[int, ...], texts: list[str]) -> Flowable:
    """A table of one row: the labels as its header, the texts under them."""
    row = [_text(width, text) for width, text in zip(widths, texts, strict=True)]
    return _table([_header_row(labels), row], widths)


def _sheet_story(sheet: PolicySheetLine) -> list[Flowable]:
    story: list[Flowable] = [
        PageBreak(),  # one 施策評価シート to a page, as printed
        Paragraph(_markup(f"施策 {sheet.label} {sheet.title}"), _styles()["chapter"]),
        Spacer(0, 4),
        _texts_table(
            ["政策", "担当部", "担当課", "施策の目的"],
            (130, 80, 95, 210),
            [
                f"{sheet.area_label} {sheet.area_title}",
                sheet.department,
                "、".join(sheet.sections),
                sheet.purpose,
            ],
        ),
    ]
    story += [*_heading("指標", "subsection"), _indicator_table(sheet)]
    story += [*_heading("主な事業", "subsection"), _project_table(sheet)]
    story += _heading("内部評価", "subsection")
    story.append(
        _texts_table(
            ["評価", "今後の方向性", "評価の理由", "課題"],
            (40, 70, 200, 205),
            [sheet.internal_grade, sheet.direction, sheet.reasons, sheet.issues],
        )
    )
    story += _heading("外部評価", "subsection")
    story.append(
        _texts_table(
            ["委員会の評価", "委員会の意見"], (70, 445), [sheet.committee_grade, sheet.committee_opinion]
        )
    )
    story += _heading("委員会意見への対応", "subsection")
    story.append(_texts_table(["委員会意見への対応"], (CONTENT_WIDTH,), [sheet.response]))
    return story


def _meetings_story(document: ParsedPolicyEvaluation) -> list[Flowable]:
    widths = (90, 120, 115, 190)
    rows: list[list[Any]] = [_header_row(["開催日", "会議名", "出席者", "議事概要"])]
    for m in document.meetings:
        texts = [_japanese_date(m.held_on), m.title, m.attendees, m.minutes]
        rows.append([_text(width, text) for width, text in zip(widths, texts, strict=True)])
    if not document.meetings:
        rows.append([EMPTY] * len(widths))
    return [
        PageBreak(),
        Paragraph(_markup("外部評価委員会の開催状況"), _styles()["chapter"]),
        _table(rows, widths),
    ]


def policy_evaluation_pdf(document: ParsedPolicyEvaluation) -> bytes:
    """The 施策評価報告書: title, the roll-up by 政策, one page per 施策, then the committee's meetings."""
    register_fonts()
    styles = _styles()
    story: list[Flowable] = [
        Paragraph(_markup(document.title), styles["title"]),
        Paragraph(_markup(document.plan), _policy_styles()["plan"]),
        Paragraph(_markup("政策別の評価結果"), styles["chapter"]),
        Spacer(0, 4),
        _rollup_table(document),
    ]
    for sheet in document.sheets:
        story += _sheet_story(sheet)
    story += _meetings_story(document)
    return _build(
        story, title=document.title, author=document.plan, subject="施策評価報告書", pagesize=PAGE_SIZE
    )


# --- XLSX ---------------------------------------------------------------------------------------


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, bool):
        return L.CHECK if value else ""
    if isinstance(value, Decimal):
        return cell_number(value)
    return value


def _sheet(
    workbook: Workbook, title: str, header: list[str], rows: Iterable[list[Any]], widths: list[int]
) -> None:
    sheet = workbook.create_sheet(title)
    _header(sheet, 1, header)
    for index, row in enumerate(rows, start=2):
        _body_row(sheet, index, [_xlsx_value(value) for value in row])
    _setup_print(sheet, 1, widths)


def policy_evaluation_xlsx(document: ParsedPolicyEvaluation) -> bytes:
    """Five sheets: 施策評価, 指標, 主な事業, 政策別集計, 委員会 (a header row each, then the rows)."""
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the sheets are created in order below
    _sheet(workbook, "施策評価", POLICY_COLUMNS, _policy_rows(document), [6, 20, 8, 24, 12, 14, 36, 8, 40, 40, 10, 8, 40, 40])  # fmt: skip
    _sheet(
        workbook,
        "指標",
        INDICATOR_COLUMNS,
        _indicator_rows(document),
        [8, 24, 30, 8, 12, 8, 12, 12, 6, 10, 6],
    )
    _sheet(workbook, "主な事業", PROJECT_COLUMNS, _project_rows(document), [8, 24, 30, 16, 16, 40])
    header = _rollup_header(document)
    rows = [_rollup_cells(row) for row in area_rollup(document, total=True)]
    _sheet(workbook, "政策別集計", header, rows, [8, 30, *([8] * (len(header) - 2))])
    meetings = [
        [_meeting_day(m.held_on) or m.held_on, _japanese_date(m.held_on), m.title, m.attendees, m.minutes]
        for m in document.meetings
    ]
    _sheet(workbook, "委員会", MEETING_COLUMNS, meetings, [12, 18, 30, 30, 60])
    return _to_bytes(workbook)


# --- CSV ------------------------------------------------------------------------------------------


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return _flag(value)
    if isinstance(value, Decimal):
        return format(value, "f")  # exact, never in exponent form
    return "" if value is None else value


def policy_evaluation_csv(document: ParsedPolicyEvaluation, table: str, publisher: Publisher) -> bytes:
    """One table (``POLICY_CSV_TABLES``) as open data: the other reports' lead columns, 計画, then the XLSX sheet's."""
    if table not in _TABLES:
        raise ValueError(f"policy_evaluation has no table {table!r}; tables: {', '.join(POLICY_CSV_TABLES)}")
    columns, rows = _TABLES[table]
    header = ["地方公共団体コード", "地方公共団体名", "年度", "年度（和暦）", "計画", *columns]
    lead = [publisher.code, publisher.name, *_year(document.fiscal_year), document.plan]
    return _csv(header, ([*lead, *(_csv_value(v) for v in row)] for row in rows(document)))

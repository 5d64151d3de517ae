"""XLSX in the documents' own columns: print-ready (A4 landscape, header repeated) and re-importable.

Writers take a document (``shinchoku.documents.schema``), never the ORM: the same
document comes from the database (selectors) or from a parser.
"""

from __future__ import annotations

import re
from datetime import UTC
from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.header_footer import _HeaderFooterPart as _Footer
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from shinchoku.core.eras import format_fiscal_year
from shinchoku.core.figures import Figure
from shinchoku.documents import layouts as L
from shinchoku.documents.schema import ParsedGoalDeclaration, ParsedGuidelineProgress
from shinchoku.reports import moment
from shinchoku.reports.summary import SUMMARY_COLUMNS, SUMMARY_TITLE, SummaryRow, summary_cells

_FONT = "BIZ UDゴシック"
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
_WRAP = Alignment(wrap_text=True, vertical="top")
# Floats hold every integer below 2^53 exactly; bigger or finer values are written as text.
_EXACT_FLOAT_LIMIT = Decimal(2**53)


def cell_number(value: Decimal) -> int | float | str:
    """The cell value for an exact decimal: a number Excel can sum when that loses nothing."""
    if value == value.to_integral_value() and abs(value) < _EXACT_FLOAT_LIMIT:
        return int(value)
    as_float = float(value)
    if Decimal(repr(as_float)) == value:
        return as_float
    return format(value, "f")


def _setup_print(sheet: Worksheet, header_row: int, widths: list[int]) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.oddFooter = HeaderFooterItem(center=_Footer(text="&P / &N"))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _put(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write a value as data, never as a formula, without the control characters XLSX refuses.

    A text that begins with "=" stays text (a title or a bullet typed so is not run by Excel);
    characters like \x0b or \x1b, which XML cannot hold, are dropped (forms and imports refuse
    them; this is the last line of defence, so that a published revision always downloads).
    """
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _header(sheet: Worksheet, row: int, labels: list[str]) -> None:
    for column, label in enumerate(labels, start=1):
        cell = _put(sheet, row, column, label)
        cell.font = Font(name=_FONT, bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _body_row(sheet: Worksheet, row: int, values: list[Any]) -> None:
    for column, value in enumerate(values, start=1):
        cell = _put(sheet, row, column, value)
        cell.font = Font(name=_FONT)
        cell.border = _BORDER
        cell.alignment = _WRAP


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _to_bytes(workbook: Workbook) -> bytes:
    fixed = moment.current()
    if fixed is not None:
        workbook.properties.created = fixed.astimezone(UTC).replace(tzinfo=None)  # W3CDTF, UTC
    buffer = BytesIO()
    workbook.save(buffer)
    if fixed is None:
        return buffer.getvalue()
    # openpyxl dates the save itself as modified "now": the revision's moment instead.
    when = fixed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()

    def dated(name: str, data: bytes) -> bytes:
        return _MODIFIED.sub(rb"\g<1>" + when + rb"\g<2>", data) if name == "docProps/core.xml" else data

    return moment.restamp_zip(buffer.getvalue(), fixed, dated)


def goal_declaration_xlsx(document: ParsedGoalDeclaration) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = L.GOAL_SHEET
    _put(sheet, 1, 1, document.title).font = Font(name=_FONT, bold=True, size=14)
    meta = [
        format_fiscal_year(document.fiscal_year),
        document.title,
        document.declarer_position,
        document.declarer_name,
    ]
    for offset, (label, value) in enumerate(zip(L.GOAL_META_LABELS, meta, strict=True)):
        _put(sheet, 2 + offset, 1, label).font = Font(name=_FONT, bold=True)
        _put(sheet, 2 + offset, 2, value).font = Font(name=_FONT)
    _header(sheet, L.GOAL_HEADER_ROW, [label for _key, label in L.GOAL_COLUMNS])
    for index, goal in enumerate(document.goals):
        values: list[Any] = [
            goal.number,
            goal.title,
            L.SECTION_JOINER.join(goal.sections),
            goal.content,
            goal.target_text,
            goal.result_text,
            goal.direction_text,
            goal.status_text,
        ]
        _body_row(sheet, L.GOAL_HEADER_ROW + 1 + index, values)
    _setup_print(sheet, L.GOAL_HEADER_ROW, [5, 22, 12, 40, 28, 40, 34, 26])

    figures = workbook.create_sheet(L.GOAL_FIGURE_SHEET)
    _header(figures, 1, [label for _key, label in L.GOAL_FIGURE_COLUMNS])
    row = 2
    for goal in document.goals:
        for kind, items in ((L.FIGURE_KIND_TARGET, goal.targets), (L.FIGURE_KIND_ACTUAL, goal.actuals)):
            for figure in items:
                _body_row(figures, row, _figure_row(goal.number, kind, figure))
                row += 1
    _setup_print(figures, 1, [5, 8, 30, 18, 8, 6, 6])
    return _to_bytes(workbook)


def _figure_row(number: int, kind: str, figure: Figure) -> list[Any]:
    return [
        number,
        kind,
        figure.label or "",
        cell_number(figure.value),
        figure.unit,
        L.CHECK if figure.approximate else "",
        L.CHECK if figure.provisional else "",
    ]


def guideline_progress_xlsx(document: ParsedGuidelineProgress) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = L.PROGRESS_SHEET
    _put(sheet, 1, 1, L.progress_title(document.guideline)).font = Font(name=_FONT, bold=True, size=14)
    labels = [label for _key, label in L.PROGRESS_FIXED_COLUMNS]
    labels += [L.results_header(document.result_year), L.plans_header(document.plan_year)]
    _header(sheet, L.PROGRESS_HEADER_ROW, labels)
    row = L.PROGRESS_HEADER_ROW + 1
    for initiative in document.initiatives:
        for parsed_row in initiative.rows:
            _body_row(
                sheet,
                row,
                [
                    initiative.chapter,
                    initiative.subsection or "",
                    initiative.group or "",
                    initiative.title,
                    initiative.guideline_text,
                    parsed_row.classification,
                    parsed_row.policy,
                    "\n".join(L.bullet_text(e.text, e.sections) for e in parsed_row.results),
                    "\n".join(L.bullet_text(e.text, e.sections) for e in parsed_row.plans),
                ],
            )
            row += 1
    _setup_print(sheet, L.PROGRESS_HEADER_ROW, [18, 18, 18, 22, 26, 6, 20, 50, 50])

    legend = workbook.create_sheet(L.PROGRESS_LEGEND_SHEET)
    _header(legend, 1, [label for _key, label in L.LEGEND_COLUMNS])
    for index, classification in enumerate(document.classifications, start=2):
        _body_row(legend, index, [classification.code, classification.label])
    _setup_print(legend, 1, [8, 50])
    return _to_bytes(workbook)


def summary_xlsx(rows: list[SummaryRow], municipality_name: str) -> bytes:
    """The achievement summary: one row per published goal declaration."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "集計"
    _put(sheet, 1, 1, f"{municipality_name} {SUMMARY_TITLE}").font = Font(name=_FONT, bold=True, size=14)
    _header(sheet, 3, list(SUMMARY_COLUMNS))
    for index, row in enumerate(rows, start=4):
        _body_row(sheet, index, summary_cells(row))
    _setup_print(sheet, 3, [8, 12, 16, 12, 8, 8, 8, 12, 8, 8])
    return _to_bytes(workbook)

"""Format (c): the XLSX our own export writes (``shinchoku.reports.xlsx``), after editing in Excel.

Columns are found by their header text, not their position, so a person may
widen or reorder them; a missing or renamed column is an error naming the sheet,
the header cell and the column expected. Values are read as typed: numbers stay
exact (a float cell is read through its shortest repr, so 81.2 stays 81.2).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from shinchoku.core.eras import EraParseError, parse_fiscal_year, search_fiscal_year
from shinchoku.core.figures import Figure
from shinchoku.core.messages import Message
from shinchoku.core.messages import message as _
from shinchoku.core.text import find_control_character, normalize
from shinchoku.core.upload_limits import LimitExceeded
from shinchoku.core.workbooks import SheetValues, WorkbookError, WorkbookValues, cell_ref, read_workbook
from shinchoku.documents import layouts as L
from shinchoku.documents.schema import (
    ImportFormatError,
    ParsedClassification,
    ParsedEntry,
    ParsedGoal,
    ParsedGoalDeclaration,
    ParsedGuidelineProgress,
    ParsedInitiative,
    ParsedRow,
)
from shinchoku.imports.parsers.codes import classification_code
from shinchoku.imports.parsers.sections import split_sections, split_trailing_sections

_TRUE_MARKS = {"○", "〇", "◯", "1", "true", "TRUE", "True", "はい", "約", "見込", "x", "X"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


class _Sheet:
    """A worksheet with its header located: cells are read by column key."""

    def __init__(
        self,
        workbook: WorkbookValues,
        name: str,
        header_row: int,
        columns: tuple[tuple[str, str], ...],
        source: str,
    ):
        if name not in workbook.sheetnames:
            raise ImportFormatError(
                _(
                    "sheet 「%(sheet)s」 not found (sheets: %(sheets)s)",
                    sheet=name,
                    sheets=_sheet_list(workbook.sheetnames),
                ),
                source=source,
            )
        self.sheet: SheetValues = workbook[name]
        self.name = name
        self.source = source
        self.header_row = header_row
        headers = {
            normalize(_text(value)): column
            for column, value in enumerate(self.sheet.row(header_row), start=1)
            if _text(value)
        }
        self.columns: dict[str, int] = {}
        for key, label in columns:
            column = headers.get(normalize(label))
            if column is None:
                raise ImportFormatError(
                    _(
                        "column 「%(column)s」 missing from the header row %(row)s (found %(found)s)",
                        column=label,
                        row=header_row,
                        found=_found(list(headers)),
                    ),
                    source=source,
                    cell=f"{name}!{cell_ref(header_row, 1)}",
                )
            self.columns[key] = column
        self.headers = headers

    def rows(self) -> list[int]:
        """Numbers of the data rows below the header that hold anything."""
        filled = {row for (row, column) in self.sheet.values if column in self.columns.values()}
        return sorted(
            r
            for r in filled
            if r > self.header_row and any(_text(self.get_at(r, c)) for c in self.columns.values())
        )

    def get(self, row: int, key: str) -> Any:
        return self.sheet.get(row, self.columns[key])

    def get_at(self, row: int, column: int) -> Any:
        return self.sheet.get(row, column)

    def text(self, row: int, key: str) -> str:
        value = _text(self.get(row, key))
        index = find_control_character(value)
        if index is not None:
            raise self.error(
                row,
                key,
                _(
                    "the cell holds a control character U+%(code)s, which no document holds: "
                    "remove it and import again",
                    code=f"{ord(value[index]):04X}",
                ),
            )
        return normalize(value)

    def where(self, row: int, key: str) -> str:
        return f"{self.name}!{cell_ref(row, self.columns[key])}"

    def error(self, row: int, key: str, reason: Message) -> ImportFormatError:
        return ImportFormatError(reason, source=self.source, cell=self.where(row, key))


def _open(data: bytes, source: str) -> WorkbookValues:
    try:
        return read_workbook(data)
    except WorkbookError as error:
        raise ImportFormatError(
            _("not a readable XLSX workbook (%(why)s)", why=error.message), source=source
        ) from None
    except LimitExceeded as error:
        raise ImportFormatError(error.message, source=source) from None


def looks_like(data: bytes) -> str | None:
    """Which document a workbook holds (by its sheet names), or None."""
    try:
        names = read_workbook(data, sheets=0).sheetnames
    except (WorkbookError, LimitExceeded):
        return None
    if L.GOAL_SHEET in names:
        return "goal_declaration"
    if L.PROGRESS_SHEET in names:
        return "guideline_progress"
    return None


def parse(data: bytes, *, source: str = "") -> ParsedGoalDeclaration | ParsedGuidelineProgress:
    workbook = _open(data, source)
    if L.GOAL_SHEET in workbook.sheetnames:
        return _goal_declaration(workbook, source)
    if L.PROGRESS_SHEET in workbook.sheetnames:
        return _guideline_progress(workbook, source)
    raise ImportFormatError(
        _(
            "unknown workbook: expected a sheet 「%(goal_sheet)s」 or 「%(progress_sheet)s」 (sheets: %(sheets)s)",
            goal_sheet=L.GOAL_SHEET,
            progress_sheet=L.PROGRESS_SHEET,
            sheets=_sheet_list(workbook.sheetnames),
        ),
        source=source,
    )


def _sheet_list(names: list[str]) -> str:
    return "、".join(f"「{name}」" for name in names)


def _found(headers: list[str]) -> Message | str:
    return "、".join(f"「{h}」" for h in headers) if headers else _("nothing")


# No figure of a report reaches 10^18 (a city's budget is about 10^12 yen).
_LARGEST_EXPONENT = 18


def _decimal(sheet: _Sheet, row: int, key: str) -> Decimal:
    value = sheet.get(row, key)
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        if isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, int):
            number = Decimal(value)
        else:
            number = Decimal(normalize(_text(value)).replace(",", ""))
    except InvalidOperation:
        raise sheet.error(row, key, _("「%(value)s」 is not a number", value=value)) from None
    # "inf", "nan" and 1e400 parse as decimals: none is a figure (and int() of them fails or explodes).
    if not number.is_finite() or number.adjusted() > _LARGEST_EXPONENT:
        raise sheet.error(row, key, _("「%(value)s」 is not a number a report holds", value=value))
    return number


def _flag(sheet: _Sheet, row: int, key: str) -> bool:
    return _text(sheet.get(row, key)) in _TRUE_MARKS


def _goal_declaration(workbook: WorkbookValues, source: str) -> ParsedGoalDeclaration:
    main = _Sheet(workbook, L.GOAL_SHEET, L.GOAL_HEADER_ROW, L.GOAL_COLUMNS, source)
    meta: dict[str, str] = {}
    for row in range(2, L.GOAL_HEADER_ROW):
        label = normalize(_text(main.sheet.get(row, 1)))
        if label:
            meta[label] = _text(main.sheet.get(row, 2))
    for label in L.GOAL_META_LABELS:
        if label not in meta:
            raise ImportFormatError(
                _("「%(label)s」 missing above the table", label=label),
                source=source,
                cell=f"{L.GOAL_SHEET}!A2",
            )
    try:
        fiscal_year = parse_fiscal_year(meta["年度"])
    except EraParseError as error:
        raise ImportFormatError(error.message, source=source, cell=f"{L.GOAL_SHEET}!B2") from None

    goals: list[ParsedGoal] = []
    seen: dict[int, int] = {}
    for row in main.rows():
        number_value = main.get(row, "number")
        try:
            number = int(_decimal(main, row, "number"))
        except ImportFormatError:
            raise main.error(
                row, "number", _("goal number 「%(number)s」 is not a whole number", number=number_value)
            ) from None
        if number in seen:
            raise main.error(
                row,
                "number",
                _("goal number %(number)s repeats row %(row)s", number=number, row=seen[number]),
            )
        seen[number] = row
        title = main.text(row, "title")
        if not title:
            raise main.error(row, "title", _("a goal needs a title"))
        goals.append(
            ParsedGoal(
                number=number,
                title=title,
                # "経営企画課、財政課"; a ・ inside one name (人権・広聴相談課) is kept
                sections=split_sections(main.text(row, "sections")),
                content=main.text(row, "content"),
                target_text=main.text(row, "target_text"),
                result_text=main.text(row, "result_text"),
                direction_text=main.text(row, "direction_text"),
                status_text=main.text(row, "status_text"),
                line=row,
            )
        )
    if not goals:
        raise ImportFormatError(
            _("the table has no goal"), source=source, cell=f"{L.GOAL_SHEET}!A{L.GOAL_HEADER_ROW + 1}"
        )

    by_number = {g.number: g for g in goals}
    if L.GOAL_FIGURE_SHEET in workbook.sheetnames:
        figures = _Sheet(workbook, L.GOAL_FIGURE_SHEET, 1, L.GOAL_FIGURE_COLUMNS, source)
        for row in figures.rows():
            number = int(_decimal(figures, row, "number"))
            goal = by_number.get(number)
            if goal is None:
                raise figures.error(
                    row,
                    "number",
                    _("no goal number %(number)s in sheet 「%(sheet)s」", number=number, sheet=L.GOAL_SHEET),
                )
            kind = figures.text(row, "kind")
            if kind not in (L.FIGURE_KIND_TARGET, L.FIGURE_KIND_ACTUAL):
                raise figures.error(
                    row,
                    "kind",
                    _(
                        "「%(kind)s」 is neither 「%(target)s」 nor 「%(actual)s」",
                        kind=kind,
                        target=L.FIGURE_KIND_TARGET,
                        actual=L.FIGURE_KIND_ACTUAL,
                    ),
                )
            figure = Figure(
                value=_decimal(figures, row, "value"),
                unit=figures.text(row, "unit"),
                approximate=_flag(figures, row, "approximate"),
                provisional=_flag(figures, row, "provisional"),
                label=figures.text(row, "label") or None,
            )
            (goal.targets if kind == L.FIGURE_KIND_TARGET else goal.actuals).append(figure)
    return ParsedGoalDeclaration(
        fiscal_year=fiscal_year,
        title=normalize(meta["表題"]),
        declarer_position=normalize(meta["職"]),
        declarer_name=meta["氏名"],
        goals=goals,
    )


def _entries(sheet: _Sheet, row: int, key: str) -> list[ParsedEntry]:
    cell = sheet.text(row, key)
    entries = []
    for raw in cell.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if not line.startswith(L.BULLET):
            raise sheet.error(
                row,
                key,
                _("each line must start with %(bullet)s: 「%(line)s」", bullet=L.BULLET, line=line[:30]),
            )
        text, sections = split_trailing_sections(line[len(L.BULLET) :])
        entries.append(ParsedEntry(text=text, sections=sections, line=row))
    return entries


def _guideline_progress(workbook: WorkbookValues, source: str) -> ParsedGuidelineProgress:
    main = _Sheet(workbook, L.PROGRESS_SHEET, L.PROGRESS_HEADER_ROW, L.PROGRESS_FIXED_COLUMNS, source)
    title = normalize(_text(main.sheet.get(1, 1)))
    start, end = title.find("『"), title.find("』")
    if start < 0 or end <= start:
        raise ImportFormatError(
            _("the title must name the guideline in 『』"), source=source, cell=f"{L.PROGRESS_SHEET}!A1"
        )
    guideline = title[start + 1 : end]

    year_columns: dict[str, tuple[int, int]] = {}
    for header, column in main.headers.items():
        year = search_fiscal_year(header)
        if year is not None and header.endswith("実績"):
            year_columns["results"] = (year, column)
        elif year is not None and header.endswith("予定"):
            year_columns["plans"] = (year, column)
    for key, label in (("results", "…年度の取り組み実績"), ("plans", "…年度の取り組み予定")):
        if key not in year_columns:
            raise ImportFormatError(
                _("column 「%(column)s」 missing from the header row", column=label),
                source=source,
                cell=f"{L.PROGRESS_SHEET}!A3",
            )
        main.columns[key] = year_columns[key][1]

    legend = _Sheet(workbook, L.PROGRESS_LEGEND_SHEET, 1, L.LEGEND_COLUMNS, source)
    classifications = []
    for row in legend.rows():
        code = classification_code(legend.text(row, "code"))
        if code is None:
            raise legend.error(
                row,
                "code",
                _(
                    "「%(code)s」 is not a 区分 code (a short code such as II, ①, A, 1 or 継続)",
                    code=legend.text(row, "code"),
                ),
            )
        classifications.append(ParsedClassification(code=code, label=legend.text(row, "label")))
    codes = {c.code for c in classifications}

    initiatives: list[ParsedInitiative] = []
    for row in main.rows():
        place = tuple(main.text(row, k) for k in ("chapter", "subsection", "group", "title"))
        if not place[0] or not place[3]:
            raise main.error(
                row, "title" if place[0] else "chapter", _("chapter and initiative are required")
            )
        code = classification_code(main.text(row, "classification")) or main.text(row, "classification")
        if code not in codes:
            raise main.error(
                row,
                "classification",
                _(
                    "区分 「%(code)s」 is not in sheet 「%(sheet)s」",
                    code=code,
                    sheet=L.PROGRESS_LEGEND_SHEET,
                ),
            )
        parsed_row = ParsedRow(
            classification=code,
            policy=main.text(row, "policy"),
            results=_entries(main, row, "results"),
            plans=_entries(main, row, "plans"),
            line=row,
        )
        last = initiatives[-1] if initiatives else None
        if last is not None and (last.chapter, last.subsection or "", last.group or "", last.title) == place:
            last.rows.append(parsed_row)  # the same initiative, one more classification row
            continue
        initiatives.append(
            ParsedInitiative(
                chapter=place[0],
                subsection=place[1] or None,
                group=place[2] or None,
                title=place[3],
                guideline_text=main.text(row, "guideline_text"),
                rows=[parsed_row],
                line=row,
            )
        )
    if not initiatives:
        raise ImportFormatError(
            _("the table has no initiative"), source=source, cell=f"{L.PROGRESS_SHEET}!A4"
        )
    return ParsedGuidelineProgress(
        guideline=guideline,
        result_year=year_columns["results"][0],
        plan_year=year_columns["plans"][0],
        classifications=classifications,
        initiatives=initiatives,
    )

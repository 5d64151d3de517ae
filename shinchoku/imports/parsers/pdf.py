"""Format (d): a PDF in the seeds' layout, as ``shinchoku.reports.pdf`` writes it.

The PDF is read with pdfplumber: the ruled tables are found from their lines
(``find_tables`` with the ``lines`` strategies), and every character is placed in
the table cell whose box holds its centre, or outside the tables (title, declarer,
headings, page numbers). Characters are grouped into visual lines by their top.

Which table is which
====================

A table is known by its header row (repeated on every page and skipped after the
first): the goal table (``No / 取組名（担当課名） / 取組内容 / 達成目標 /
取組結果／今後の取組の方向性 / 目標達成状況``), the progress table (``基本的な取り組み /
「指針の記載内容」 / 区分 / 対応方針 / <年度>の取り組み実績 / <年度>の取り組み予定``)
and the 区分 legend (``区分 / 説明``). Header cells are compared without blanks after
normalisation, so a header wrapped inside its cell still matches.

Rows split across pages
=======================

A row too tall for the rest of a page continues at the top of the next one. The
continuation is recognised by its empty key cells — the goal number; the initiative
and its 区分 — and its lines are appended to the row above it. (A progress row with
an empty initiative but a 区分 is not a continuation: it is the next 区分 row of the
same initiative, written that way in the seed.)

Rebuilding the texts
====================

A cell's visual lines are joined into the lines the text parsers store:

* wrapped lines are joined without a separator (Japanese has no word spaces; a blank
  kept at a wrap point is a character of its own and survives);
* a new line starts where the layout says so. Our PDFs start every stored line at the
  left of its cell and hang its wrapped lines one em to the right, so a visual line
  indented by half an em or more beyond the column's text start continues the line
  above, and any other line starts a new one — exact, across page breaks too. This
  rule applies when the PDF's /Creator is ours or when any wrapped line of a table
  shows such an indent. Otherwise (a PDF laid out elsewhere) a new line starts at a
  line beginning with a marker: ・ ● ①…⑳ ［ or [.

Texts are normalised (``core.text.normalize``) like every parser's.

Documents
=========

* Goal declaration: the title is the first line above the table (its fiscal year,
  e.g. 平成28年度, is read from it), the declarer the line below it (position, then
  name). The title cell ends with the sections in parentheses ``（経営企画課）``
  (``sections.split_trailing_sections``: on a line of their own or not); the result
  cell holds the results, a line ``［今後の取組の方向性］`` and the direction.
  Targets and actuals are re-extracted from the 達成目標 and 目標達成状況 texts with
  the rules of the text parser (``goal_declaration_text``).
* Guideline progress: the title names the guideline in 『』; chapter lines
  (``1 …``), sub-sections (``①…``) and groups (``◎…``) above the tables place the
  initiatives; result and plan bullets ``●…(担当課)`` are split like the text parser's;
  the years come from the header, the 区分 codes from the legend table at the end.

For a PDF, ``line`` in the parsed records and in ``unplaced`` is the page number.
Errors name the source and the page: not a PDF, truncated, encrypted, unreadable, no
table, or a table whose header is not one of the above.
"""

from __future__ import annotations

import re
import zlib
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from shinchoku.core.eras import search_fiscal_year
from shinchoku.core.messages import message as _
from shinchoku.core.text import normalize
from shinchoku.core.upload_limits import LimitExceeded, check_page_chars, check_pages
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
    Unplaced,
)
from shinchoku.imports.parsers import goal_declaration_text
from shinchoku.imports.parsers.codes import classification_code
from shinchoku.imports.parsers.sections import split_trailing_sections

__all__ = ["looks_like", "parse"]

_MAGIC = b"%PDF-"
_HEAD = 1024  # the header and %%EOF may sit this far from the start and the end
_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
_SAME_LINE = 2.0  # points between the tops of characters on one visual line
_INDENT_EMS = 0.5  # a hanging indent is one em; half of it tells it apart
_MARKERS = ("・", "●", "[", "［", *(chr(code) for code in range(0x2460, 0x2474)))  # …①..⑳
_FOOTER_RE = re.compile(r"^\d+\s*/\s*\d+$")
_GUIDELINE_RE = re.compile(r"『(?P<guideline>[^』]+)』")
_CHAPTER_RE = re.compile(r"^(?P<number>[0-9]{1,2})[ \u3000]+(?P<heading>\S.*)$")
_SUBSECTION_RE = re.compile(r"^(?P<marker>[\u2460-\u2473])\s*(?P<heading>\S.*)$")
_GROUP_RE = re.compile(f"^{L.GROUP_MARK}\\s*(?P<heading>\\S.*)$")


def looks_like(data: bytes) -> bool:
    """Cheap detection: the PDF signature near the start (the layout is checked by ``parse``)."""
    return _MAGIC in data[:_HEAD]


def parse(data: bytes, *, source: str = "") -> ParsedGoalDeclaration | ParsedGuidelineProgress:
    """Read a goal declaration report or a guideline progress table from a PDF."""
    contents = _read(data, source)
    tables = contents.tables
    if not tables:
        checked = _("page 1") if contents.pages == 1 else _("pages 1–%(last)s", last=contents.pages)
        raise ImportFormatError(
            _(
                "no table found (%(checked)s checked): the report's tables have ruled borders",
                checked=checked,
            ),
            source=source,
        )
    first = tables[0]
    kind = _header_kind(first.header)
    if kind == "goal":
        return _goal_declaration(contents, source)
    if kind == "progress":
        return _guideline_progress(contents, source)
    raise _header_error(first, source)


# --- reading the pages -----------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    """A visual line of text; ``x0`` is measured from the left of its cell (or page)."""

    text: str
    x0: float
    top: float
    size: float


@dataclass
class _TableRow:
    page: int
    cells: list[list[_Line]]

    def text(self, column: int) -> str:
        """The cell's characters without blanks, normalised: for keys and header cells."""
        return "".join(normalize("".join(line.text for line in self.cells[column])).split())

    def extend(self, other: _TableRow) -> None:
        """Append a continuation (the rest of this row on the next page)."""
        for mine, theirs in zip(self.cells, other.cells, strict=True):
            mine.extend(theirs)


@dataclass
class _Table:
    page: int
    top: float
    header: _TableRow
    rows: list[_TableRow]


@dataclass(frozen=True)
class _PageLine:
    """A line outside the tables: title, declarer, heading or page number."""

    page: int
    top: float
    text: str


_Item = _Table | _PageLine


@dataclass
class _Contents:
    """What the pages hold, in reading order, and how the PDF was made."""

    pages: int
    items: list[_Item]
    ours: bool  # written by reports.pdf: wrapped lines hang indented, even in a one-line table

    @property
    def tables(self) -> list[_Table]:
        return [item for item in self.items if isinstance(item, _Table)]


# What the PDF libraries raise on a damaged file besides their own exceptions.
_DAMAGED = (
    TypeError,
    ValueError,
    KeyError,
    IndexError,
    AttributeError,
    ArithmeticError,
    NotImplementedError,
    RecursionError,
    EOFError,
    zlib.error,
)


def _read(data: bytes, source: str) -> _Contents:
    """The tables and lines of every page, in reading order."""
    if not looks_like(data):
        raise ImportFormatError(_("not a PDF file (no %%PDF- signature at the start)"), source=source)
    if b"%%EOF" not in data[-_HEAD:]:
        raise ImportFormatError(_("the PDF is truncated (no %%EOF at its end)"), source=source)
    try:
        with pdfplumber.open(BytesIO(data)) as pdf:
            check_pages(len(pdf.pages))
            items = []
            for number, page in enumerate(pdf.pages, start=1):
                check_page_chars(number, len(page.chars))
                items.extend(_read_page(page))
                page.close()  # pdfplumber caches each page's objects: free them as we go
            ours = pdf.metadata.get("Creator") == L.PDF_CREATOR
            return _Contents(pages=len(pdf.pages), items=items, ours=ours)
    except LimitExceeded as error:
        raise ImportFormatError(error.message, source=source) from None
    except PdfminerException as error:
        cause = error.args[0] if error.args else error
        if isinstance(cause, PDFPasswordIncorrect):
            reason = _("the PDF is encrypted with a password: upload an unprotected copy")
        else:
            reason = _("not a readable PDF (%(detail)s)", detail=str(cause or type(cause).__name__))
        raise ImportFormatError(reason, source=source) from None
    except (PSException, MalformedPDFException) as error:  # raised while a page is read, after opening
        raise ImportFormatError(
            _("not a readable PDF (%(detail)s)", detail=str(error or type(error).__name__)), source=source
        ) from None
    except _DAMAGED as error:
        # pdfminer and pdfplumber meet a damaged structure (a page whose /Rotate is a dictionary,
        # a stream that does not inflate, …) with whatever Python raises there (bench/fuzz_readers.py).
        raise ImportFormatError(
            _(
                "not a readable PDF: its structure is damaged (%(error)s: %(detail)s)",
                error=type(error).__name__,
                detail=str(error),
            ),
            source=source,
        ) from None


class _Grid:
    """A table found on a page and the characters placed in its cells."""

    def __init__(self, table: Any):
        self.bbox: tuple[float, float, float, float] = table.bbox
        self.rows: list[tuple[float, float, list[Any]]] = [
            (r.bbox[1], r.bbox[3], r.cells) for r in table.rows
        ]
        self.tops = [top for top, _bottom, _cells in self.rows]
        self.chars: dict[tuple[int, int], list[dict[str, Any]]] = {}

    def place(self, char: dict[str, Any]) -> bool:
        """Put ``char`` in the cell that holds its centre; False when no cell does."""
        x = (char["x0"] + char["x1"]) / 2
        y = (char["top"] + char["bottom"]) / 2
        x0, top, x1, bottom = self.bbox
        if not (x0 <= x <= x1 and top <= y <= bottom):
            return False
        index = bisect_right(self.tops, y) - 1
        if index < 0 or y > self.rows[index][1]:
            return False
        for column, cell in enumerate(self.rows[index][2]):
            if cell is not None and cell[0] <= x <= cell[2]:
                self.chars.setdefault((index, column), []).append(char)
                return True
        return False

    def table(self, page: int) -> _Table:
        rows = []
        for index, (_top, _bottom, cells) in enumerate(self.rows):
            lines = [
                _lines(self.chars.get((index, column), []), left=cell[0] if cell else 0.0)
                for column, cell in enumerate(cells)
            ]
            rows.append(_TableRow(page=page, cells=lines))
        return _Table(page=page, top=self.bbox[1], header=rows[0], rows=rows[1:])


def _read_page(page: Any) -> list[_Item]:
    grids = [_Grid(table) for table in page.find_tables(_TABLE_SETTINGS) if table.rows]
    outside = [char for char in page.chars if not any(grid.place(char) for grid in grids)]
    number: int = page.page_number
    items: list[_Item] = [
        _PageLine(number, line.top, line.text.strip()) for line in _lines(outside, left=0.0)
    ]
    items += [grid.table(number) for grid in grids]
    return sorted(items, key=lambda item: item.top)


def _lines(chars: list[dict[str, Any]], *, left: float) -> list[_Line]:
    """Group characters into visual lines, top to bottom, each read left to right."""
    groups: list[list[dict[str, Any]]] = []
    for char in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if groups and char["top"] - groups[-1][0]["top"] <= _SAME_LINE:
            groups[-1].append(char)
        else:
            groups.append([char])
    lines = []
    for group in groups:
        group.sort(key=lambda c: c["x0"])
        text = "".join(c["text"] for c in group)
        if text.strip():
            lines.append(
                _Line(text=text, x0=group[0]["x0"] - left, top=group[0]["top"], size=group[0]["size"])
            )
    return lines


# --- headers ----------------------------------------------------------------------------


def _key(text: str) -> str:
    """A header cell for comparison: normalised, without blanks or full stops (No. = No)."""
    return "".join(normalize(text).split()).replace(".", "")


_GOAL_HEADER = tuple(_key(label) for label in L.PDF_GOAL_COLUMNS)
_PROGRESS_FIXED = tuple(_key(label) for _k, label in L.PROGRESS_FIXED_COLUMNS[3:])
_LEGEND_HEADER = tuple(_key(label) for _k, label in L.LEGEND_COLUMNS)


def _header_kind(row: _TableRow) -> str | None:
    """The kind of a header row: "goal", "progress" or "legend"; None for any other row."""
    cells = tuple(_key(row.text(column)) for column in range(len(row.cells)))
    if cells == _GOAL_HEADER:
        return "goal"
    if cells == _LEGEND_HEADER:
        return "legend"
    if (
        len(cells) == len(_PROGRESS_FIXED) + 2
        and cells[: len(_PROGRESS_FIXED)] == _PROGRESS_FIXED
        and cells[-2].endswith("実績")
        and cells[-1].endswith("予定")
    ):
        return "progress"
    return None


def _header_error(table: _Table, source: str) -> ImportFormatError:
    cells = " / ".join(f"「{table.header.text(c)}」" for c in range(len(table.header.cells)))
    expected = " / ".join(L.PDF_GOAL_COLUMNS)
    progress = " / ".join(label for _k, label in L.PROGRESS_FIXED_COLUMNS[3:])
    return ImportFormatError(
        _(
            "unexpected table header on page %(page)s: found %(found)s; expected %(goal)s, "
            "or %(progress)s / <年度>の取り組み実績 / <年度>の取り組み予定, or 区分 / 説明",
            page=table.page,
            found=cells or _("nothing"),
            goal=expected,
            progress=progress,
        ),
        source=source,
    )


def _body_rows(tables: list[_Table], kind: str, source: str) -> list[_TableRow]:
    """The rows below the headers of the tables of ``kind``, header repeats dropped."""
    rows: list[_TableRow] = []
    for table in tables:
        table_kind = _header_kind(table.header)
        if table_kind is None:
            raise _header_error(table, source)
        if table_kind == kind:
            rows += [row for row in table.rows if _header_kind(row) is None]
    return rows


def _merge_continued(rows: list[_TableRow], continues: Callable[[_TableRow], bool]) -> list[_TableRow]:
    """Append each row continued from the previous page to the row it continues."""
    merged: list[_TableRow] = []
    for row in rows:
        if merged and continues(row):
            merged[-1].extend(row)
        else:
            merged.append(row)
    return merged


# --- cell texts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """Where the lines of each column start, and whether wrapped lines hang indented."""

    starts: dict[int, float]
    hanging: bool

    @classmethod
    def of(cls, rows: list[_TableRow], *, hanging: bool = False) -> _Layout:
        """The layout of ``rows``: hanging indents when ``hanging`` or when a wrapped line shows one."""
        starts: dict[int, float] = {}
        for row in rows:
            for column, lines in enumerate(row.cells):
                for line in lines:
                    starts[column] = min(starts.get(column, line.x0), line.x0)
        hanging = hanging or any(
            cls._indented(line, starts[column])
            for row in rows
            for column, lines in enumerate(row.cells)
            for line in lines[1:]
        )
        return cls(starts=starts, hanging=hanging)

    @staticmethod
    def _indented(line: _Line, start: float) -> bool:
        return line.x0 > start + _INDENT_EMS * line.size

    def continues(self, line: _Line, column: int) -> bool:
        """True when ``line`` is the wrapped continuation of the line above it."""
        if self.hanging:
            return self._indented(line, self.starts[column])
        return not line.text.lstrip().startswith(_MARKERS)

    def lines(self, row: _TableRow, column: int) -> list[str]:
        """The cell's text lines: wrapped visual lines joined, normalised."""
        result: list[str] = []
        for line in row.cells[column]:
            if result and self.continues(line, column):
                result[-1] += line.text
            else:
                result.append(line.text)
        return [text for text in (normalize(line).strip() for line in result) if text]

    def text(self, row: _TableRow, column: int) -> str:
        return "\n".join(self.lines(row, column))


# --- (a) goal declaration ---------------------------------------------------------------

_GOAL_NUMBER, _GOAL_TITLE, _GOAL_CONTENT, _GOAL_TARGET, _GOAL_RESULT, _GOAL_STATUS = range(6)


def _goal_declaration(contents: _Contents, source: str) -> ParsedGoalDeclaration:
    tables = contents.tables
    rows = _merge_continued(_body_rows(tables, "goal", source), lambda row: not row.text(_GOAL_NUMBER))
    if not rows:
        raise ImportFormatError(
            _("the goal table on page %(page)s has no goal", page=tables[0].page), source=source
        )
    title, fiscal_year, position, name, unplaced = _goal_head(contents.items, tables[0], source)
    layout = _Layout.of(rows, hanging=contents.ours)
    goals: list[ParsedGoal] = []
    seen: dict[int, int] = {}
    for row in rows:
        goal = _goal(row, layout, source)
        if goal.number in seen:
            raise ImportFormatError(
                _(
                    "page %(page)s: goal number %(number)s repeats the goal on page %(first)s",
                    page=row.page,
                    number=goal.number,
                    first=seen[goal.number],
                ),
                source=source,
            )
        seen[goal.number] = row.page
        goals.append(goal)
    return ParsedGoalDeclaration(
        fiscal_year=fiscal_year,
        title=title,
        declarer_position=position,
        declarer_name=name,
        goals=goals,
        unplaced=unplaced,
    )


def _outside_lines(items: list[_Item]) -> Iterator[_PageLine]:
    """Lines outside the tables, page numbers left out."""
    for item in items:
        if isinstance(item, _PageLine) and not _FOOTER_RE.match(normalize(item.text).strip()):
            yield item


def _goal_head(
    items: list[_Item], first_table: _Table, source: str
) -> tuple[str, int, str, str, list[Unplaced]]:
    """Title, fiscal year, declarer position and name (the lines above the table), unplaced lines."""
    lines = list(_outside_lines(items))
    head = [line for line in lines if (line.page, line.top) < (first_table.page, first_table.top)]
    if len(head) < 2:
        raise ImportFormatError(
            _(
                "page %(page)s: expected the title (e.g. 平成28年度 企画部長の目標宣言 達成状況報告) "
                "and the declarer (e.g. 企画部長 山口 清治) above the table",
                page=first_table.page,
            ),
            source=source,
        )
    title = " ".join(normalize(head[0].text).split())
    fiscal_year = search_fiscal_year(title)
    if fiscal_year is None:
        raise ImportFormatError(
            _(
                "page %(page)s: no fiscal year (e.g. 平成28年度) in the title 「%(title)s」",
                page=head[0].page,
                title=title,
            ),
            source=source,
        )
    tokens = normalize(head[1].text).split()
    if len(tokens) < 2:
        raise ImportFormatError(
            _(
                "page %(page)s: the declarer line 「%(line)s」 should hold a position "
                "and a name (e.g. 企画部長 山口 清治)",
                page=head[1].page,
                line=head[1].text.strip(),
            ),
            source=source,
        )
    unplaced = [Unplaced(line=line.page, text=line.text) for line in lines if line not in head[:2]]
    return title, fiscal_year, tokens[0], " ".join(tokens[1:]), unplaced


def _goal(row: _TableRow, layout: _Layout, source: str) -> ParsedGoal:
    number_text = row.text(_GOAL_NUMBER)
    if not number_text.isdigit():
        raise ImportFormatError(
            _(
                "page %(page)s: goal number 「%(number)s」 is not a whole number",
                page=row.page,
                number=number_text,
            ),
            source=source,
        )
    # The sections close the title cell, on a line of their own in our PDFs: （経営企画課）.
    title, sections = split_trailing_sections(layout.text(row, _GOAL_TITLE))
    if not title:
        raise ImportFormatError(
            _("page %(page)s: goal %(number)s has no title", page=row.page, number=number_text), source=source
        )
    result, direction = _split_direction(layout.lines(row, _GOAL_RESULT))
    target_text = layout.text(row, _GOAL_TARGET)
    status_lines = layout.text(row, _GOAL_STATUS).split("\n")
    status_text = "\n".join(line for line in status_lines if not line.startswith(L.PDF_JUDGEMENT_MARKER))
    return ParsedGoal(
        number=int(number_text),
        title=title,
        sections=sections,
        content=layout.text(row, _GOAL_CONTENT),
        target_text=target_text,
        result_text="\n".join(result),
        direction_text="\n".join(direction),
        status_text=status_text,
        targets=goal_declaration_text.figures_of_column_text(target_text),
        actuals=goal_declaration_text.figures_of_column_text(status_text),
        line=row.page,
    )


def _split_direction(lines: list[str]) -> tuple[list[str], list[str]]:
    """Results above the ［今後の取組の方向性］ line, the direction below it."""
    marker = _key(L.PDF_DIRECTION_MARKER)
    for index, line in enumerate(lines):
        if _key(line) == marker:
            return lines[:index], lines[index + 1 :]
    return lines, []


# --- (b) guideline progress -------------------------------------------------------------

_TITLE, _GUIDELINE_TEXT, _CLASSIFICATION, _POLICY, _RESULTS, _PLANS = range(6)
_CODE, _LABEL = range(2)


@dataclass
class _Headings:
    """What the guideline reader knows while it walks down the pages."""

    guideline: str | None = None
    chapter: str | None = None
    subsection: str | None = None
    group: str | None = None
    unplaced: list[Unplaced] = field(default_factory=list)

    def read(self, line: _PageLine) -> None:
        """A line outside the tables: the title, a heading, or unplaced."""
        text = normalize(line.text).strip()
        title = _GUIDELINE_RE.search(text)
        if self.guideline is None and title is not None:
            self.guideline = title.group("guideline").strip()
        elif match := _CHAPTER_RE.match(text):
            self.chapter = f"{match.group('number')} {match.group('heading').strip()}"
            self.subsection = self.group = None
        elif match := _SUBSECTION_RE.match(text):
            self.subsection = f"{match.group('marker')}{match.group('heading').strip()}"
            self.group = None
        elif match := _GROUP_RE.match(text):
            self.group = match.group("heading").strip()
        else:
            self.unplaced.append(Unplaced(line=line.page, text=line.text.strip()))


@dataclass
class _PlacedRow:
    """A progress row with the headings above it."""

    row: _TableRow
    chapter: str | None
    subsection: str | None
    group: str | None


def _guideline_progress(contents: _Contents, source: str) -> ParsedGuidelineProgress:
    headings = _Headings()
    placed: list[_PlacedRow] = []
    legend_rows: list[_TableRow] = []
    years: tuple[int, int] | None = None
    for item in contents.items:
        if isinstance(item, _PageLine):
            if not _FOOTER_RE.match(normalize(item.text).strip()):
                headings.read(item)
            continue
        kind = _header_kind(item.header)
        if kind is None:
            raise _header_error(item, source)
        rows = [row for row in item.rows if _header_kind(row) is None]
        if kind == "legend":
            legend_rows += rows
            continue
        if kind == "progress":
            years = _check_years(item, years, source)
            placed += [_PlacedRow(row, headings.chapter, headings.subsection, headings.group) for row in rows]
        else:
            raise ImportFormatError(
                _("page %(page)s: a goal table inside a guideline progress document", page=item.page),
                source=source,
            )
    if headings.guideline is None:
        raise ImportFormatError(_("no title naming the guideline in 『』 above the tables"), source=source)
    assert years is not None  # the first table is a progress table (see parse)
    classifications = _legend(legend_rows, source, hanging=contents.ours)
    initiatives = _initiatives(placed, source, hanging=contents.ours)
    _check_codes(initiatives, classifications, source)
    return ParsedGuidelineProgress(
        guideline=headings.guideline,
        result_year=years[0],
        plan_year=years[1],
        classifications=classifications,
        initiatives=initiatives,
        unplaced=headings.unplaced,
    )


def _check_years(table: _Table, years: tuple[int, int] | None, source: str) -> tuple[int, int]:
    """The result and plan years of a progress header; every header must agree."""
    result = search_fiscal_year(table.header.text(_RESULTS))
    plan = search_fiscal_year(table.header.text(_PLANS))
    if result is None or plan is None:
        raise ImportFormatError(
            _("page %(page)s: no fiscal year in the 実績 / 予定 column headings", page=table.page),
            source=source,
        )
    if years is not None and years != (result, plan):
        raise ImportFormatError(
            _(
                "page %(page)s: the table header is for FY%(result)s/FY%(plan)s, "
                "the first one for FY%(first_result)s/FY%(first_plan)s",
                page=table.page,
                result=result,
                plan=plan,
                first_result=years[0],
                first_plan=years[1],
            ),
            source=source,
        )
    return result, plan


def _initiatives(placed: list[_PlacedRow], source: str, *, hanging: bool) -> list[ParsedInitiative]:
    # A row continued from the previous page has neither an initiative nor a 区分.
    merged_rows = _merge_continued(
        [p.row for p in placed], lambda row: not row.text(_TITLE) and not row.text(_CLASSIFICATION)
    )
    kept = {id(row) for row in merged_rows}
    placed = [p for p in placed if id(p.row) in kept]
    layout = _Layout.of(merged_rows, hanging=hanging)
    initiatives: list[ParsedInitiative] = []
    for item in placed:
        row = item.row
        title = layout.text(row, _TITLE)
        guideline_text = layout.text(row, _GUIDELINE_TEXT)
        if title:
            if item.chapter is None:
                raise ImportFormatError(
                    _("page %(page)s: an initiative (○) before the first chapter heading", page=row.page),
                    source=source,
                )
            initiatives.append(
                ParsedInitiative(
                    chapter=item.chapter,
                    subsection=item.subsection,
                    group=item.group,
                    title=title.removeprefix(L.INITIATIVE_MARK).strip(),
                    guideline_text=guideline_text,
                    line=row.page,
                )
            )
        elif not initiatives:
            raise ImportFormatError(
                _("page %(page)s: a 区分 row before any initiative (○)", page=row.page), source=source
            )
        elif guideline_text:
            # The guideline text may go on in the next row; keep it, as the text parser does.
            initiatives[-1].guideline_text = f"{initiatives[-1].guideline_text}\n{guideline_text}".strip()
        initiatives[-1].rows.append(_progress_row(row, layout, source))
    if not initiatives:
        raise ImportFormatError(_("the progress tables have no initiative (○)"), source=source)
    return initiatives


def _progress_row(row: _TableRow, layout: _Layout, source: str) -> ParsedRow:
    code = row.text(_CLASSIFICATION)
    classification = classification_code(code)
    if classification is None:
        raise ImportFormatError(
            _(
                "page %(page)s: classification 「%(code)s」 is not a 区分 code such as II, ①, A, 1 or 継続",
                page=row.page,
                code=code,
            ),
            source=source,
        )
    return ParsedRow(
        classification=classification,
        policy=layout.text(row, _POLICY),
        results=_entries(layout.lines(row, _RESULTS), row.page),
        plans=_entries(layout.lines(row, _PLANS), row.page),
        line=row.page,
    )


def _entries(lines: list[str], page: int) -> list[ParsedEntry]:
    """Bullets ``●text(担当課)``; a line without ● continues the bullet above it."""
    texts: list[str] = []
    for line in lines:
        if line.startswith(L.BULLET) or not texts:
            texts.append(line.removeprefix(L.BULLET))
        else:
            texts[-1] += "\n" + line
    entries = []
    for text in texts:
        body, sections = split_trailing_sections(text)
        entries.append(ParsedEntry(text=body, sections=sections, line=page))
    return entries


def _legend(rows: list[_TableRow], source: str, *, hanging: bool) -> list[ParsedClassification]:
    if not rows:
        raise ImportFormatError(
            _("no classification legend (区分 / 説明) after the progress tables"), source=source
        )
    rows = _merge_continued(rows, lambda row: not row.text(_CODE))
    layout = _Layout.of(rows, hanging=hanging)
    classifications: list[ParsedClassification] = []
    for row in rows:
        code = classification_code(row.text(_CODE))
        if code is None:
            raise ImportFormatError(
                _(
                    "page %(page)s: legend code 「%(code)s」 is not a 区分 code such as II, ①, A, 1 or 継続",
                    page=row.page,
                    code=row.text(_CODE),
                ),
                source=source,
            )
        if any(c.code == code for c in classifications):
            raise ImportFormatError(
                _("page %(page)s: classification %(code)s appears twice", page=row.page, code=code),
                source=source,
            )
        classifications.append(ParsedClassification(code=code, label=layout.text(row, _LABEL)))
    return classifications


def _check_codes(
    initiatives: list[ParsedInitiative], classifications: list[ParsedClassification], source: str
) -> None:
    known = {c.code for c in classifications}
    for initiative in initiatives:
        for row in initiative.rows:
            if row.classification not in known:
                raise ImportFormatError(
                    _(
                        "page %(page)s: classification %(code)s of ○%(initiative)s is not in the legend (%(codes)s)",
                        page=row.line,
                        code=row.classification,
                        initiative=initiative.title,
                        codes=", ".join(sorted(known)),
                    ),
                    source=source,
                )

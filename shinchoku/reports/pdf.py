"""PDF in the documents' own layout: A4 landscape, BIZ UD Gothic embedded, re-importable.

Writers take a document (``shinchoku.documents.schema``), never the ORM, like ``xlsx.py``.
The layout follows the city's published PDFs (seeds 000 and 004): the title, then the
declarer or the chapter / sub-section / group headings, then ruled tables whose shaded
header row repeats on every page; ``n / N`` in the footer.

Choices that make the PDF read back exactly (``shinchoku.imports.parsers.pdf``):

* Cell texts are wrapped here (``wrap_line``), not by ``Paragraph``: every stored line
  (the ``\\n``-separated lines the parsers produce) becomes visual lines drawn as they
  are. The first starts at the cell's left, the wrapped ones one em further right (a
  **hanging indent**: bullets read as in print, and the reader tells a wrapped line from
  a new one by its position alone, on every page). Blanks are drawn, never dropped at
  a wrap point, and ReportLab never has to split a paragraph across pages (its split
  re-joins lines with a blank, which suits English only).
* Wrapping follows the basic Japanese rules (JIS X 4051, simplified): a closing
  bracket or 。、ー may not start a line and hangs at the end of the one before; an
  opening bracket may not end a line; an ASCII word or number (``4,238,714``) is
  not cut unless it is longer than the line.
* A row taller than the rest of the page moves to the next page; only a row taller
  than a whole page is split inside the row (``_Table.split``), line by line, so no
  text is ever cut off.
* The font is a ``TTFont``: ReportLab embeds a subset of it (``/FontFile2``). The canvas
  and every table cell start in it, so ReportLab's default Helvetica (a standard font,
  never embedded) is never put into the file.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Mapping
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from shinchoku.core.eras import format_fiscal_year, search_fiscal_year
from shinchoku.documents import layouts as L
from shinchoku.documents.schema import (
    ParsedGoal,
    ParsedGoalDeclaration,
    ParsedGuidelineProgress,
    ParsedInitiative,
    ParsedRow,
)
from shinchoku.reports import moment
from shinchoku.reports.summary import SUMMARY_COLUMNS, SUMMARY_TITLE, SummaryRow, summary_cells

__all__ = [
    "FONT_DIR",
    "FontMissingError",
    "goal_declaration_pdf",
    "guideline_progress_pdf",
    "register_fonts",
    "wrap_line",
]

# Debian's fonts-morisawa-bizud-gothic (BIZ UD Gothic: the public sector's UD font).
FONT_DIR = Path("/usr/share/fonts/truetype/bizud-gothic")
FONT_PACKAGE = "fonts-morisawa-bizud-gothic"
FONT = "BIZUDGothic"
FONT_BOLD = "BIZUDGothic-Bold"
_FONT_FILES = {FONT: "BIZUDGothic-Regular.ttf", FONT_BOLD: "BIZUDGothic-Bold.ttf"}

PAGE_SIZE = landscape(A4)
MARGIN = 12 * mm
FOOTER_Y = 6 * mm
FRAME_HEIGHT = PAGE_SIZE[1] - 2 * MARGIN - 12  # a Frame pads its content by 6 pt on each side
BODY_SIZE = 8.5
BODY_LEADING = 11.5
_BASELINE = 2.5  # from the bottom of a line box: BIZ UD Gothic's descent, centred in the leading
HANGING_INDENT = BODY_SIZE  # one em: wrapped lines line up with the text after a bullet
CELL_PADDING = 3
# Room for a character hung past the wrap width (。、」), kept inside the cell's rule.
HANGING_ROOM = BODY_SIZE - CELL_PADDING + 0.5
# Room a heading needs at the foot of a page, else it moves to the next page with its table.
HEADING_ROOM = 80
_GRID = colors.HexColor("#666666")
_RULE = 0.6
_HEADER_FILL = colors.HexColor("#DDE7F0")  # the XLSX header colour

# Column widths in points; each table fills the 273 mm between the margins (≈ 774 pt).
GOAL_WIDTHS = (24, 104, 150, 124, 222, 150)
PROGRESS_WIDTHS = (100, 112, 30, 84, 224, 224)
LEGEND_WIDTHS = (40, 300)

# Line-breaking rules (JIS X 4051, simplified). A blank may not start a line either: it
# stays at the end of the line before, drawn, so the reader gets it back.
_NO_START = frozenset(
    " 、。，．,.:;!?)]}）］｝〕〉》」』】’”・：；？！ー～〜々ゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ%％"
)
_NO_END = frozenset("([{（［｛〔〈《「『【‘“")


class FontMissingError(RuntimeError):
    """The Japanese font to embed is not installed: says which file and which package."""


# --- fonts and styles -----------------------------------------------------------------


@cache
def register_fonts(font_dir: Path = FONT_DIR) -> None:
    """Register BIZ UD Gothic (regular and bold) as embeddable TrueType fonts, once.

    A missing file is an error, never a fallback: a fallback would be a standard font
    without Japanese glyphs, printing tofu boxes, and not embedded.
    """
    for name, filename in _FONT_FILES.items():
        path = font_dir / filename
        if not path.is_file():
            raise FontMissingError(
                f"font file {path} not found: install the Debian package {FONT_PACKAGE} "
                "(BIZ UD Gothic is embedded in every PDF)"
            )
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


def _style(name: str, **overrides: Any) -> ParagraphStyle:
    values: dict[str, Any] = {"fontName": FONT, "fontSize": BODY_SIZE, "leading": BODY_LEADING}
    values.update(overrides)
    return ParagraphStyle(name, wordWrap="CJK", **values)


@cache
def _styles() -> dict[str, ParagraphStyle]:
    side = HANGING_ROOM / 2  # headers are centred: keep their hung characters inside too
    return {
        "center": _style("center", alignment=TA_CENTER),
        "header": _style(
            "header", fontName=FONT_BOLD, alignment=TA_CENTER, leftIndent=side, rightIndent=side
        ),
        "title": _style("title", fontName=FONT_BOLD, fontSize=14, leading=20, alignment=TA_CENTER),
        "declarer": _style("declarer", fontSize=11, leading=16, alignment=TA_RIGHT, spaceAfter=4),
        "chapter": _style("chapter", fontName=FONT_BOLD, fontSize=11, leading=16, spaceBefore=8),
        "subsection": _style("subsection", fontName=FONT_BOLD, fontSize=10, leading=14, spaceBefore=4),
        "group": _style("group", fontSize=10, leading=14, spaceBefore=6, spaceAfter=2),
    }


def _markup(text: str) -> str:
    """Paragraph markup for plain text: & < > escaped, nothing else interpreted."""
    return escape(text)


# --- cell text: wrapped here, drawn line by line ------------------------------------------


@cache
def _char_width(char: str) -> float:
    return float(pdfmetrics.stringWidth(char, FONT, BODY_SIZE))


def _is_word(char: str) -> bool:
    """Part of an ASCII word or number (``CMS``, ``4,238,714``): not cut at a wrap."""
    return char.isascii() and (char.isalnum() or char in ",.%")


def _break_at(text: str, start: int, overflow: int) -> int:
    """Where the line from ``start`` ends, ``text[overflow]`` being the first character that does not fit."""
    if text[overflow] in _NO_START:
        return overflow + 1  # hang it at the end of this line (ぶら下げ)
    end = overflow
    if _is_word(text[end]) and _is_word(text[end - 1]):
        word_start = end
        while word_start > start and _is_word(text[word_start - 1]):
            word_start -= 1
        if word_start > start:
            end = word_start  # move the whole word down; a word longer than a line is cut
    while end - 1 > start and text[end - 1] in _NO_END:
        end -= 1  # an opening bracket goes down with what it opens
    return end


def wrap_line(text: str, first_width: float, width: float) -> list[str]:
    """Cut one line of text into visual lines: the first ``first_width`` wide, the others ``width``.

    Each line is filled as far as it goes (a hung character may pass the width by one
    em), then ``_break_at`` moves the break. Joining the result gives ``text`` back.
    """
    register_fonts()  # the widths are BIZ UD Gothic's
    lines: list[str] = []
    start, used, limit = 0, 0.0, first_width
    index = 0
    while index < len(text):
        advance = _char_width(text[index])
        if used + advance <= limit + 0.01 or index == start:
            used += advance
            index += 1
            continue
        end = _break_at(text, start, index)
        if end >= len(text):
            break  # only a hung character was left: it ends this line
        lines.append(text[start:end])
        start, used, limit, index = end, 0.0, width, end
    lines.append(text[start:])
    return lines


class _TextLine(Flowable):
    """One visual line of a cell, drawn as it is (blanks included) at its indent."""

    def __init__(self, text: str, indent: float):
        super().__init__()
        self.text = text
        self.indent = indent

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = availWidth, BODY_LEADING
        return availWidth, BODY_LEADING

    def draw(self) -> None:
        self.canv.setFont(FONT, BODY_SIZE)
        self.canv.drawString(self.indent, _BASELINE, self.text)


def _cell(width: float, *texts: str) -> list[Flowable] | str:
    """A cell ``width`` points wide holding the lines of ``texts`` in order ("" when empty).

    Each stored line starts at the left and its wrapped lines hang one em to the right.
    Blank lines are left out (they have no visual line to carry them).
    """
    inner = width - 2 * CELL_PADDING - HANGING_ROOM
    flowables: list[Flowable] = []
    for text in texts:
        for line in text.split("\n"):
            if not line.strip():
                continue
            for index, part in enumerate(wrap_line(line, inner, inner - HANGING_INDENT)):
                flowables.append(_TextLine(part, HANGING_INDENT if index else 0.0))
    return flowables or ""


def _centered(text: str) -> list[Flowable]:
    """A centred one-line cell (a list: ReportLab drops a lone flowable when it splits a row)."""
    return [Paragraph(_markup(text), _styles()["center"])]


def _header_row(labels: Iterable[str]) -> list[list[Flowable]]:
    return [[Paragraph(_markup(label), _styles()["header"])] for label in labels]


# --- tables and pages --------------------------------------------------------------------


class _Table(Table):
    """A table that splits inside a row only when the row cannot fit on a page of its own.

    ReportLab's ``splitInRow`` otherwise splits the next row as soon as it does not fit
    in what is left of the page, or splits between rows first and then splits the
    first row of the rest on the same page, under a header repeated in mid-page. Here
    a row that fits on a page moves to the next page whole, and a row taller than a
    page starts where it is and goes on over the next pages. The first half of a split
    row gets a bottom rule, so every cell on every page is a closed box (which is also
    how the reader finds the cells).
    """

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        self._calc(availWidth, availHeight)
        first_left_out = self._getFirstPossibleSplitRowPosition(availHeight)
        if first_left_out < len(self._rowHeights) and self._taller_than_a_page(first_left_out):
            parts: list[Any] = self._splitRows(availHeight, doInRowSplit=True)
            if len(parts) == 2:
                parts[0].setStyle(TableStyle([("LINEBELOW", (0, -1), (-1, -1), _RULE, _GRID)]))
                return parts
        return list(self._splitRows(availHeight, doInRowSplit=False))

    def _taller_than_a_page(self, row: int) -> bool:
        return bool(sum(self._rowHeights[: self.repeatRows]) + self._rowHeights[row] > FRAME_HEIGHT)


def _table(rows: list[list[Any]], widths: tuple[int, ...]) -> _Table:
    """A ruled table, header shaded and repeated on every page."""
    table = _Table(rows, colWidths=list(widths), repeatRows=1, splitByRow=1, splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                # A cell is drawn after setting its font: Helvetica unless told.
                ("FONT", (0, 0), (-1, -1), FONT, BODY_SIZE),
                ("GRID", (0, 0), (-1, -1), _RULE, _GRID),
                ("BACKGROUND", (0, 0), (-1, 0), _HEADER_FILL),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _date_document(document: Any, seconds: float) -> None:
    """Date a ReportLab document at ``seconds`` (UTC) and derive its ID from that alone, as
    ReportLab does for SOURCE_DATE_EPOCH, without touching the process's environment."""
    stamp = TimeStamp(invariant=True)
    stamp.t, stamp.lt = seconds, time.gmtime(seconds)
    stamp.YMDhms = tuple(stamp.lt)[:6]
    document._timeStamp = stamp
    document.signature = hashlib.md5(usedforsecurity=False)
    document.signature.update(b"a reportlab document")
    document.signature.update(ascii(seconds).encode())


class _NumberedCanvas(Canvas):
    """A canvas that writes ``n / N`` under every page once N is known.

    Pages are kept until ``save``; then each gets its footer. The canvas starts in
    BIZ UD Gothic so that Helvetica is not put into the font resources.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The doc template passes initialFontName=None explicitly: setdefault would not do.
        kwargs["initialFontName"] = kwargs.get("initialFontName") or FONT
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        fixed = moment.current()
        if fixed is not None:
            _date_document(self._doc, fixed.timestamp())

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(FONT, 8)
            # Centred on the page the document was built with (landscape, or a portrait report).
            self.drawCentredString(self._pagesize[0] / 2, FOOTER_Y, f"{number} / {total}")
            super().showPage()
        super().save()


def _build(
    story: list[Flowable],
    *,
    title: str,
    author: str,
    subject: str,
    pagesize: tuple[float, float] = PAGE_SIZE,
) -> bytes:
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=author,
        subject=subject,
        creator=L.PDF_CREATOR,
        lang="ja-JP",
        initialFontName=FONT,
    )
    document.build(story, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


# --- (a) goal declaration achievement report (seed 000) ---------------------------------


def _goal_title(document: ParsedGoalDeclaration) -> str:
    """The title as stored; prefixed with its fiscal year when it does not say it.

    The reader takes the fiscal year from the title, as the text parser does.
    """
    if search_fiscal_year(document.title) == document.fiscal_year:
        return document.title
    return f"{format_fiscal_year(document.fiscal_year)} {document.title}"


def _goal_row(goal: ParsedGoal, judgements: list[str]) -> list[Any]:
    widths = GOAL_WIDTHS
    sections = f"（{L.SECTION_JOINER.join(goal.sections)}）" if goal.sections else ""
    return [
        _centered(str(goal.number)),
        _cell(widths[1], L.without_sections(goal.title, goal.sections), sections),
        _cell(widths[2], goal.content),
        _cell(widths[3], goal.target_text),
        # 取組結果, then ［今後の取組の方向性］ and the direction, in one column as in the seed.
        _cell(widths[4], goal.result_text, L.PDF_DIRECTION_MARKER, goal.direction_text),
        _cell(widths[5], goal.status_text, *(f"{L.PDF_JUDGEMENT_MARKER}{line}" for line in judgements)),
    ]


def goal_declaration_pdf(
    document: ParsedGoalDeclaration, judgements: Mapping[int, list[str]] | None = None
) -> bytes:
    """The achievement report of a goal declaration, laid out like the city's PDF.

    ``judgements`` (goal number → lines) puts the achievement judged by the system under
    the status the report states, each line marked 【評価】.
    """
    register_fonts()
    styles = _styles()
    title = _goal_title(document)
    declarer = " ".join(part for part in (document.declarer_position, document.declarer_name) if part)
    rows: list[list[Any]] = [_header_row(L.PDF_GOAL_COLUMNS)]
    rows += [_goal_row(goal, (judgements or {}).get(goal.number, [])) for goal in document.goals]
    story: list[Flowable] = [
        Paragraph(_markup(title), styles["title"]),
        Paragraph(_markup(declarer), styles["declarer"]),
        _table(rows, GOAL_WIDTHS),
    ]
    return _build(story, title=title, author=declarer, subject="目標宣言 達成状況報告")


# --- (b) guideline progress table (seed 004) -------------------------------------------


def _progress_row(initiative: ParsedInitiative, row: ParsedRow, first: bool) -> list[Any]:
    """One 区分 row; the initiative's own cells are filled on its first row only, as in the seed."""
    widths = PROGRESS_WIDTHS
    return [
        _cell(widths[0], f"{L.INITIATIVE_MARK}{initiative.title}") if first else "",
        _cell(widths[1], initiative.guideline_text) if first else "",
        _centered(row.classification),
        _cell(widths[3], row.policy),
        _cell(widths[4], *(L.bullet_text(entry.text, entry.sections) for entry in row.results)),
        _cell(widths[5], *(L.bullet_text(entry.text, entry.sections) for entry in row.plans)),
    ]


def _headings(previous: ParsedInitiative | None, initiative: ParsedInitiative) -> list[Flowable]:
    """The chapter / sub-section / group headings that change before ``initiative``."""
    styles = _styles()
    chapter = previous is None or previous.chapter != initiative.chapter
    subsection = chapter or previous is None or previous.subsection != initiative.subsection
    group = subsection or previous is None or previous.group != initiative.group
    headings: list[Flowable] = []
    if chapter:
        headings.append(Paragraph(_markup(initiative.chapter), styles["chapter"]))
    if subsection and initiative.subsection:
        headings.append(Paragraph(_markup(initiative.subsection), styles["subsection"]))
    if group and initiative.group:
        headings.append(Paragraph(_markup(f"{L.GROUP_MARK}{initiative.group}"), styles["group"]))
    # Not keepWithNext: it would move a whole table that fits on a page to the next page.
    return [CondPageBreak(HEADING_ROOM), *headings] if headings else []


def _progress_tables(document: ParsedGuidelineProgress) -> list[Flowable]:
    """Headings, then one table per run of initiatives under the same headings."""
    header = [label for _key, label in L.PROGRESS_FIXED_COLUMNS[3:]]
    header += [L.results_header(document.result_year), L.plans_header(document.plan_year)]
    story: list[Flowable] = []
    rows: list[list[Any]] = []
    previous: ParsedInitiative | None = None
    for initiative in document.initiatives:
        headings = _headings(previous, initiative)
        if headings and rows:
            story.append(_table(rows, PROGRESS_WIDTHS))
            rows = []
        story.extend(headings)
        if not rows:
            rows.append(_header_row(header))
        rows += [_progress_row(initiative, row, index == 0) for index, row in enumerate(initiative.rows)]
        previous = initiative
    if rows:
        story.append(_table(rows, PROGRESS_WIDTHS))
    return story


def _legend(document: ParsedGuidelineProgress) -> Table:
    rows: list[list[Any]] = [_header_row(label for _key, label in L.LEGEND_COLUMNS)]
    rows += [[_centered(c.code), _cell(LEGEND_WIDTHS[1], c.label)] for c in document.classifications]
    table = _table(rows, LEGEND_WIDTHS)
    table.hAlign = "LEFT"
    return table


def guideline_progress_pdf(document: ParsedGuidelineProgress) -> bytes:
    """The progress table of a guideline, with its headings and the 区分 legend at the end."""
    register_fonts()
    title = L.progress_title(document.guideline)
    story: list[Flowable] = [Paragraph(_markup(title), _styles()["title"]), Spacer(0, 4)]
    story += _progress_tables(document)
    if document.classifications:
        story += [Spacer(0, 10), _legend(document)]
    return _build(story, title=title, author="", subject="進捗状況等")


# --- achievement summary ------------------------------------------------------------------


# Bars per chart: one chart fits the A4 landscape frame (515 pt high) with room for a heading.
CHART_BARS = 18


def _summary_charts(rows: list[SummaryRow]) -> list[Flowable]:
    """Horizontal bars of each department's share at or above the threshold, values printed.

    A city of 40 departments over ten years has 400 bars: one drawing that tall cannot be laid
    out on any page (reportlab refuses it), so the bars are drawn CHART_BARS to a chart.
    """
    bars = [r for r in rows if r.share is not None]
    charts: list[Flowable] = []
    for start in range(0, len(bars), CHART_BARS):
        charts += [_summary_chart(bars[start : start + CHART_BARS]), Spacer(1, 8)]
    return charts


def _summary_chart(bars: list[SummaryRow]) -> Drawing:
    height = 30 + 22 * len(bars)
    drawing = Drawing(560, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 150, 10, 360, height - 20
    chart.data = [[float(r.share) for r in reversed(bars) if r.share is not None]]
    chart.categoryAxis.categoryNames = [
        f"{format_fiscal_year(r.fiscal_year)} {r.department}" for r in reversed(bars)
    ]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    chart.bars[0].fillColor = colors.HexColor("#0B5CAD")
    chart.barLabelFormat = "%.1f%%"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 8
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 4
    drawing.add(chart)
    return drawing


def summary_pdf(rows: list[SummaryRow], municipality_name: str) -> bytes:
    """The achievement summary: a bar chart of the shares and the table of every figure."""
    register_fonts()
    styles = _styles()
    title = f"{municipality_name} {SUMMARY_TITLE}"
    table_rows: list[list[Any]] = [_header_row(SUMMARY_COLUMNS)]
    for row in rows:
        cells = summary_cells(row)
        cells[7] = "—" if row.share is None else f"{row.share}%"
        table_rows.append([_centered(str(cell)) for cell in cells])
    story: list[Flowable] = [Paragraph(_markup(title), styles["title"]), Spacer(1, 6)]
    if any(r.share is not None for r in rows):
        story += [*_summary_charts(rows), Spacer(1, 6)]
    story.append(_table(table_rows, (50, 80, 110, 90, 50, 60, 60, 100, 60, 60)))
    return _build(story, title=title, author=municipality_name, subject=SUMMARY_TITLE)

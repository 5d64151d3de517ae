"""Parser for format (b): the guideline progress table as extracted text (seed 004).

The layout, line by line (cells are separated by tabs; HTML fragments such as
``<p>`` or ``<ul style=…>`` may wrap any cell and are removed):

* the title line ``『<guideline>』における「基本的な取り組み」への進捗状況等``; it is
  the first non-blank line and repeats as a page header, repeats are skipped;
* chapter lines ``1 市政運営の各過程における市民参加の推進`` (a number, a blank,
  the heading), sub-section lines ``① 政策形成過程…`` and group lines ``◎…``;
  a chapter resets the sub-section and the group, a sub-section resets the group;
* the header row ``基本的な取り組み / 「指針の記載内容」 / 区分 / 対応方針 /
  平成30年度の取り組み実績 / 平成31年度の取り組み予定``: the result year and the
  plan year are read from its last two cells (every header must agree);
* initiative rows whose first cell starts with ``○`` and continuation rows (first
  cell empty) that add one more classification row to the previous initiative;
* the legend ``区分 / 説明`` followed by ``Ⅰ / 担当課で検討を進める。`` rows.

Result and plan cells hold bullets ``●text(担当課)``; each becomes a
:class:`ParsedEntry` whose sections come from :func:`split_trailing_sections`.
Duplicated bullets are kept as they are: spotting them is the quality checks' job.

Anything that is not one of the above (``●参考`` at the end, an unexpected heading)
is returned in ``unplaced`` with its line number. A text that is empty, truncated,
not in this layout, or whose 区分 code is not in the legend raises
:class:`ImportFormatError` naming the source and the line.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from shinchoku.core.eras import search_fiscal_year
from shinchoku.core.text import normalize, normalize_roman
from shinchoku.imports.parsers.sections import split_trailing_sections
from shinchoku.imports.schema import (
    Ignored,
    ImportFormatError,
    ParsedClassification,
    ParsedEntry,
    ParsedGuidelineProgress,
    ParsedInitiative,
    ParsedRow,
    Unplaced,
)

__all__ = ["looks_like", "parse"]

COLUMNS = 6
BULLET = "●"
INITIATIVE_MARK = "○"
GROUP_MARK = "◎"

# Lines are split on real line breaks only: str.splitlines() would also split on
# form feeds and other separators and shift every line number after them.
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
# Only things that look like HTML tags are removed, so "<" in prose survives.
_TAG_RE = re.compile(r"</?[A-Za-z][^<>]*>")
_TITLE_RE = re.compile(r"『(?P<guideline>[^』]+)』")
_CHAPTER_RE = re.compile(r"^(?P<number>[0-9]{1,2})[ \u3000]+(?P<heading>\S.*)$")
_SUBSECTION_RE = re.compile(r"^(?P<marker>[\u2460-\u2473])\s*(?P<heading>\S.*)$")  # ①..⑳
_GROUP_RE = re.compile(f"^{GROUP_MARK}\\s*(?P<heading>\\S.*)$")
_LEGEND_HEADER = ("区分", "説明")
_TABLE_HEADER_FIRST = "基本的な取り組み"

# How much of the text looks_like() reads: the header row is within the first page.
_SNIFF_CHARS = 6000
_SNIFF_TITLE_RE = re.compile(r"『[^』\n]+』[^\n]*進捗")


def looks_like(text: str) -> bool:
    """Cheap detection: the guideline title line and the tab-separated header row."""
    head = text[:_SNIFF_CHARS]
    return bool(_SNIFF_TITLE_RE.search(head)) and f"{_TABLE_HEADER_FIRST}\t" in head


@dataclass
class _Line:
    number: int
    cells: list[str]
    raw: str

    @property
    def text(self) -> str:
        return " ".join(cell for cell in self.cells if cell)


@dataclass
class _State:
    """What the parser knows while it walks down the document."""

    source: str
    guideline: str | None = None
    result_year: int | None = None
    plan_year: int | None = None
    chapter: str | None = None
    subsection: str | None = None
    group: str | None = None
    in_legend: bool = False
    legend_line: int | None = None
    classifications: list[ParsedClassification] = field(default_factory=list)
    initiatives: list[ParsedInitiative] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)

    def error(self, reason: str, line: int) -> ImportFormatError:
        return ImportFormatError(reason, source=self.source, line=line)


def parse(text: str, *, source: str = "") -> ParsedGuidelineProgress:
    """Parse a guideline progress text; raise ImportFormatError if it is not one."""
    lines = _split_lines(text)
    state = _State(source=source)
    if not lines:
        raise state.error("empty document: no guideline title line 『…』", 1)
    for line in lines:
        if state.guideline is None:
            _read_title(state, line)
        else:
            _read_line(state, line)
    _check_complete(state, last_line=lines[-1].number)
    trailing = _trailing_headings(state, lines[-1].number)
    assert state.guideline is not None and state.result_year is not None and state.plan_year is not None
    return ParsedGuidelineProgress(
        guideline=state.guideline,
        result_year=state.result_year,
        plan_year=state.plan_year,
        classifications=state.classifications,
        initiatives=state.initiatives,
        unplaced=[u for u in state.unplaced if u not in trailing],
        ignored=[Ignored(line=u.line, text=u.text, why="trailing_heading") for u in trailing],
    )


def _trailing_headings(state: _State, last_line: int) -> list[Unplaced]:
    """Short heading lines after the legend that end the document with nothing under them.

    Seed 004 ends with 「●参考」「当初における「区分」欄の説明」: the heading of a reference
    whose content is not in the document. Such lines are left out, and listed; a line
    with a sentence in it, or anything before the legend, stays unplaced (a warning).
    """
    if state.legend_line is None:
        return []
    trailing: list[Unplaced] = []
    expected = last_line
    for unplaced in reversed(state.unplaced):
        text = unplaced.text
        if unplaced.line != expected or unplaced.line <= state.legend_line:
            break
        if len(text) > 30 or "。" in text:
            break
        trailing.insert(0, unplaced)
        expected -= 1
    return trailing if len(trailing) <= 3 else []


def _split_lines(text: str) -> list[_Line]:
    """Non-blank lines with their 1-based numbers and normalised, tag-free cells."""
    result = []
    for number, raw in enumerate(_LINE_BREAK_RE.split(text), start=1):
        cells = [_clean_cell(cell) for cell in raw.split("\t")]
        if any(cells):
            result.append(_Line(number=number, cells=cells, raw=raw))
    return result


def _clean_cell(cell: str) -> str:
    """Remove HTML tags and entities, normalise (NFKC, Ⅱ→II, ① kept), trim."""
    without_tags = html.unescape(_TAG_RE.sub(" ", cell))
    return normalize(without_tags).strip()


def _read_title(state: _State, line: _Line) -> None:
    """The first non-blank line must be the title with the guideline name in 『』."""
    match = _TITLE_RE.search(line.text)
    if len(line.cells) != 1 or match is None:
        raise state.error(
            "not a guideline progress document: expected the title line "
            "『<指針名>』における「基本的な取り組み」への進捗状況等",
            line.number,
        )
    state.guideline = match.group("guideline").strip()


def _read_line(state: _State, line: _Line) -> None:
    cells = line.cells
    if state.in_legend:
        if len(cells) == 2:
            _read_legend_row(state, line)
            return
        state.in_legend = False
    if len(cells) == 1:
        _read_heading(state, line)
    elif cells[0] == _TABLE_HEADER_FIRST:
        _read_table_header(state, line)
    elif tuple(cells) == _LEGEND_HEADER:
        if state.legend_line is not None:
            raise state.error("a second classification legend (区分 / 説明)", line.number)
        state.in_legend = True
        state.legend_line = line.number
    elif len(cells) != COLUMNS:
        raise state.error(
            f"a table row has {len(cells)} tab-separated cells, expected {COLUMNS} "
            "(the document is truncated or not in this layout)",
            line.number,
        )
    else:
        _read_table_row(state, line)


def _read_heading(state: _State, line: _Line) -> None:
    """A single-cell line: repeated title, chapter, sub-section, group, or unplaced."""
    text = line.cells[0]
    title = _TITLE_RE.search(text)
    if title is not None and title.group("guideline").strip() == state.guideline:
        return  # the title repeats as a page header
    if match := _CHAPTER_RE.match(text):
        state.chapter = f"{match.group('number')} {match.group('heading').strip()}"
        state.subsection = None
        state.group = None
    elif match := _SUBSECTION_RE.match(text):
        state.subsection = f"{match.group('marker')}{match.group('heading').strip()}"
        state.group = None
    elif match := _GROUP_RE.match(text):
        state.group = match.group("heading").strip()
    else:
        state.unplaced.append(Unplaced(line=line.number, text=line.raw.strip()))


def _read_table_header(state: _State, line: _Line) -> None:
    """Check the six column headings and read the result and plan years."""
    cells = line.cells
    if (
        len(cells) != COLUMNS
        or "指針" not in cells[1]
        or cells[2] != "区分"
        or "方針" not in cells[3]
        or "実績" not in cells[4]
        or "予定" not in cells[5]
    ):
        raise state.error(
            "unexpected table header: expected 基本的な取り組み / 「指針の記載内容」 / 区分 / "
            "対応方針 / <年度>の取り組み実績 / <年度>の取り組み予定",
            line.number,
        )
    result_year = search_fiscal_year(cells[4])
    plan_year = search_fiscal_year(cells[5])
    if result_year is None or plan_year is None:
        raise state.error("no fiscal year in the 実績 / 予定 column headings", line.number)
    if state.result_year is None:
        state.result_year, state.plan_year = result_year, plan_year
    elif (state.result_year, state.plan_year) != (result_year, plan_year):
        raise state.error(
            f"table header for FY{result_year}/FY{plan_year} differs from the first header "
            f"(FY{state.result_year}/FY{state.plan_year})",
            line.number,
        )


def _read_table_row(state: _State, line: _Line) -> None:
    """An initiative row (○…) or a continuation row (empty first cell)."""
    cells = line.cells
    if state.result_year is None:
        raise state.error("a table row before the header row 基本的な取り組み", line.number)
    if cells[0].startswith(INITIATIVE_MARK):
        if state.chapter is None:
            raise state.error("an initiative (○) before the first chapter heading", line.number)
        initiative = ParsedInitiative(
            chapter=state.chapter,
            subsection=state.subsection,
            group=state.group,
            title=cells[0].removeprefix(INITIATIVE_MARK).strip(),
            guideline_text=cells[1],
            line=line.number,
        )
        state.initiatives.append(initiative)
    elif not cells[0]:
        if not state.initiatives:
            raise state.error("a continuation row before any initiative (○)", line.number)
        initiative = state.initiatives[-1]
        if cells[1]:
            # The guideline text may continue on the next row; keep it rather than drop it.
            initiative.guideline_text = f"{initiative.guideline_text}\n{cells[1]}".strip()
    else:
        state.unplaced.append(Unplaced(line=line.number, text=line.raw.strip()))
        return
    initiative.rows.append(_make_row(state, line))


def _make_row(state: _State, line: _Line) -> ParsedRow:
    cells = line.cells
    if not cells[2]:
        raise state.error("a table row without a classification (区分)", line.number)
    try:
        code = normalize_roman(cells[2])
    except ValueError:
        raise state.error(f"classification {cells[2]!r} is not a code such as I–V", line.number) from None
    return ParsedRow(
        classification=code,
        policy=cells[3],
        results=_entries(cells[4], line.number),
        plans=_entries(cells[5], line.number),
        line=line.number,
    )


def _entries(cell: str, line: int) -> list[ParsedEntry]:
    """Bullets ``●text(担当課)`` of one cell, in document order.

    Text before the first bullet (a cell written without ●) is kept as an entry too:
    nothing is dropped.
    """
    entries = []
    for piece in cell.split(BULLET):
        piece = piece.strip()
        if not piece:
            continue
        text, sections = split_trailing_sections(piece)
        entries.append(ParsedEntry(text=text, sections=sections, line=line))
    return entries


def _read_legend_row(state: _State, line: _Line) -> None:
    try:
        code = normalize_roman(line.cells[0])
    except ValueError:
        raise state.error(f"legend code {line.cells[0]!r} is not a code such as I–V", line.number) from None
    if any(c.code == code for c in state.classifications):
        raise state.error(f"classification {code} appears twice in the legend", line.number)
    state.classifications.append(ParsedClassification(code=code, label=line.cells[1]))


def _check_complete(state: _State, *, last_line: int) -> None:
    """A complete document has a header, initiatives and a legend covering every code."""
    if state.result_year is None:
        raise state.error(
            "no table header row (基本的な取り組み …): the document is truncated or not in this layout",
            last_line,
        )
    if not state.initiatives:
        raise state.error("no initiative rows (○…)", last_line)
    if not state.classifications:
        raise state.error(
            "no classification legend (区分 / 説明) at the end: the document is truncated",
            last_line,
        )
    known = {c.code for c in state.classifications}
    for initiative in state.initiatives:
        for row in initiative.rows:
            if row.classification not in known:
                raise state.error(
                    f"classification {row.classification!r} of ○{initiative.title} is not in the "
                    f"legend (line {state.legend_line}: {', '.join(sorted(known))})",
                    row.line,
                )

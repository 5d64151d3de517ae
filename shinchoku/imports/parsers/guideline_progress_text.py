"""Parser for format (b): the guideline progress table as extracted text (seed 004).

The layout, line by line (cells are separated by tabs; HTML fragments such as
``<p>`` or ``<ul style=…>`` may wrap any cell and are removed):

* the title line ``『<guideline>』における「基本的な取り組み」への進捗状況等`` (or in
  other words, ``『<guideline>』に基づく取組の進捗状況``); it is the first non-blank
  line and repeats as a page header: repeats are ignored (``page_header``);
* chapter lines ``1 市政運営の各過程における市民参加の推進`` (a number, a blank,
  the heading; also ``第1章 …``), sub-section lines ``① 政策形成過程…`` (or ``(1) …``)
  and group lines ``◎…``; a chapter resets the sub-section and the group, a
  sub-section resets the group; numbers out of sequence are a warning;
* the header row ``基本的な取り組み / 「指針の記載内容」 / 区分 / 対応方針 /
  平成30年度の取り組み実績 / 平成31年度の取り組み予定`` (or ``基本的な取組 / 指針の内容 /
  区分 / 今後の方針 / 令和3年度実績 / 令和4年度予定``): the result year and the plan year
  are read from its last two cells (every header must agree; repeats are ignored);
* initiative rows whose first cell starts with ``○`` and continuation rows (first
  cell empty) that add one more classification row to the previous initiative;
* the legend ``区分 / 説明`` (or ``区分 / 内容``), possibly under a caption such as
  ``【区分の説明】``, followed by ``Ⅰ / 担当課で検討を進める。`` rows, before or after
  the tables. Its codes say which 区分 exist, in the document's own family: Roman
  numerals, circled digits, letters, digits or words (:mod:`.codes`);
* page footers (``1 / 3``, ``- 2 -``) and repeated titles wherever they fall: ignored.

Result and plan cells hold bullets ``●text(担当課)``, with any bullet marker (● ・ ○ ◆
◇ ■ - ※ ①②…); each becomes a :class:`ParsedEntry` whose sections come from
:func:`read_trailing_sections`. A cell holding only ``―`` ``－`` or ``なし`` is empty
(``empty_marker``). Duplicated bullets are kept as they are: spotting them is the
quality checks' job.

Every line ends up in one place: a record, the legend, ``ignored`` (page furniture,
with the reason) or ``unplaced`` (a warning). What the reader placed on weak evidence
is a :class:`ParseWarning`: a 区分 not in the legend (``unknown_code``), a chapter,
sub-section or numbered bullet out of sequence (``sequence``), a row without ``○``
read as an initiative (``uncertain_row``), a trailing parenthesis naming some
sections and something else (``uncertain_sections``). A text that is empty,
truncated or not in this layout raises :class:`ImportFormatError` naming the source
and the line.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from shinchoku.core.eras import search_fiscal_year
from shinchoku.core.messages import Message
from shinchoku.core.messages import message as _
from shinchoku.core.text import normalize
from shinchoku.documents.schema import (
    Ignored,
    ImportFormatError,
    ParsedClassification,
    ParsedEntry,
    ParsedGuidelineProgress,
    ParsedInitiative,
    ParsedRow,
    ParseWarning,
    Unplaced,
)
from shinchoku.imports.parsers.codes import classification_code
from shinchoku.imports.parsers.sections import KnownSections, known_section_names, read_trailing_sections

__all__ = ["looks_like", "parse"]

COLUMNS = 6
BULLET = "●"
INITIATIVE_MARK = "○"
INITIATIVE_MARKS = "○〇◯"
GROUP_MARK = "◎"

# Bullet markers, as cells hold them after normalisation (－ is -, ･ is ・).
# A strong marker starts an entry after a blank, a 。 or a list of sections anywhere in a
# cell ("…(企画課) ◆…"); ● also anywhere, as seed 004 has always been read; ※ only after a
# blank ("…した。※速報値" is a note of the bullet). A weak marker (・ -) is
# also a character of the text ("子ども・子育て", "9:00 - 17:00"): it starts an entry only
# in a cell whose first entry starts with it, and only after a blank. Circled numbers
# ①② are numbered bullets in a cell that starts with one.
STRONG_MARKERS = "●○〇◯◎◆◇■□★☆▲△▼▽※"
WEAK_MARKERS = "・-‐−–"
_CIRCLED_FIRST, _CIRCLED_LAST = 0x2460, 0x2473  # ① .. ⑳
# A cell that says "nothing": a dash of any kind, or なし.
_EMPTY_MARK_RE = re.compile(r"^(?:[-‐―—–−ー─━]+|なし|無し|特になし|該当なし)$")

# Lines are split on real line breaks only: str.splitlines() would also split on
# form feeds and other separators and shift every line number after them.
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
# Only things that look like HTML tags are removed, so "<" in prose survives.
_TAG_RE = re.compile(r"</?[A-Za-z][^<>]*>")
_TITLE_RE = re.compile(r"『(?P<guideline>[^』]+)』")
# "1 heading", "1. heading", "第1章 heading": the label is kept as written.
_CHAPTER_RE = re.compile(
    r"^(?:(?P<chapter>第[0-9]{1,2}章)[ \u3000]*|(?P<label>[0-9]{1,2}\.?)[ \u3000]+)(?P<heading>[^\s/].*)$"
)
_CHAPTER_NUMBER_RE = re.compile(r"[0-9]+")
# "① heading" (①..⑳) or "(1) heading".
_SUBSECTION_RE = re.compile(r"^(?P<marker>[\u2460-\u2473]|\([0-9]{1,2}\))[ \u3000]*(?P<heading>[^\s/].*)$")
_GROUP_RE = re.compile(f"^{GROUP_MARK}\\s*(?P<heading>\\S.*)$")
_LEGEND_HEADER_FIRST = "区分"
_LEGEND_HEADER_SECOND_RE = re.compile(r"説明|内容|意味|定義")
# A caption over the legend: 【区分の説明】, 〈区分〉, ※区分について.
_LEGEND_CAPTION_RE = re.compile(r"^\W{0,2}区分\W{0,1}(?:の(?:説明|内容|意味|定義)|について|欄)?\W{0,2}$")
_TABLE_HEADER_FIRST = "基本的な取り組み"
_TABLE_HEADER_FIRST_RE = re.compile(r"^(?:基本的な)?取り?組み?$")
# Page footers: "1 / 3", "- 2 -", "2", "P.3", "3ページ", "(3)".
_DASH = "[-‐―—–−ー─]"
_FOOTER_RE = re.compile(
    rf"^(?:{_DASH}?\s*[0-9]{{1,3}}(?:\s*/\s*[0-9]{{1,3}})?\s*{_DASH}?"
    r"|[Pp]\.?\s*[0-9]{1,3}(?:\s*/\s*[0-9]{1,3})?"
    r"|[0-9]{1,3}\s*(?:ページ|頁)"
    r"|\(\s*[0-9]{1,3}\s*\))$"
)

# How much of the text looks_like() reads: the header row is within the first page.
_SNIFF_CHARS = 6000
_SNIFF_TITLE_RE = re.compile(r"『[^』\n]+』[^\n]*進捗")
_SNIFF_HEADER_RE = re.compile(
    r"(?m)^(?:<[^<>\n]*>|[ \u3000])*(?:基本的な)?取り?組み?(?:<[^<>\n]*>|[ \u3000])*\t"
)


def looks_like(text: str) -> bool:
    """Cheap detection: the guideline title line and the tab-separated header row."""
    head = text[:_SNIFF_CHARS]
    return bool(_SNIFF_TITLE_RE.search(head)) and bool(_SNIFF_HEADER_RE.search(head))


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
    header_cells: list[str] | None = None
    chapter_number: int | None = None
    subsection_number: int | None = None
    known_sections: KnownSections = field(default_factory=KnownSections)
    classifications: list[ParsedClassification] = field(default_factory=list)
    initiatives: list[ParsedInitiative] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    # Numbers of the lines that are neither blank nor page furniture, in order.
    content_lines: list[int] = field(default_factory=list)

    def error(self, reason: Message, line: int) -> ImportFormatError:
        return ImportFormatError(reason, source=self.source, line=line)

    def ignore(self, line: _Line | int, text: str, why: str) -> None:
        number = line if isinstance(line, int) else line.number
        self.ignored.append(Ignored(line=number, text=text, why=why))

    def warn(self, line: int, warning: str, /, **params: object) -> None:
        self.warnings.append(ParseWarning(line=line, code=warning, params=dict(params)))


def parse(text: str, *, source: str = "", known_sections: Collection[str] = ()) -> ParsedGuidelineProgress:
    """Parse a guideline progress text; raise ImportFormatError if it is not one.

    ``known_sections`` are the names the city's organisation master knows (names,
    aliases, former names): a bullet's trailing parenthesis naming them is read as
    sections whatever their ending.
    """
    lines = _split_lines(text)
    state = _State(source=source, known_sections=known_section_names(known_sections))
    if not lines:
        raise state.error(_("empty document: no guideline title line 『…』"), 1)
    for index, line in enumerate(lines):
        if state.guideline is None:
            _read_title(state, line)
            state.content_lines.append(line.number)
            continue
        ignored_before = len(state.ignored)
        following = lines[index + 1] if index + 1 < len(lines) else None
        _read_line(state, line, following)
        if not any(i.line == line.number and i.why != "empty_marker" for i in state.ignored[ignored_before:]):
            state.content_lines.append(line.number)
    _check_complete(state, last_line=lines[-1].number)
    trailing = _trailing_headings(state)
    state.ignored += [Ignored(line=u.line, text=u.text, why="trailing_heading") for u in trailing]
    assert state.guideline is not None and state.result_year is not None and state.plan_year is not None
    return ParsedGuidelineProgress(
        guideline=state.guideline,
        result_year=state.result_year,
        plan_year=state.plan_year,
        classifications=state.classifications,
        initiatives=state.initiatives,
        unplaced=[u for u in state.unplaced if u not in trailing],
        warnings=sorted(state.warnings, key=lambda w: w.line),
        ignored=sorted(state.ignored, key=lambda i: i.line),
    )


def _trailing_headings(state: _State) -> list[Unplaced]:
    """Short heading lines after the legend that end the document with nothing under them.

    Seed 004 ends with 「●参考」「当初における「区分」欄の説明」: the heading of a reference
    whose content is not in the document. Such lines are left out, and listed; a line
    with a sentence in it, or anything before the legend, stays unplaced (a warning).
    Page footers after them do not count: they are furniture.
    """
    if state.legend_line is None:
        return []
    trailing: list[Unplaced] = []
    remaining = list(state.content_lines)
    for unplaced in reversed(state.unplaced):
        text = unplaced.text
        if not remaining or unplaced.line != remaining[-1] or unplaced.line <= state.legend_line:
            break
        if len(text) > 30 or "。" in text:
            break
        trailing.insert(0, unplaced)
        remaining.pop()
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
            _(
                "not a guideline progress document: expected the title line "
                "『<指針名>』における「基本的な取り組み」への進捗状況等"
            ),
            line.number,
        )
    state.guideline = match.group("guideline").strip()


def _trim(cells: list[str]) -> list[str]:
    """``cells`` without the empty cells a writer's tool left after the last column."""
    end = len(cells)
    while end > 1 and not cells[end - 1] and end != COLUMNS:
        end -= 1
    if end > COLUMNS and not any(cells[COLUMNS:end]):
        end = COLUMNS
    return cells[:end]


def _is_table_header(cells: list[str]) -> bool:
    return len(cells) >= 3 and cells[2] == "区分" and bool(_TABLE_HEADER_FIRST_RE.match(cells[0]))


def _is_legend_header(cells: list[str]) -> bool:
    return (
        len(cells) >= 2
        and cells[0] == _LEGEND_HEADER_FIRST
        and bool(_LEGEND_HEADER_SECOND_RE.search(cells[1]))
        and not any(cells[2:])
    )


def _is_legend_row(cells: list[str]) -> bool:
    """``code / label`` (or ``/ label`` going on from the row above), nothing after."""
    if len(cells) < 2 or not cells[1] or any(cells[2:]):
        return False
    return not cells[0] or classification_code(cells[0]) is not None


def _read_line(state: _State, line: _Line, following: _Line | None = None) -> None:
    cells = _trim(line.cells)
    if cells[0] and not any(cells[1:]) and _read_furniture(state, line, cells[0]):
        return  # page furniture, wherever it falls (also between the rows of the legend)
    if state.in_legend:
        if _is_legend_row(cells):
            _read_legend_row(state, line, cells)
            return
        state.in_legend = False
    if cells[0] and not any(cells[1:]):
        _read_heading(state, line, cells[0], following)
    elif _is_table_header(cells):
        _read_table_header(state, line, cells)
    elif _is_legend_header(cells):
        if state.legend_line is not None:
            raise state.error(
                _(
                    "a second classification legend (区分 / 説明; the first is on line %(first)s)",
                    first=state.legend_line,
                ),
                line.number,
            )
        state.in_legend = True
        state.legend_line = line.number
    elif len(cells) != COLUMNS:
        raise state.error(
            _(
                "a table row has %(count)s tab-separated cells, expected %(expected)s "
                "(the document is truncated or not in this layout)",
                count=len(cells),
                expected=COLUMNS,
            ),
            line.number,
        )
    else:
        _read_table_row(state, line, cells)


def _read_furniture(state: _State, line: _Line, text: str) -> bool:
    """A repeated title (page header) or a page number (page footer): ignored, and listed."""
    title = _TITLE_RE.search(text)
    if title is not None and title.group("guideline").strip() == state.guideline:
        state.ignore(line, text, "page_header")  # the title repeats at the top of each page
    elif _FOOTER_RE.match(text):
        state.ignore(line, text, "page_footer")
    else:
        return False
    return True


def _read_heading(state: _State, line: _Line, text: str, following: _Line | None) -> None:
    """A one-cell line: chapter, sub-section, group, legend caption, or unplaced."""
    if following is not None and _LEGEND_CAPTION_RE.match(text) and _is_legend_header(_trim(following.cells)):
        pass  # 【区分の説明】: the caption of the legend below, which reads it
    elif match := _CHAPTER_RE.match(text):
        label = match.group("chapter") or match.group("label")
        chapter = f"{label} {match.group('heading').strip()}"
        if chapter == state.chapter:
            state.ignore(line, text, "page_header")  # the chapter repeated on the next page
            return
        number = int(_CHAPTER_NUMBER_RE.findall(label)[0])
        _check_sequence(state, line, "chapter", state.chapter_number, number, text)
        state.chapter, state.chapter_number = chapter, number
        state.subsection = state.subsection_number = state.group = None
    elif match := _SUBSECTION_RE.match(text):
        marker = match.group("marker")
        subsection = f"{marker}{match.group('heading').strip()}"
        if subsection == state.subsection:
            state.ignore(line, text, "page_header")
            return
        number = _marker_number(marker)
        _check_sequence(state, line, "subsection", state.subsection_number, number, text)
        state.subsection, state.subsection_number = subsection, number
        state.group = None
    elif match := _GROUP_RE.match(text):
        state.group = match.group("heading").strip()
    else:
        state.unplaced.append(Unplaced(line=line.number, text=line.raw.strip()))


def _marker_number(marker: str) -> int:
    """1 for ① or (1)."""
    if len(marker) == 1:
        return ord(marker) - _CIRCLED_FIRST + 1
    return int(marker.strip("()"))


def _check_sequence(
    state: _State, line: _Line, kind: str, previous: int | None, number: int, text: str
) -> None:
    """The document's own numbering goes 1, 2, 3…: a gap or a step back is a warning."""
    expected = 1 if previous is None else previous + 1
    if number != expected:
        state.warn(line.number, "sequence", kind=kind, expected=expected, found=number, text=text)


def _read_table_header(state: _State, line: _Line, cells: list[str]) -> None:
    """Check the six column headings and read the result and plan years."""
    if (
        len(cells) != COLUMNS
        or not re.search("指針|内容|記載", cells[1])
        or not re.search("方針|対応", cells[3])
        or not re.search("実績|結果", cells[4])
        or not re.search("予定|計画", cells[5])
    ):
        raise state.error(
            _(
                "unexpected table header: expected 基本的な取り組み / 「指針の記載内容」 / 区分 / "
                "対応方針 / <年度>の取り組み実績 / <年度>の取り組み予定"
            ),
            line.number,
        )
    result_year = search_fiscal_year(cells[4])
    plan_year = search_fiscal_year(cells[5])
    if result_year is None or plan_year is None:
        raise state.error(_("no fiscal year in the 実績 / 予定 column headings"), line.number)
    if state.result_year is None:
        state.result_year, state.plan_year = result_year, plan_year
    elif (state.result_year, state.plan_year) != (result_year, plan_year):
        raise state.error(
            _(
                "table header for FY%(result)s/FY%(plan)s differs from the first header "
                "(FY%(first_result)s/FY%(first_plan)s)",
                result=result_year,
                plan=plan_year,
                first_result=state.result_year,
                first_plan=state.plan_year,
            ),
            line.number,
        )
    else:
        state.ignore(line, line.text, "repeated_header")


def _read_table_row(state: _State, line: _Line, cells: list[str]) -> None:
    """An initiative row (○…) or a continuation row (empty first cell)."""
    if state.result_year is None:
        raise state.error(_("a table row before the header row 基本的な取り組み"), line.number)
    first = cells[0]
    if first:
        if state.chapter is None:
            raise state.error(_("an initiative (○) before the first chapter heading"), line.number)
        marked = first[0] in INITIATIVE_MARKS
        if not marked:
            # A row is a row, so it is an initiative; but the writer may have meant otherwise.
            state.warn(line.number, "uncertain_row", text=first)
        initiative = ParsedInitiative(
            chapter=state.chapter,
            subsection=state.subsection,
            group=state.group,
            title=first[1:].strip() if marked else first,
            guideline_text=_value(state, line, cells[1]),
            line=line.number,
        )
        state.initiatives.append(initiative)
    else:
        if not state.initiatives:
            raise state.error(_("a continuation row before any initiative (○)"), line.number)
        initiative = state.initiatives[-1]
        more = _value(state, line, cells[1])
        if more:
            # The guideline text may continue on the next row; keep it rather than drop it.
            initiative.guideline_text = f"{initiative.guideline_text}\n{more}".strip()
    initiative.rows.append(_make_row(state, line, cells))


def _value(state: _State, line: _Line, cell: str) -> str:
    """A cell's text; a lone ― － なし is an empty cell (and listed as such)."""
    if _EMPTY_MARK_RE.match(cell):
        state.ignore(line, cell, "empty_marker")
        return ""
    return cell


def _make_row(state: _State, line: _Line, cells: list[str]) -> ParsedRow:
    if not cells[2]:
        raise state.error(_("a table row without a classification (区分)"), line.number)
    code = classification_code(cells[2])
    if code is None:
        raise state.error(
            _(
                "classification 「%(code)s」 is not a 区分 code (a short code such as II, ①, A, 1 or 継続)",
                code=cells[2],
            ),
            line.number,
        )
    return ParsedRow(
        classification=code,
        policy=_value(state, line, cells[3]),
        results=_entries(state, cells[4], line),
        plans=_entries(state, cells[5], line),
        line=line.number,
    )


def _is_circled(ch: str) -> bool:
    return _CIRCLED_FIRST <= ord(ch) <= _CIRCLED_LAST


def _is_marker(ch: str) -> bool:
    return ch in STRONG_MARKERS or ch in WEAK_MARKERS or _is_circled(ch)


def _split_bullets(cell: str) -> list[tuple[str, str]]:
    """``(marker, text)`` of each bullet of ``cell``; text before the first marker has marker ""."""
    if not cell:
        return []
    family = cell[0] if cell and _is_marker(cell[0]) else None
    circled = family is not None and _is_circled(family)
    starts = [0]
    for index in range(1, len(cell)):
        ch, before = cell[index], cell[index - 1]
        if ch == BULLET:
            starts.append(index)  # ● starts a bullet wherever it is (seed 004)
            continue
        if ch == "※":
            allowed = before.isspace()  # "…した。※速報値" is a note of the bullet, not one more
        elif ch in STRONG_MARKERS:
            allowed = True
        elif ch in WEAK_MARKERS:
            allowed = ch == family
        else:
            allowed = circled and _is_circled(ch)
        if not allowed:
            continue
        if (
            before.isspace()
            or before == "。"
            or (before == ")" and _ends_with_sections(cell[starts[-1] : index]))
        ):
            starts.append(index)
    pieces = []
    for start, end in zip(starts, [*starts[1:], len(cell)], strict=True):
        marker = cell[start] if _is_marker(cell[start]) else ""
        pieces.append((marker, cell[start + len(marker) : end].strip()))
    return pieces


def _ends_with_sections(text: str) -> bool:
    return bool(read_trailing_sections(text).sections)


def _entries(state: _State, cell: str, line: _Line) -> list[ParsedEntry]:
    """Bullets ``●text(担当課)`` of one cell, in document order.

    Text before the first bullet (a cell written without a marker) is kept as an entry
    too: nothing is dropped. A cell that holds only ``―`` ``－`` ``なし`` (bare or as its
    one bullet) has no entries.
    """
    if _EMPTY_MARK_RE.match(cell):
        state.ignore(line, cell, "empty_marker")
        return []
    pieces = [(marker, text) for marker, text in _split_bullets(cell) if text]
    if not pieces:
        return []
    if len(pieces) == 1 and _EMPTY_MARK_RE.match(pieces[0][1]) and (pieces[0][0] or cell == pieces[0][1]):
        state.ignore(line, cell, "empty_marker")
        return []
    if pieces[0][0] and _is_circled(pieces[0][0]):
        for position, (marker, text) in enumerate(pieces, start=1):
            found = _marker_number(marker) if marker and _is_circled(marker) else None
            if found != position:
                state.warn(
                    line.number, "sequence", kind="bullet", expected=position, found=marker or "", text=text
                )
                break
    entries = []
    for _marker, piece in pieces:
        read = read_trailing_sections(piece, known_sections=state.known_sections)
        if read.doubtful:
            state.warn(line.number, "uncertain_sections", text=piece)
        entries.append(ParsedEntry(text=read.text, sections=read.sections, line=line.number))
    return entries


def _read_legend_row(state: _State, line: _Line, cells: list[str]) -> None:
    if not cells[0]:
        # The label of the code above goes on in this row.
        if not state.classifications:
            state.unplaced.append(Unplaced(line=line.number, text=line.raw.strip()))
            return
        last = state.classifications[-1]
        state.classifications[-1] = ParsedClassification(code=last.code, label=f"{last.label}\n{cells[1]}")
        return
    code = classification_code(cells[0])
    assert code is not None  # _is_legend_row
    if any(c.code == code for c in state.classifications):
        raise state.error(_("classification %(code)s appears twice in the legend", code=code), line.number)
    state.classifications.append(ParsedClassification(code=code, label=cells[1]))


def _check_complete(state: _State, *, last_line: int) -> None:
    """A complete document has a header, initiatives and a legend; codes outside it are warnings."""
    if state.result_year is None:
        raise state.error(
            _("no table header row (基本的な取り組み …): the document is truncated or not in this layout"),
            last_line,
        )
    if not state.initiatives:
        raise state.error(_("no initiative rows (○…)"), last_line)
    if not state.classifications:
        raise state.error(
            _("no classification legend (区分 / 説明) at the end: the document is truncated"),
            last_line,
        )
    known = {c.code for c in state.classifications}
    for initiative in state.initiatives:
        for row in initiative.rows:
            if row.classification not in known:
                state.warn(row.line, "unknown_code", code=row.classification)

"""Parser for format (a): a goal declaration achievement report as text (seed 000).

The report is a PDF table flattened into text, one record (取組) after another,
each column's text following the previous column's:

1. number and title, wrapping over lines (``1 第５次総合計画前期基本計`` ⏎ ``画・施策評価の実施``);
2. the responsible sections on a line of their own: ``（経営企画課）``;
3. 取組内容 bullets (``・…``) up to the marker ``[目標値]``;
4. 達成目標 bullets, then 取組結果 bullets, up to the marker ``［今後の取組の方向性］``;
5. direction bullets, then 目標達成状況 bullets, up to the next record.

Before the first record come the title line (``平成２８年度 企画部長の目標宣言 達成状況報告``)
and the declarer (``企画部長 山口 清治``). The column-header block
(``N0. / 取 組 名 / （担当課名） / … / 目標達成状況``) repeats at page breaks and is skipped.

Finding the records
===================

A record is anchored on its sections line: a line that is only a parenthesis
whose names are sections (``（財政課）``, ``（地域包括ケア担当）``, ``（危機管理監）``;
``sections.py``, with the organisation master's ``known_sections``). Every
``[目標値]`` belongs to a goal: if no recognised sections line stands between it and
the previous goal's, the nearest parenthesised line above its content is taken as
the sections line (its names unknown: a warning ``uncertain_column``), so a goal
never vanishes. The page furniture is set aside first, listed in ``ignored``: the
column-header block (``page_header``, then ``repeated_header`` at each page break)
and page footers (``- 1 -``, ``1 / 2``).

The title is the up to ``MAX_TITLE_LINES`` lines above the sections line, starting
at the nearest line that begins with a number and a blank (``7 広報活動の充実``,
full-width digits included). The PDF sometimes loses the number but keeps the blank
before it (`` パブリシティの強化``): a line starting with a blank (and holding more
than a figure: ``  9校`` is the status above) also starts a title. Neither found,
the title is the line above the sections line, and the lines above it only when
they are as wide as the title column wraps (learned from the numbered titles of
two lines or more); each line it could go either way is a warning. A lost number
is inferred as the previous number + 1 (``number_inferred``); it is a warning
unless a later goal's number confirms it (seed 000: 7, -, -, 10). Numbers must
increase; a gap (1, 2, 4) is a warning ``numbering``.

Title lines are joined without a separator (the PDF wrapped them), except a
sub-heading ``(1)…`` which is joined with one blank:
``財政健全化の推進 (1)財政調整基金残高の確保``.

Splitting the unmarked columns
==============================

The text between ``[目標値]`` and ``［今後の取組の方向性］`` holds two columns, and so
does the text after it; no marker separates them. The table has wide columns
(取組内容 above 取組結果 and 方向性) and narrow ones (達成目標 above 目標達成状況);
each wraps its lines at its own width (display width, full-width characters
counting 2), and every document has its own widths. The widths are learned from
the document (``_Layout``): the lines the 取組内容 column wrapped — the one column
no other is confused with — give the wide column's width.

Both regions are cut into bullets (a bullet starts at a line beginning with ``・``,
a line after a finished sentence, or the mark of an empty cell ``―``); the first
column is a run of bullets at the start, the second the rest. Each bullet brings
evidence of the narrow column (``_narrowness``): strong from its position (a line as
wide as the wide column; a wrap well short of it), medium from its content (a label
with its figure ``…率  80%``, a label the other narrow column also names, 見込 or
集計中 in the status), weak from its verb style (past ``ました``/``した。``/``…を実施``
for results and status; future ``ます。``/``する。``/``…の推進`` for targets and
directions). Every split point is scored; the best wins, and when the runner-up
is close the bullets they disagree on are warnings ``uncertain_column`` naming the
column chosen. An empty column is legitimate (a blank status).

Text
====

Every line is normalised (``core.text.normalize``: NFKC, half-width katakana,
full-width digits) and the spaces PDF extraction puts between Japanese characters
are removed (``squash_spaces``); a run of two or more blanks is a deliberate gap
(``日刊紙への記事掲載件数  900件``) and stays one blank. The lines of a bullet are
joined without a separator (the PDF wrapped them), with one blank before a line
holding nothing but a figure (``557件`` under its label) or between two Latin words.
A new line starts at a list marker (``①``), after a sentence end (``。``), at a
``label:value`` line (``個人:10名``), and at the lines of a small table (a row of
parenthesised column heads, a row of bare figures). The bullets of a column are
joined with newlines and keep their ``・``.

Figures
=======

Targets are the figures of the 達成目標 column, actuals those of the 目標達成状況
column (``core.figures.find_figures``: years, ordinals, list numbers and bare
numbers are never figures), except

* figures inside parentheses: they explain (``（標準財政規模の概ね 5%）``,
  ``(達成率70%以上)``) rather than state a target or result; they stay in the text;
* figures in a clause of means ending in ``により``/``によって``
  (``２１事業の見直しにより、１，７５４万６千円を縮減``): they say how, not how much.

A figure is provisional when ``find_figures`` says so (見込 in its sentence or in
the parenthesis after it). A small table (``（H２７年度）  （H２８年度見込）`` over
``８１．２％  → ８９．９％``) pairs each figure with its column head: the head is its
label and a 見込 in it makes the figure provisional.

Labels are taken only where the document gives one: before a colon
(``前年度末残高：…``, ``個人：10名``), or in a label–value line that is not a sentence
(no ``。``): the phrase before the figure (``日刊紙への記事掲載件数  900件``), its last
blank-separated part when there are several (``認定登録数 個人 10名`` → ``個人``).

Lines the parser cannot attribute (between the declarer and the first record) go
to ``unplaced``. Missing markers, or a last line that stops mid-sentence (not ending
in ``。``, ``)`` or a figure in any unit, and not the mark of an empty cell) raise
:class:`ImportFormatError` with the source and the line; in a document whose
bullets end without ``。`` (体言止め) such a last line is a warning ``truncated``.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
import statistics
from bisect import bisect_left
from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property

from shinchoku.core.eras import search_fiscal_year
from shinchoku.core.figures import Figure, find_figures
from shinchoku.core.messages import Message
from shinchoku.core.messages import message as _
from shinchoku.core.text import is_wide, normalize, squash_spaces
from shinchoku.documents.schema import (
    Ignored,
    ImportFormatError,
    ParsedGoal,
    ParsedGoalDeclaration,
    ParseWarning,
    Unplaced,
)
from shinchoku.imports.parsers.sections import (
    KnownSections,
    is_organisation_name,
    known_section_names,
    split_sections,
)

__all__ = ["MAX_TITLE_LINES", "looks_like", "parse"]

MAX_TITLE_LINES = 4

BULLET = "・"
TARGET_MARKER = "[目標値]"
DIRECTION_MARKER = "[今後の取組の方向性]"
HEADER_LAST = "目標達成状況"  # the last column: a complete header block ends with it
# Words of the column-header block, compared without blanks after normalisation.
HEADER_START = ("N0.", "No.", "NO.")
HEADER_WORDS = frozenset(
    {"取組名", "(担当課名)", "取組名(担当課名)", "取組内容", "達成目標", "取組内容達成目標", "取組結果"}
    | {"今後の取組の方向性", "目標達成状況", "取組結果今後の取組の方向性"}
)

_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
_BLANKS = " \u3000\t"
_GAP_RE = re.compile(r"[ \u3000\t]{2,}")
_NUMBERED_TITLE_RE = re.compile(r"^(?P<number>[0-9]{1,2})[ \u3000]+(?P<title>\S.*)$")
_SECTIONS_LINE_RE = re.compile(r"^\((?P<names>[^()]+)\)$")
_SUBHEADING_RE = re.compile(r"^\([0-9]{1,2}\)")
_CIRCLED_RE = re.compile(r"^[\u2460-\u2473]")  # ①..⑳ (kept by normalize)
_LABEL_COLON_RE = re.compile(r"^[^:。、()]{1,12}:")
_HEADS_ROW_RE = re.compile(r"^(?:\([^()]+\)\s*){2,}$")
_VALUES_ROW_RE = re.compile(r"^[0-9.,%\s→~〜-]+$")
_PAST_RE = re.compile(r"ました|でした")
# A clause of means: により、 (or によって、) after the figure, before the clause ends at 、 or 。.
_MEANS_AT_RE = re.compile(r"(?=(?:により|によって)[、,])")
_CLAUSE_STOP_RE = re.compile(r"[、。]")
# Page footers: ``- 1 -``, ``1 / 2``, ``2ページ`` (compared without blanks, after NFKC).
_FOOTER_RE = re.compile(
    r"^(?:[-‐―ー]+[0-9]{1,3}[-‐―ー]+|[0-9]{1,3}/[0-9]{1,3}|[0-9]{1,3}ページ|(?i:page)[0-9]{1,3})$"
)
# The mark of an empty cell (compared without blanks, after NFKC).
_LONE_MARKS = frozenset({"―", "-", "ー", "—", "‐", "−", "なし", "該当なし", "集計中", "未集計"})
_LABEL_STRIP = _BLANKS + ":、,。・→=" + BULLET

_SNIFF_CHARS = 4000


@functools.lru_cache(maxsize=4096)
def _found(text: str) -> tuple[tuple[int, int, Figure], ...]:
    """``find_figures``, once per text: the layout rules ask about the same lines often."""
    return tuple(find_figures(text))


def looks_like(text: str) -> bool:
    """Cheap detection: a 目標宣言 title and the 達成目標 / 目標達成状況 column heads."""
    head = "".join(text[:_SNIFF_CHARS].split())  # the marks are the same in NFKC
    return "目標宣言" in head and "達成目標" in head and "目標達成状況" in head


@dataclass
class _Line:
    """A non-blank input line; the derived forms are computed once."""

    number: int
    raw: str

    @cached_property
    def normalized(self) -> str:
        return normalize(self.raw).strip()

    @cached_property
    def text(self) -> str:
        """Normalised, PDF spaces between Japanese characters removed.

        A run of two or more blanks is a deliberate gap between a label and its value
        (``日刊紙への記事掲載件数  900件``) or between table cells, and stays one blank.
        """
        pieces = _GAP_RE.split(self.normalized)
        return " ".join(squash_spaces(piece).strip() for piece in pieces if piece.strip())

    @cached_property
    def compact(self) -> str:
        """Normalised with every blank removed, to compare headings and markers."""
        return "".join(self.normalized.split())

    @cached_property
    def width(self) -> int:
        """Display width as laid out in the PDF column (full-width counts 2)."""
        return sum(2 if is_wide(ch) else 1 for ch in self.raw.strip())

    @cached_property
    def figure_view(self) -> str:
        """Normalised text for reading figures and labels: blanks between words kept.

        Letter-spaced headings (``総 ペ ー ジ ビ ュ ー 数``) are squashed, other runs of
        blanks become one blank, so ``認定登録数 個人 10名`` still shows its parts.
        """
        tokens = self.normalized.split()
        singles = sum(1 for token in tokens if len(token) == 1)
        if len(tokens) >= 3 and singles * 4 >= len(tokens) * 3:
            return squash_spaces(self.normalized).strip()
        return " ".join(tokens)


@dataclass
class _Record:
    """Lines of one goal: its title lines, its sections line and the body below."""

    title_lines: list[_Line]
    anchor: _Line
    body: list[_Line]
    number: int
    number_inferred: bool
    # How the title's first line was found: "number", "blank" (a number lost, its blank
    # kept) or "guess" (neither: the title is what looks like one above the sections line).
    title_kind: str = "number"
    sections: list[str] = dataclasses.field(default_factory=list)


@dataclass
class _Regions:
    """The body of a record cut at its two markers: content, targets+results, directions+status."""

    content: list[_Line]
    target_marker: _Line
    upper: list[_Line]  # 達成目標 then 取組結果
    direction_marker: _Line
    lower: list[_Line]  # 今後の取組の方向性 then 目標達成状況


def parse(text: str, *, source: str = "", known_sections: Collection[str] = ()) -> ParsedGoalDeclaration:
    """Parse a goal declaration achievement report; raise ImportFormatError if it is not one.

    ``known_sections`` are the names of the organisation master: a sections line naming
    them is recognised whatever their ending (``sections.py``).
    """
    lines = [
        _Line(number, raw)
        for number, raw in enumerate(_LINE_BREAK_RE.split(text), start=1)
        if raw.strip(_BLANKS + "\x0c")
    ]
    if not lines:
        raise ImportFormatError(_("empty document: no report title"), source=source, line=1)
    title, fiscal_year = _read_title(lines[0], source)
    position, name, head_end = _read_declarer(lines, source)
    known = known_section_names(known_sections)
    document = ParsedGoalDeclaration(
        fiscal_year=fiscal_year, title=title, declarer_position=position, declarer_name=name
    )
    body = _drop_furniture(lines[head_end:], source, known, document.ignored)
    records, document.unplaced = _split_records(body, source, known, document.warnings)
    regions = [_regions_of(record, source) for record in records]
    layout = _Layout.learn(records, regions)
    document.goals = [
        _make_goal(record, region, layout, document.warnings)
        for record, region in zip(records, regions, strict=True)
    ]
    _check_numbering(records, document.warnings)
    _check_finished(records[-1], document.goals[-1], layout, source, document.warnings)
    return document


# --- the head of the document -------------------------------------------------------


def _read_title(line: _Line, source: str) -> tuple[str, int]:
    """``平成２８年度 企画部長の目標宣言 達成状況報告`` → (normalised title, 2016)."""
    title = " ".join(line.normalized.split())
    if "目標宣言" not in line.compact:
        raise ImportFormatError(
            _(
                "not a goal declaration report: the first line should be a title such as "
                "「平成28年度 企画部長の目標宣言 達成状況報告」"
            ),
            source=source,
            line=line.number,
        )
    fiscal_year = search_fiscal_year(title)
    if fiscal_year is None:
        raise ImportFormatError(
            _("no fiscal year (e.g. 平成28年度) in the title"), source=source, line=line.number
        )
    return title, fiscal_year


def _read_declarer(lines: list[_Line], source: str) -> tuple[str, str, int]:
    """The line after the title: ``企画部長 山口 清治`` → position, name, index after it."""
    if len(lines) < 2 or _is_header_start(lines[1]):
        where = lines[1].number if len(lines) > 1 else lines[0].number
        raise ImportFormatError(
            _("no declarer line (position and name, e.g. 企画部長 山口 清治)"), source=source, line=where
        )
    tokens = lines[1].normalized.split()
    if len(tokens) < 2:
        raise ImportFormatError(
            _("the declarer line should hold a position and a name (e.g. 企画部長 山口 清治)"),
            source=source,
            line=lines[1].number,
        )
    # Keep the blank between family and given name: squash_spaces would remove it.
    return tokens[0], " ".join(tokens[1:]), 2


def _is_header_start(line: _Line) -> bool:
    return line.compact in HEADER_START


def _drop_furniture(
    lines: list[_Line], source: str, known: KnownSections, ignored: list[Ignored]
) -> list[_Line]:
    """Remove the column-header blocks and page footers (listed in ``ignored``).

    One header block must come before the first record; a header block at the very
    end, or cut short, means a truncated file.
    """
    kept: list[_Line] = []
    seen_header = False
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if _FOOTER_RE.match(line.compact):
            ignored.append(Ignored(line=line.number, text=line.raw.strip(), why="page_footer"))
            continue
        if not _is_header_start(line):
            if not seen_header and (_sections_of(line, known) or line.compact == TARGET_MARKER):
                raise ImportFormatError(
                    _(
                        "no column header (N0. 取組名 （担当課名） 取組内容 達成目標 …) before the first record"
                    ),
                    source=source,
                    line=line.number,
                )
            kept.append(line)
            continue
        why = "repeated_header" if seen_header else "page_header"
        seen_header = True
        block = [line]
        while index < len(lines) and lines[index].compact in HEADER_WORDS:
            block.append(lines[index])
            index += 1
        # A page break that ends the text, or a header cut short, means a truncated file.
        rest = [later for later in lines[index:] if not _FOOTER_RE.match(later.compact)]
        if not rest or not any(word.compact.endswith(HEADER_LAST) for word in block):
            raise ImportFormatError(
                _("the document ends in a column header (N0. 取組名 … 目標達成状況): it is truncated"),
                source=source,
                line=block[-1].number,
            )
        ignored.extend(Ignored(line=word.number, text=word.raw.strip(), why=why) for word in block)
    return kept


# --- records -------------------------------------------------------------------------


def _sections_of(line: _Line, known: KnownSections | None = None) -> list[str] | None:
    """The names of a sections line ``（財政課）``, or None if the line is not one."""
    match = _SECTIONS_LINE_RE.match(line.text)
    if match is None:
        return None
    known = known or known_section_names()
    names = split_sections(match.group("names"), known_sections=known)
    if names and all(is_organisation_name(name, known_sections=known) for name in names):
        return names
    return None


def _unrecognised_anchor(lines: list[_Line], low: int, marker: int) -> int | None:
    """The sections line of the goal whose [目標値] is at ``marker``, when its names are unknown.

    It is the nearest line above the content that is nothing but a parenthesis, without
    digits or a sentence end (``（政策調整担当）``); ``low`` is the previous goal's marker.
    """
    for index in range(marker - 1, low, -1):
        line = lines[index]
        if line.compact in (TARGET_MARKER, DIRECTION_MARKER):
            return None
        match = _SECTIONS_LINE_RE.match(line.text)
        if match and not re.search(r"[0-9。]", line.text) and len(match.group("names")) <= 60:
            return index
    return None


def _split_records(
    lines: list[_Line], source: str, known: KnownSections, warnings: list[ParseWarning]
) -> tuple[list[_Record], list[Unplaced]]:
    anchors = {index for index, line in enumerate(lines) if _sections_of(line, known) is not None}
    markers = [index for index, line in enumerate(lines) if line.compact == TARGET_MARKER]
    guessed: set[int] = set()
    previous = -1
    for marker in markers:
        if not any(previous < anchor < marker for anchor in anchors):
            found = _unrecognised_anchor(lines, previous, marker)
            if found is not None:
                anchors.add(found)
                guessed.add(found)
        previous = marker
    if not anchors:
        last = lines[-1].number if lines else 1
        raise ImportFormatError(
            _("no goal records: no line with the responsible sections such as （経営企画課）"),
            source=source,
            line=last,
        )
    ordered = sorted(anchors)
    title_wrap = _title_wrap(lines, ordered)
    starts: list[tuple[int, str]] = []
    floor = 0
    for position, anchor in enumerate(ordered):
        found_start = _title_start(lines, anchor, floor, title_wrap, warnings)
        if found_start is None:
            raise ImportFormatError(
                _("a sections line without a goal title above it"), source=source, line=lines[anchor].number
            )
        starts.append(found_start)
        following = ordered[position + 1] if position + 1 < len(ordered) else len(lines)
        marks = [i for i in range(anchor, following) if lines[i].compact in (TARGET_MARKER, DIRECTION_MARKER)]
        floor = (marks[-1] if marks else anchor) + 1
    unplaced = [Unplaced(line=line.number, text=line.raw.strip()) for line in lines[: starts[0][0]]]
    records: list[_Record] = []
    previous_number = 0
    for position, ((start, kind), anchor) in enumerate(zip(starts, ordered, strict=True)):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(lines)
        number, inferred = _record_number(lines[start], kind, previous_number, source, warnings)
        names = _sections_of(lines[anchor], known)
        if names is None:
            match = _SECTIONS_LINE_RE.match(lines[anchor].text)
            names = split_sections(match.group("names"), known_sections=known) if match else []
        if anchor in guessed:
            warnings.append(
                ParseWarning(
                    line=lines[anchor].number,
                    code="uncertain_column",
                    params={"column": "担当課名", "text": lines[anchor].text},
                )
            )
        records.append(
            _Record(
                title_lines=lines[start:anchor],
                anchor=lines[anchor],
                body=lines[anchor + 1 : end],
                number=number,
                number_inferred=inferred,
                title_kind=kind,
                sections=names,
            )
        )
        previous_number = number
    return records, unplaced


def _is_value_line(line: _Line) -> bool:
    """A line holding figures and nothing else (``  280m``, ``86台 → 42台``): a cell's value."""
    text = line.text
    rest = text
    for start, end, _figure in reversed(_found(text)):
        rest = rest[:start] + rest[end:]
    return rest != text and not rest.strip(_BLANKS + "→~〜-()（）見込み以上下")


def _is_numbered_title(line: _Line) -> bool:
    return bool(_NUMBERED_TITLE_RE.match(line.normalized)) and not _is_value_line(line)


def _ends_text(line: _Line) -> bool:
    """The line cannot be part of a goal title: it is body text of the record above."""
    text = line.text
    return (
        text.startswith(BULLET)
        or text.endswith(("。", ")", "」"))
        or _is_value_line(line)
        or _is_lone_mark(line)
        or bool(_found(text))
        or line.compact in (TARGET_MARKER, DIRECTION_MARKER)
    )


def _title_wrap(lines: list[_Line], anchors: list[int]) -> int | None:
    """Width at which the title column wraps, from numbered titles of two lines or more."""
    widths = []
    for anchor in anchors:
        for index in range(anchor - 1, max(anchor - MAX_TITLE_LINES, 0) - 1, -1):
            if _is_numbered_title(lines[index]):
                title = lines[index:anchor]
                widths += [
                    line.width
                    for line, after in itertools.pairwise(title)
                    if not _SUBHEADING_RE.match(after.text)
                ]
                break
    return max(widths) if widths else None


def _title_start(
    lines: list[_Line], anchor: int, floor: int, title_wrap: int | None, warnings: list[ParseWarning]
) -> tuple[int, str] | None:
    """Index of the first title line above the sections line at ``anchor``, and how it was found."""
    if anchor <= floor:
        return None
    lowest = max(floor, anchor - MAX_TITLE_LINES)
    for index in range(anchor - 1, lowest - 1, -1):
        line = lines[index]
        if _is_numbered_title(line):
            return index, "number"
        if line.raw[:1] in _BLANKS and not _is_value_line(line) and not line.text.startswith(BULLET):
            return index, "blank"
        if _ends_text(line):
            break
    # No number and no blank: the title is the line above the sections line, and the lines
    # above it that the title column wrapped (as wide as the widest wrapped title line).
    # Either way the line above could be the other: a warning.
    start = anchor - 1
    while start - 1 >= lowest and not _ends_text(lines[start - 1]):
        above = lines[start - 1]
        extend = title_wrap is not None and title_wrap - 3 <= above.width <= title_wrap + 2
        warnings.append(
            ParseWarning(
                line=above.number,
                code="uncertain_column",
                params={"column": "取組名" if extend else "目標達成状況", "text": above.text},
            )
        )
        if not extend:
            break
        start -= 1
    return start, "guess"


def _record_number(
    line: _Line, kind: str, previous: int, source: str, warnings: list[ParseWarning]
) -> tuple[int, bool]:
    match = _NUMBERED_TITLE_RE.match(line.normalized)
    if kind != "number" or match is None:
        return previous + 1, True
    number = int(match.group("number"))
    if number <= previous:
        raise ImportFormatError(
            _("goal number %(number)s does not follow goal %(previous)s", number=number, previous=previous),
            source=source,
            line=line.number,
        )
    return number, False


def _check_numbering(records: list[_Record], warnings: list[ParseWarning]) -> None:
    """Warn where the goals read disagree with the document's own numbering.

    A number inferred for a title that lost it is confirmed when a later goal carries
    the number that follows (seed 000: 7, -, -, 10); otherwise it is a warning. A gap
    in the numbers (1, 2, 4) means a goal the reader did not find.
    """
    for position, record in enumerate(records):
        if not record.number_inferred:
            continue
        later = next((r for r in records[position + 1 :] if not r.number_inferred), None)
        distance = records.index(later) - position if later is not None else 0
        if later is None or later.number != record.number + distance:
            line = record.title_lines[0].number if record.title_lines else record.anchor.number
            warnings.append(ParseWarning(line=line, code="number_inferred", params={"number": record.number}))
    if records[0].number != 1 or any(b.number != a.number + 1 for a, b in itertools.pairwise(records)):
        highest = max(record.number for record in records)
        warnings.append(
            ParseWarning(
                line=0, code="numbering", params={"kind": "goals", "expected": highest, "found": len(records)}
            )
        )


def _regions_of(record: _Record, source: str) -> _Regions:
    def fail(reason: Message, line: int) -> ImportFormatError:
        return ImportFormatError(reason, source=source, line=line)

    first = record.title_lines[0].number if record.title_lines else record.anchor.number
    goal = _("goal %(number)s (%(title)s)", number=record.number, title=_join_title(record.title_lines))
    target_marks = [i for i, line in enumerate(record.body) if line.compact == TARGET_MARKER]
    direction_marks = [i for i, line in enumerate(record.body) if line.compact == DIRECTION_MARKER]
    if len(target_marks) != 1:
        raise fail(
            _("%(goal)s: expected one [目標値] marker, found %(count)s", goal=goal, count=len(target_marks)),
            first,
        )
    if len(direction_marks) != 1:
        raise fail(
            _(
                "%(goal)s: expected one ［今後の取組の方向性］ marker, found %(count)s",
                goal=goal,
                count=len(direction_marks),
            ),
            first,
        )
    target_at, direction_at = target_marks[0], direction_marks[0]
    if direction_at < target_at:
        raise fail(
            _("%(goal)s: ［今後の取組の方向性］ comes before [目標値]", goal=goal),
            record.body[direction_at].number,
        )
    return _Regions(
        content=record.body[:target_at],
        target_marker=record.body[target_at],
        upper=record.body[target_at + 1 : direction_at],
        direction_marker=record.body[direction_at],
        lower=record.body[direction_at + 1 :],
    )


def _make_goal(
    record: _Record, regions: _Regions, layout: _Layout, warnings: list[ParseWarning]
) -> ParsedGoal:
    first = record.title_lines[0].number if record.title_lines else record.anchor.number
    title = _join_title(record.title_lines)
    content = _blocks(regions.content)
    upper, lower = _blocks(regions.upper), _blocks(regions.lower)
    targets, results = _split_columns(upper, lower, layout, first_is_narrow=True, warnings=warnings)
    directions, statuses = _split_columns(lower, upper, layout, first_is_narrow=False, warnings=warnings)
    return ParsedGoal(
        number=record.number,
        title=title,
        sections=record.sections,
        content=_column_text(content),
        target_text=_column_text(targets),
        result_text=_column_text(results),
        direction_text=_column_text(directions),
        status_text=_column_text(statuses),
        targets=_column_figures(targets),
        actuals=_column_figures(statuses),
        number_inferred=record.number_inferred,
        line=first,
    )


def _join_title(lines: list[_Line]) -> str:
    """Join wrapped title lines; a ``(n)`` sub-heading is set off by one blank."""
    if not lines:
        return ""
    match = _NUMBERED_TITLE_RE.match(lines[0].normalized)
    title = squash_spaces(match.group("title")).strip() if match else lines[0].text
    for line in lines[1:]:
        title += (" " if _SUBHEADING_RE.match(line.text) else "") + line.text
    return title


def _is_finished(last: str, before: str) -> bool:
    if _HEADS_ROW_RE.match(last):
        return False
    if _is_values_row(last) and len(_column_heads(before)) > len(_found(last)):
        return False  # a row of values shorter than its heads
    return (
        last.endswith(("。", ")", "」", "』"))
        or _ends_with_figure(last)
        or last.replace(" ", "") in _LONE_MARKS
        or "集計中" in last
    )


def _check_finished(
    record: _Record, goal: ParsedGoal, layout: _Layout, source: str, warnings: list[ParseWarning]
) -> None:
    """A last column that stops mid-sentence or mid-table means the document was cut off.

    Finished: the last line ends with ``。``, ``)`` or a figure in any unit (``1,217件``,
    ``28日``), or is the mark of an empty cell (``―``, ``集計中``), and is neither a row
    of column heads nor a row with fewer figures than the heads above it. A document
    whose bullets end without ``。`` (体言止め) cannot show a cut: a last line that does
    not end like one is a warning there. A blank status is legitimate. A cut between
    two complete bullets cannot be told from the end of a report.
    """
    texts = [goal.status_text, goal.direction_text, goal.result_text, goal.target_text, goal.content]
    text = next((t for t in texts if t), goal.title)
    lines = text.split("\n")
    last = lines[-1]
    before = lines[-2] if len(lines) > 1 else ""
    if _is_finished(last, before):
        return
    if layout.noun_endings and not _HEADS_ROW_RE.match(last) and not _is_values_row(last):
        warnings.append(ParseWarning(line=record.body[-1].number, code="truncated", params={"text": last}))
        return
    raise ImportFormatError(
        _(
            "goal %(number)s: the last column stops mid-sentence (「%(end)s」); the document is truncated",
            number=goal.number,
            end=text[-20:],
        ),
        source=source,
        line=record.body[-1].number if record.body else record.anchor.number,
    )


# --- columns -------------------------------------------------------------------------

_Block = list[_Line]


def _is_lone_mark(line: _Line) -> bool:
    """The mark of an empty cell: ``―``, ``－``, ``なし``, ``集計中``."""
    return line.compact in _LONE_MARKS


def _blocks(lines: list[_Line]) -> list[_Block]:
    """Cut a column into bullets: a bullet starts at a line beginning with ・.

    A line that follows a finished sentence (``。``) without a bullet, and the mark of an
    empty cell, start a block of their own: they may belong to the next column.
    """
    blocks: list[_Block] = []
    for line in lines:
        if (
            not blocks
            or line.text.startswith(BULLET)
            or _is_lone_mark(line)
            or _is_lone_mark(blocks[-1][-1])
            or (blocks[-1][-1].text.endswith("。") and not line.text.startswith("("))
        ):
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return blocks


def _is_wrap(line: _Line, after: _Line) -> bool:
    """``after`` continues ``line`` because the column was full, not by a deliberate break."""
    return (
        not after.text.startswith(BULLET)
        and not _breaks_before(line.text, after.text)
        and not _is_value_line(after)
        and not after.text.startswith(("(", "「"))
    )


# What may not start a line (禁則): a wrap leaves it at the end of the line before, hanging
# past the column's edge (ぶら下げ), so it says nothing of the column's width.
_HANGING = "、。，．）」』】〉》〕％・！？"


def _set_width(line: _Line) -> int:
    """The width of a wrapped line without the punctuation that may hang past the column."""
    raw = line.raw.strip()
    hanging = raw[len(raw.rstrip(_HANGING)) :]
    return line.width - sum(2 if is_wide(ch) else 1 for ch in hanging)


@dataclass(frozen=True)
class _Layout:
    """What the document shows of its columns, learned from the document itself.

    ``wide_from``: a line this wide or wider is in a wide column (取組内容, 取組結果,
    方向性), learned from the lines the 取組内容 column wrapped: that column is never
    confused with another. ``noun_endings``: the document ends bullets without ``。``
    (体言止め).
    """

    wide_from: int | None
    noun_endings: bool

    @classmethod
    def learn(cls, records: list[_Record], regions: list[_Regions]) -> _Layout:
        widths = [
            _set_width(line)
            for region in regions
            for block in _blocks(region.content)
            for line, after in itertools.pairwise(block)
            if _is_wrap(line, after)
        ]
        wide_from = None
        if widths:
            middle = statistics.median(widths)
            wide_from = min(w for w in widths if w >= middle - 8) - 2
        ends = [
            _block_text(block).rstrip()
            for region in regions
            for part in (region.content, region.upper, region.lower)
            for block in _blocks(part)
        ]
        bare = [end for end in ends if not end.endswith(("。", ")", "」")) and not _ends_with_figure(end)]
        return cls(wide_from=wide_from, noun_endings=len(bare) * 4 >= len(ends) > 0)


def _narrowness(block: _Block, layout: _Layout, narrow_first: bool, other_labels: set[str]) -> float:
    """Evidence that ``block`` belongs to the narrow column (達成目標, 目標達成状況), > 0 if so.

    Position in the table is strong evidence: a line as wide as the wide column, or a
    wrap well short of it. Content is weaker: a label with its figure, a label that the
    other narrow column also names, a mark of an empty cell, and, weakest, the verb
    style (past: results and status; future: targets and directions).
    """
    score = 0.0
    if layout.wide_from is not None:
        if any(line.width >= layout.wide_from for line in block):
            return -_STRONG
        if any(
            _is_wrap(line, after) and line.width < layout.wide_from - 3
            for line, after in itertools.pairwise(block)
        ):
            score += _STRONG - 2
    text = _block_text(block)
    if len(block) == 1 and _is_lone_mark(block[0]):
        return score + 4
    last = text.split("\n")[-1]
    if "。" not in last and _ends_with_figure(last):
        score += 4
    if other_labels and any(_same_label(label, other_labels) for label in _labels(block)):
        score += 5
    if not narrow_first and ("見込" in text or "集計中" in text):
        score += 3
    sentences = [s for s in re.split(r"。", text.replace("\n", "")) if s.strip()]
    ending = sentences[-1].rstrip(" )」") if sentences else ""
    past = bool(_PAST_RE.search(text)) or bool(re.search(r"[たっ]$|だ$", ending))
    future = bool(re.search(r"ます$|(?<!で)す$|(?<!であ)る$|[うくつぬむぐぶ]$", ending)) and not past
    noun_past = not past and not future and bool(_NOUN_PAST_RE.search(ending))
    noun_plan = not past and not future and bool(_NOUN_PLAN_RE.search(ending))
    # past and done-things point to results (upper) and status (lower)
    done = 3 * past + 2 * noun_past - 2 * future - 1 * noun_plan
    return score - done if narrow_first else score + done


_STRONG = 8.0
_MARGIN = 3.0
_PAST_RE = re.compile(r"ました|でした|ませんでした")
_NOUN_PAST_RE = re.compile(r"[をにでがへと][\u4e00-\u9fff]{2}$")
_NOUN_PLAN_RE = re.compile(r"の[\u4e00-\u9fff]{2,}$")


def _labels(block: _Block) -> list[str]:
    return [figure.label for figure in _column_figures([block]) if figure.label]


def _same_label(label: str, others: set[str]) -> bool:
    key = "".join(label.split())
    return any(
        key == other or (min(len(key), len(other)) >= 4 and (key.endswith(other) or other.endswith(key)))
        for other in others
    )


def _split_columns(
    blocks: list[_Block],
    other: list[_Block],
    layout: _Layout,
    *,
    first_is_narrow: bool,
    warnings: list[ParseWarning],
) -> tuple[list[_Block], list[_Block]]:
    """Split the bullets of two columns that no marker separates (the first column comes first).

    Every split point is scored by the evidence of each bullet for its side; the best
    wins. When the runner-up is close, the bullets the two disagree on were placed on
    weak evidence: each is a warning (``uncertain_column``).
    """
    if not blocks:
        return [], []
    other_labels = {"".join(label.split()) for block in other for label in _labels(block)}
    evidence = [_narrowness(block, layout, first_is_narrow, other_labels) for block in blocks]
    sign = 1 if first_is_narrow else -1  # > 0: evidence for the first column

    # Prefix sums: every split point scored in one pass (a long column must not cost n²).
    before = [0.0]
    for e in evidence:
        before.append(before[-1] + sign * e)
    whole = before[-1]
    scores = []
    for split in range(len(blocks) + 1):
        total = before[split] - (whole - before[split])
        if split == 0 or split == len(blocks):
            total -= 2  # an empty column is possible (a blank status) but rare
        scores.append(total)

    ranked = sorted(range(len(blocks) + 1), key=lambda k: (-scores[k], k))
    best = ranked[0]
    if len(ranked) > 1 and scores[best] - scores[ranked[1]] < _MARGIN:
        runner = ranked[1]
        names = ("達成目標", "取組結果") if first_is_narrow else ("今後の取組の方向性", "目標達成状況")
        for index in range(min(best, runner), max(best, runner)):
            column = names[0] if index < best else names[1]
            warnings.append(
                ParseWarning(
                    line=blocks[index][0].number,
                    code="uncertain_column",
                    params={"column": column, "text": _block_text(blocks[index])},
                )
            )
    return blocks[:best], blocks[best:]


def _is_values_row(text: str) -> bool:
    """A row of a small table: figures and arrows only (``81.2% → 89.9%``, ``86台 → 42台``)."""
    found = _found(text)
    if not found:
        return bool(_VALUES_ROW_RE.match(text))
    rest = text
    for start, end, _figure in reversed(found):
        rest = rest[:start] + rest[end:]
    return not rest.strip(_BLANKS + "→~〜-")


def _ends_with_figure(text: str) -> bool:
    """``…件数 1,217件``, ``…46.5%(見込)``, ``50台以下``: a label–value line ends in its figure."""
    found = _found(text)
    if not found:
        return False
    tail = text[found[-1][1] :]
    tail = re.sub(r"\([^()]*\)|以上|以下|以内|未満|超|増|減", "", tail)
    return not tail.strip(_BLANKS)


def _breaks_before(previous: str, line: str) -> bool:
    """True when ``line`` starts a new line of text rather than continuing a wrap."""
    return (
        previous.endswith("。")
        or bool(_CIRCLED_RE.match(line))
        or bool(_LABEL_COLON_RE.match(line))
        or bool(_HEADS_ROW_RE.match(line))
        or ("→" in line and _is_values_row(line))
        or bool(_HEADS_ROW_RE.match(previous))
    )


def _logical_lines(block: _Block) -> list[tuple[str, str]]:
    """The lines of a bullet as (text, figure view), wrapped source lines joined."""
    result: list[tuple[str, str]] = []
    for line in block:
        text, view = line.text, line.figure_view
        if result and not _breaks_before(result[-1][0], text):
            previous_text, previous_view = result[-1]
            glue = " " if _needs_blank(previous_text, text) else ""
            result[-1] = (previous_text + glue + text, previous_view + glue + view)
        else:
            result.append((text, view))
    return result


def _needs_blank(previous: str, line: str) -> bool:
    """Joining wrapped lines: a blank between two Latin words, and before a lone figure.

    A line holding nothing but a figure (``557件`` under ``・新聞社等への情報提供数``) is the
    value of the label above it, as ``日刊紙への記事掲載件数  900件`` is on one line.
    """
    if previous[-1:].isascii() and previous[-1:].isalnum() and line[:1].isascii() and line[:1].isalnum():
        return not previous[-1:].isdigit()  # 1億⏎5,000万円 and 約⏎18,900t: one figure wrapped
    if previous[-1:] in "億万兆千約,▲△":
        return False
    found = _found(line)
    return len(found) == 1 and found[0][0] == 0 and found[0][1] == len(line)


def _block_text(block: _Block) -> str:
    return "\n".join(text for text, _view in _logical_lines(block))


def _column_text(blocks: list[_Block]) -> str:
    return "\n".join(_block_text(block) for block in blocks)


# --- figures -------------------------------------------------------------------------


def _column_figures(blocks: list[_Block]) -> list[Figure]:
    """Targets or actuals of a column, in document order (rules in the module docstring)."""
    views = [view for block in blocks for _number, view in _logical_lines(block)]
    figures: list[Figure] = []
    for index, view in enumerate(views):
        heads = _column_heads(views[index - 1]) if index > 0 else []
        found = _counted(view, list(_found(view)))
        found = _without_name_words(view, found)
        if _is_values_row(view) and len(heads) == len(found) > 0:
            for head, (_start, _end, figure) in zip(heads, found, strict=True):
                provisional = figure.provisional or "見込" in head
                figures.append(dataclasses.replace(figure, label=head, provisional=provisional))
            continue
        previous_end = 0
        label: str | None = None
        for start, end, figure in found:
            if previous_end and not view[previous_end:start].strip(_BLANKS + "~〜"):
                pass  # 10〜20件: the upper end of a range shares the label of the lower
            else:
                label = figure.label or _label(view, previous_end, start)
            figures.append(dataclasses.replace(figure, label=label))
            previous_end = end
    return figures


def figures_of_column_text(text: str) -> list[Figure]:
    """Targets or actuals of a column's stored text (lines as this parser joined them).

    Used by the other readers (PDF) so that every format extracts figures by one rule.
    """
    lines = [_Line(number, raw) for number, raw in enumerate(text.split("\n"), start=1) if raw.strip()]
    return _column_figures(_blocks(lines))


def _column_heads(view: str) -> list[str]:
    """``(H27年度) (H28年度見込)`` → ``["H27年度", "H28年度見込"]``; [] for other lines."""
    if not _HEADS_ROW_RE.match(view):
        return []
    return [squash_spaces(head).strip() for head in re.findall(r"\(([^()]+)\)", view)]


def _counted(view: str, found: list[tuple[int, int, Figure]]) -> list[tuple[int, int, Figure]]:
    """The figures that count: not in parentheses nor in a clause of means (see module docstring).

    One pass over ``view``: a line of thousands of figures (a damaged file) costs what it is long.
    """
    means = [m.start() for m in _MEANS_AT_RE.finditer(view)]
    stops = [m.start() for m in _CLAUSE_STOP_RE.finditer(view)]
    kept = []
    depth = scanned = 0
    for start, end, figure in found:
        if start < scanned:
            depth = scanned = 0
        depth += view.count("(", scanned, start) - view.count(")", scanned, start)
        scanned = start
        if depth > 0:
            continue
        # A clause of means: により、 after the figure, before the clause ends at 、 or 。.
        means_at = bisect_left(means, end)
        stop_at = bisect_left(stops, end)
        if means_at < len(means) and (stop_at == len(stops) or means[means_at] < stops[stop_at]):
            continue
        kept.append((start, end, figure))
    return kept


def _without_name_words(view: str, found: list[tuple[int, int, Figure]]) -> list[tuple[int, int, Figure]]:
    """Drop numbers that are words of an indicator's name, not its value.

    A figure glued to the words after it (``週1回以上運動する人の割合 50%``,
    ``65歳以上の高齢者の参加率を6%にします。``) names the indicator when a later figure
    in the same clause (no ``、`` or ``。`` between, but ``…の割合は、50%``) is its value.
    """
    kept = []
    for position, (start, end, figure) in enumerate(found):
        following = view[end : end + 1]
        # glued to a word, not to a particle (2台を更新し, 850mとし are values)
        glued = bool(following) and following not in _BLANKS + "、,。・→~〜()（）/をにでとがへもはやの"
        later = found[position + 1][0] if position + 1 < len(found) else None
        if glued and later is not None and not re.search(r"[、,。]", view[end:later].rstrip("、, ")):
            continue  # the value comes later in the same clause (…の割合は、50%)
        word = re.match(r"[^\s、,。()]*", view[end:])
        if glued and "。" not in view and word is not None and len(word.group()) >= 3:
            continue  # a name goes on after it: 週1回以上運動する人の割合  集計中
        kept.append((start, end, figure))
    return kept


def _label(view: str, previous_end: int, start: int) -> str | None:
    """The phrase before a figure in a label–value line; None in a sentence."""
    if "。" in view:
        return None
    # A blank before a digit inside a name is PDF spacing (週 1回以上…), not a gap.
    phrase = re.sub(r"(?<=\S) (?=[0-9])", "", view[previous_end:start]).strip(_BLANKS)
    if phrase.endswith(("、", "は", "を", "が")):
        return None  # a clause of a sentence without 。 (体言止め), not a label
    phrase = phrase.strip(_LABEL_STRIP)
    if not phrase:
        return None
    return squash_spaces(phrase.split()[-1].strip(_LABEL_STRIP)) or None

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
whose names all end like organisations (``（財政課）``; see ``sections.py``). Its
title is the up to ``MAX_TITLE_LINES`` lines above, starting at the nearest line
that begins with a number and a blank (``7 広報活動の充実``, full-width digits
included). The PDF sometimes loses the number but keeps the blank before it
(`` パブリシティの強化``): a line starting with a blank also starts a title, and
its number is inferred as the previous number + 1 (``number_inferred=True``). If
neither is found, the title is the single line above the anchor (also inferred).
Numbers must increase.

Title lines are joined without a separator (the PDF wrapped them), except a
sub-heading ``(1)…`` which is joined with one blank:
``財政健全化の推進 (1)財政調整基金残高の確保``.

Splitting the unmarked columns
==============================

The text between ``[目標値]`` and ``［今後の取組の方向性］`` holds two columns, and so
does the text after it; no marker separates them. Both are cut into bullets (a
bullet starts at a line beginning with ``・``; other lines continue it). Each PDF
column wraps at its own width (display width, full-width characters counting 2):
取組内容/取組結果/方向性 lines run to 50–60, 達成目標 lines to at most 42,
目標達成状況 lines to at most 34. The rules, applied from the second bullet on
(the first bullet always belongs to the first column; once the second column
starts, every later bullet belongs to it):

* 達成目標 → 取組結果: the first bullet written in the past tense (``ました``/``でした``,
  targets are future: ``ます``/``目指します``) or with a line wider than
  ``TARGET_MAX_WIDTH`` starts the results.
* 方向性 → 目標達成状況: the first bullet whose lines all fit in ``STATUS_MAX_WIDTH``
  starts the status, unless it is purely future (ends in ``ます。`` without a past
  tense, a 見込 or a number): a short direction bullet stays a direction.

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
to ``unplaced``. Missing markers, a missing column, or a last record whose status
stops mid-sentence raise :class:`ImportFormatError` with the source and the line.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from shinchoku.core.eras import search_fiscal_year
from shinchoku.core.figures import Figure, find_figures
from shinchoku.core.text import is_wide, normalize, squash_spaces
from shinchoku.imports.parsers.sections import is_organisation_name, split_sections
from shinchoku.imports.schema import ImportFormatError, ParsedGoal, ParsedGoalDeclaration, Unplaced

__all__ = ["MAX_TITLE_LINES", "STATUS_MAX_WIDTH", "TARGET_MAX_WIDTH", "looks_like", "parse"]

# Widest 達成目標 line in the seed is 42 (21 full-width characters); 取組結果 lines that
# are not the last of their bullet run from 50 to 60.
TARGET_MAX_WIDTH = 46
# Widest 目標達成状況 line is 34; 方向性 lines run from 48 to 60.
STATUS_MAX_WIDTH = 40
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
_MEANS_CLAUSE_RE = re.compile(r"^[^、。]*?(?:により|によって)[、,]")
_FINISHED_RE = re.compile(r"(?:。|\)|[0-9](?:%|件|名|人|団体|円|回|箇所|世帯|施設))$")
_LABEL_STRIP = _BLANKS + ":、,。・→=" + BULLET

_SNIFF_CHARS = 4000


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


def parse(text: str, *, source: str = "") -> ParsedGoalDeclaration:
    """Parse a goal declaration achievement report; raise ImportFormatError if it is not one."""
    lines = [
        _Line(number, raw)
        for number, raw in enumerate(_LINE_BREAK_RE.split(text), start=1)
        if raw.strip(_BLANKS + "\x0c")
    ]
    if not lines:
        raise ImportFormatError("empty document: no report title", source=source, line=1)
    title, fiscal_year = _read_title(lines[0], source)
    position, name, head_end = _read_declarer(lines, source)
    lines = _drop_header_blocks(lines[head_end:], source)
    records, unplaced = _split_records(lines, source)
    goals = [_make_goal(record, source) for record in records]
    _check_finished(records[-1], goals[-1], source)
    return ParsedGoalDeclaration(
        fiscal_year=fiscal_year,
        title=title,
        declarer_position=position,
        declarer_name=name,
        goals=goals,
        unplaced=unplaced,
    )


# --- the head of the document -------------------------------------------------------


def _read_title(line: _Line, source: str) -> tuple[str, int]:
    """``平成２８年度 企画部長の目標宣言 達成状況報告`` → (normalised title, 2016)."""
    title = " ".join(line.normalized.split())
    if "目標宣言" not in line.compact:
        raise ImportFormatError(
            "not a goal declaration report: the first line should be a title such as "
            "「平成28年度 企画部長の目標宣言 達成状況報告」",
            source=source,
            line=line.number,
        )
    fiscal_year = search_fiscal_year(title)
    if fiscal_year is None:
        raise ImportFormatError(
            "no fiscal year (e.g. 平成28年度) in the title", source=source, line=line.number
        )
    return title, fiscal_year


def _read_declarer(lines: list[_Line], source: str) -> tuple[str, str, int]:
    """The line after the title: ``企画部長 山口 清治`` → position, name, index after it."""
    if len(lines) < 2 or _is_header_start(lines[1]):
        where = lines[1].number if len(lines) > 1 else lines[0].number
        raise ImportFormatError(
            "no declarer line (position and name, e.g. 企画部長 山口 清治)", source=source, line=where
        )
    tokens = lines[1].normalized.split()
    if len(tokens) < 2:
        raise ImportFormatError(
            "the declarer line should hold a position and a name (e.g. 企画部長 山口 清治)",
            source=source,
            line=lines[1].number,
        )
    # Keep the blank between family and given name: squash_spaces would remove it.
    return tokens[0], " ".join(tokens[1:]), 2


def _is_header_start(line: _Line) -> bool:
    return line.compact in HEADER_START


def _drop_header_blocks(lines: list[_Line], source: str) -> list[_Line]:
    """Remove the column-header blocks; one must come before the first record."""
    kept: list[_Line] = []
    seen_header = False
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not _is_header_start(line):
            if not seen_header and _sections_of(line):
                raise ImportFormatError(
                    "no column header (N0. 取組名 （担当課名） 取組内容 達成目標 …) before the first record",
                    source=source,
                    line=line.number,
                )
            kept.append(line)
            continue
        seen_header = True
        block = [line]
        while index < len(lines) and lines[index].compact in HEADER_WORDS:
            block.append(lines[index])
            index += 1
        # A page break that ends the text, or a header cut short, means a truncated file.
        if index == len(lines) or not any(word.compact.endswith(HEADER_LAST) for word in block):
            raise ImportFormatError(
                "the document ends in a column header (N0. 取組名 … 目標達成状況): it is truncated",
                source=source,
                line=block[-1].number,
            )
    return kept


# --- records -------------------------------------------------------------------------


def _sections_of(line: _Line) -> list[str] | None:
    """The names of a sections line ``（財政課）``, or None if the line is not one."""
    match = _SECTIONS_LINE_RE.match(line.text)
    if match is None:
        return None
    names = split_sections(match.group("names"))
    if names and all(is_organisation_name(name) for name in names):
        return names
    return None


def _split_records(lines: list[_Line], source: str) -> tuple[list[_Record], list[Unplaced]]:
    anchors = [index for index, line in enumerate(lines) if _sections_of(line) is not None]
    if not anchors:
        last = lines[-1].number if lines else 1
        raise ImportFormatError(
            "no goal records: no line with the responsible sections such as （経営企画課）",
            source=source,
            line=last,
        )
    starts: list[int] = []
    floor = 0
    for anchor in anchors:
        start = _title_start(lines, anchor, floor)
        if start is None:
            raise ImportFormatError(
                "a sections line without a goal title above it", source=source, line=lines[anchor].number
            )
        starts.append(start)
        floor = anchor + 1
    unplaced = [Unplaced(line=line.number, text=line.raw.strip()) for line in lines[: starts[0]]]
    records: list[_Record] = []
    previous_number = 0
    for position, (start, anchor) in enumerate(zip(starts, anchors, strict=True)):
        end = starts[position + 1] if position + 1 < len(starts) else len(lines)
        number, inferred = _record_number(lines[start], previous_number, source)
        records.append(
            _Record(
                title_lines=lines[start:anchor],
                anchor=lines[anchor],
                body=lines[anchor + 1 : end],
                number=number,
                number_inferred=inferred,
            )
        )
        previous_number = number
    return records, unplaced


def _title_start(lines: list[_Line], anchor: int, floor: int) -> int | None:
    """Index of the first title line above the sections line at ``anchor``."""
    if anchor <= floor:
        return None
    lowest = max(floor, anchor - MAX_TITLE_LINES)
    for index in range(anchor - 1, lowest - 1, -1):
        line = lines[index]
        if _NUMBERED_TITLE_RE.match(line.normalized) or line.raw[:1] in _BLANKS:
            return index
        if line.text.startswith(BULLET) or line.text.endswith("。"):
            break  # the previous record's text: the title has no number at all
    return anchor - 1


def _record_number(line: _Line, previous: int, source: str) -> tuple[int, bool]:
    match = _NUMBERED_TITLE_RE.match(line.normalized)
    if match is None:
        return previous + 1, True
    number = int(match.group("number"))
    if number <= previous:
        raise ImportFormatError(
            f"goal number {number} does not follow goal {previous}", source=source, line=line.number
        )
    return number, False


def _make_goal(record: _Record, source: str) -> ParsedGoal:
    def fail(reason: str, line: int) -> ImportFormatError:
        return ImportFormatError(reason, source=source, line=line)

    first = record.title_lines[0].number
    title = _join_title(record.title_lines)
    label = f"goal {record.number} ({title})"
    target_marks = [i for i, line in enumerate(record.body) if line.compact == TARGET_MARKER]
    direction_marks = [i for i, line in enumerate(record.body) if line.compact == DIRECTION_MARKER]
    if len(target_marks) != 1:
        raise fail(f"{label}: expected one [目標値] marker, found {len(target_marks)}", first)
    if len(direction_marks) != 1:
        raise fail(
            f"{label}: expected one ［今後の取組の方向性］ marker, found {len(direction_marks)}", first
        )
    target_at, direction_at = target_marks[0], direction_marks[0]
    if direction_at < target_at:
        raise fail(f"{label}: ［今後の取組の方向性］ comes before [目標値]", record.body[direction_at].number)
    content = _blocks(record.body[:target_at])
    targets, results = _split_columns(_blocks(record.body[target_at + 1 : direction_at]), _is_result)
    directions, statuses = _split_columns(_blocks(record.body[direction_at + 1 :]), _is_status)
    for name, blocks, line in (
        ("取組内容", content, record.anchor.number),
        ("達成目標", targets, record.body[target_at].number),
        ("取組結果", results, record.body[target_at].number),
        ("今後の取組の方向性", directions, record.body[direction_at].number),
        ("目標達成状況", statuses, record.body[direction_at].number),
    ):
        if not blocks:
            raise fail(f"{label}: the {name} column is empty (truncated or not in this layout)", line)
    return ParsedGoal(
        number=record.number,
        title=title,
        sections=_sections_of(record.anchor) or [],
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
    match = _NUMBERED_TITLE_RE.match(lines[0].normalized)
    title = squash_spaces(match.group("title")).strip() if match else lines[0].text
    for line in lines[1:]:
        title += (" " if _SUBHEADING_RE.match(line.text) else "") + line.text
    return title


def _check_finished(record: _Record, goal: ParsedGoal, source: str) -> None:
    """A status column that stops mid-sentence or mid-table means the document was cut off.

    Finished: the last line ends with ``。``, ``)`` or a count/amount (``1,217件``), and is
    neither a row of column heads nor a row with fewer figures than the heads above it.
    A cut between two complete bullets cannot be told from the end of a report.
    """
    lines = goal.status_text.split("\n")
    last = lines[-1]
    before = lines[-2] if len(lines) > 1 else ""
    short_row = bool(_VALUES_ROW_RE.match(last)) and len(_column_heads(before)) > len(find_figures(last))
    if not _FINISHED_RE.search(last) or _HEADS_ROW_RE.match(last) or short_row:
        raise ImportFormatError(
            f"goal {goal.number}: the 目標達成状況 column stops mid-sentence "
            f"({goal.status_text[-20:]!r}); the document is truncated",
            source=source,
            line=record.body[-1].number,
        )


# --- columns -------------------------------------------------------------------------

_Block = list[_Line]


def _blocks(lines: list[_Line]) -> list[_Block]:
    """Cut a column into bullets: a bullet starts at a line beginning with ・."""
    blocks: list[_Block] = []
    for line in lines:
        if line.text.startswith(BULLET) or not blocks:
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return blocks


def _split_columns(
    blocks: list[_Block], starts_second: Callable[[_Block], bool]
) -> tuple[list[_Block], list[_Block]]:
    """Split bullets at the first one (from the second on) that ``starts_second`` accepts."""
    for index in range(1, len(blocks)):
        if starts_second(blocks[index]):
            return blocks[:index], blocks[index:]
    return blocks, []


def _block_width(block: _Block) -> int:
    return max(line.width for line in block)


def _is_result(block: _Block) -> bool:
    """取組結果 rather than 達成目標: past tense, or wider than the target column."""
    return bool(_PAST_RE.search(_block_text(block))) or _block_width(block) > TARGET_MAX_WIDTH


def _is_status(block: _Block) -> bool:
    """目標達成状況 rather than 方向性: fits the narrow status column and is not purely future."""
    if _block_width(block) > STATUS_MAX_WIDTH:
        return False
    text = _block_text(block)
    purely_future = text.endswith("ます。") and not re.search(r"ました|でした|見込|[0-9]", text)
    return not purely_future


def _breaks_before(previous: str, line: str) -> bool:
    """True when ``line`` starts a new line of text rather than continuing a wrap."""
    return (
        previous.endswith("。")
        or bool(_CIRCLED_RE.match(line))
        or bool(_LABEL_COLON_RE.match(line))
        or bool(_HEADS_ROW_RE.match(line))
        or bool(_VALUES_ROW_RE.match(line))
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
        return True
    found = find_figures(line)
    return len(found) == 1 and found[0][0] == 0 and found[0][1] == len(line)


def _block_text(block: _Block) -> str:
    return "\n".join(text for text, _ in _logical_lines(block))


def _column_text(blocks: list[_Block]) -> str:
    return "\n".join(_block_text(block) for block in blocks)


# --- figures -------------------------------------------------------------------------


def _column_figures(blocks: list[_Block]) -> list[Figure]:
    """Targets or actuals of a column, in document order (rules in the module docstring)."""
    views = [view for block in blocks for _, view in _logical_lines(block)]
    figures: list[Figure] = []
    for index, view in enumerate(views):
        heads = _column_heads(views[index - 1]) if index > 0 else []
        found = [
            (start, end, figure) for start, end, figure in find_figures(view) if _counts(view, start, end)
        ]
        if _VALUES_ROW_RE.match(view) and len(heads) == len(found) > 0:
            for head, (_, _, figure) in zip(heads, found, strict=True):
                provisional = figure.provisional or "見込" in head
                figures.append(dataclasses.replace(figure, label=head, provisional=provisional))
            continue
        previous_end = 0
        for start, end, figure in found:
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


def _counts(view: str, start: int, end: int) -> bool:
    """False for figures in parentheses and in a clause of means (see module docstring)."""
    depth = view[:start].count("(") - view[:start].count(")")
    if depth > 0:
        return False
    return not _MEANS_CLAUSE_RE.match(view[end:])


def _label(view: str, previous_end: int, start: int) -> str | None:
    """The phrase before a figure in a label–value line; None in a sentence."""
    if "。" in view:
        return None
    phrase = view[previous_end:start].strip(_LABEL_STRIP)
    if not phrase:
        return None
    return squash_spaces(phrase.split()[-1].strip(_LABEL_STRIP)) or None

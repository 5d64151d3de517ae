"""Generated guideline progress tables read back exactly (issue 11: documents never seen).

Hypothesis builds random documents in the layout of seed 004 from a small vocabulary of
real-looking phrases, renders them as text, encodes them, and reads them back with
``reading.parse_bytes``: the document read must be the document generated, line numbers
included, with no warning and no unplaced line, and every line of page furniture listed
as ignored with its reason.

Variety axes: title wording (における「基本的な取り組み」への進捗状況等 / に基づく取組の進捗状況)
and header wording (基本的な取り組み… / 基本的な取組 / 指針の内容 / 今後の方針 / 令和3年度実績);
平成 and 令和 years (令和元年度); 1–3 chapters, 0–2 sub-sections (①②), 0–2 groups (◎),
1–3 initiatives under each, 1–2 rows per initiative (continuation rows); the 区分 family
(Roman written Ⅱ or II, circled ①, letters A or Ａ, digits 1 or １, words 継続/拡充…) with
its legend (区分/説明 or 区分/内容) before the tables (with or without a caption
【区分の説明】) or after them; every bullet marker (● ・ ○ ◆ ◇ ■ - ※ and numbered ①②③),
entries joined by a blank, an ideographic blank or nothing (after 。 or a section list),
a lone entry without a marker; entries with and without trailing section names (課 室 係
担当 監 センター 事務局 協議会 …, joined by ・ or 、, in ASCII or full-width parentheses);
lone ― － なし cells; page breaks (footer 1 / 3, - 2 -, － ２ －, the title repeated, the
header repeated) between any two lines after the title; blank lines and empty tab rows;
<p>/<ul> fragments around cells; UTF-8 with and without BOM and CP932; LF and CRLF;
full-width and half-width digits in numbers, years, codes and footers.

Restrictions (text a reader cannot tell apart, so not generated): an entry never holds a
blank followed by a bullet marker, never starts with a marker and is never itself ―/なし;
※ bullets are always separated by a blank (``…した。※…`` is a note inside the bullet); a
page break never falls between the legend's caption and the legend's header row (the
caption is recognised by the header right under it), nor repeats the table header inside
the legend or before the first table header.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from shinchoku.core.text import normalize
from shinchoku.documents.schema import (
    ParsedClassification,
    ParsedEntry,
    ParsedGuidelineProgress,
    ParsedInitiative,
    ParsedRow,
)
from shinchoku.imports.parsers.sections import is_organisation_name
from shinchoku.imports.reading import parse_bytes
from shinchoku.testing import GENERATED_EXAMPLES, only_in_the_sqlite_pass

# --- vocabulary ------------------------------------------------------------------------

GUIDELINES = (
    "朝凪市市民参加推進指針",
    "かえで市協働のまちづくり推進指針",
    "しらかば町住民参加のまちづくり指針",
    "東雲市市民参画推進指針",
    "花咲市市民協働推進指針",
)
CHAPTERS = (
    "市政運営の各過程における市民参加の推進",
    "市民活動を促進、伸長する取り組み",
    "市民参加推進の基盤づくり",
    "情報の共有化に向けた取り組み",
    "協働を担う人づくり",
)
SUBSECTIONS = (
    "政策形成過程における市民参加",
    "実施過程における市民参加",
    "評価過程における市民参加",
    "審議会等への参画",
)
GROUPS = ("意見、意向、ニーズの把握", "政策決定への市民参加", "計画や条例の決定過程への参画")
TITLES = (
    "市民意識調査、アンケート調査",
    "市民モニター制度",
    "パブリックコメント制度",
    "審議会等の公開",
    "モデル事業・社会実験",
    "ワークショップ",
    "市民活動保険制度",
    "職員研修制度の拡充",
    "自治会活動との連携",
    "協働事業提案制度",
)
GUIDELINE_TEXTS = (
    "適切な方法を検討し、活用",
    "制度を運用",
    "公開・公募基準の策定",
    "市民理解を得て、活用",
    "市民が参加する評価制度を検討",
    "利用しやすい制度として現行制度を改善",
)
ENTRIES = (
    "市民意識調査を実施し、結果を市ホームページで公表した。",
    "子ども・子育て支援に取り組む団体の交流会を開催した。",
    "朝凪市地域福祉計画(案)について、パブリックコメントを実施した。",
    "各種の階層別研修(17講座)を行い、職員の能力向上を図った。",
    "市民活動サポートセンターで、団体の設立や運営の相談に応じた。",
    "審議会等の運用状況を取りまとめ、公表する。",
    "課長補佐級職員を対象に、ファシリテーション研修(2日間)を実施した。",
    "「第8回“おおやまみち”まちづくりサミット」を開催した。",
    "地区公民館3館の運営委員会を開催する。",
    "継続実施した。",
    "市政モニター50人に、ごみの分別に関するアンケートを行った",
    "市民提案型協働事業の募集(年2回)",
)
SECTIONS = (
    "市民協働課",
    "企画課",
    "人権・広聴相談課",
    "協働推進担当",
    "地域包括ケア担当",
    "危機管理監",
    "秘書広報室",
    "市民活動サポートセンター",
    "議会事務局",
    "教育委員会",
    "朝凪市社会福祉協議会",
    "中央図書館",
    "庶務係",
    "情報政策グループ",
    "消防本部",
)
LABELS = (
    "担当課で検討を進める。",
    "担当課で従来の取り組みを推進。",
    "各課で適宜実施する。",
    "今後、庁内横断組織で確定する。",
    "今後、市民による推進組織で議論し、確定する。",
)

_ROMAN = ("I", "II", "III", "IV", "V")
_ROMAN_SIGNS = ("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
# family → (canonical codes, the ways each may be written)
CODE_FAMILIES: dict[str, tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]] = {
    "roman": (_ROMAN, tuple((sign, ascii_) for sign, ascii_ in zip(_ROMAN_SIGNS, _ROMAN, strict=True))),
    "circled": (tuple(_CIRCLED[:5]), tuple((c,) for c in _CIRCLED[:5])),
    "letters": (("A", "B", "C", "D", "E"), tuple((c, chr(ord(c) + 0xFEE0)) for c in "ABCDE")),
    "digits": (("1", "2", "3", "4", "5"), tuple((c, chr(ord(c) + 0xFEE0)) for c in "12345")),
    "words": (
        ("継続", "拡充", "新規", "検討", "完了"),
        tuple((w,) for w in ("継続", "拡充", "新規", "検討", "完了")),
    ),
}
MARKERS = ("●", "・", "○", "◆", "◇", "■", "-", "※", "numbered")
EMPTY_MARKS = ("―", "－", "なし")
TITLE_FORMS = ("『{}』における「基本的な取り組み」への進捗状況等", "『{}』に基づく取組の進捗状況")
HEADER_FORMS = (
    ("基本的な取り組み", "「指針の記載内容」", "区分", "対応方針", "{}の取り組み実績", "{}の取り組み予定"),
    ("基本的な取組", "指針の内容", "区分", "今後の方針", "{}実績", "{}予定"),
)


def _check_vocabulary() -> None:
    """The vocabulary is already normalised, CP932-encodable, and its sections read as sections."""
    words = [
        *GUIDELINES,
        *CHAPTERS,
        *SUBSECTIONS,
        *GROUPS,
        *TITLES,
        *GUIDELINE_TEXTS,
        *ENTRIES,
        *SECTIONS,
        *LABELS,
    ]
    for word in words:
        assert normalize(word) == word, word
        word.encode("cp932")
    assert all(is_organisation_name(name) for name in SECTIONS)


_check_vocabulary()


# --- documents ---------------------------------------------------------------------------


@dataclass
class _Line:
    """A line of the generated text; ``why`` says why the reader must ignore it, if it must."""

    text: str
    why: str | None = None
    kind: str = "body"  # body, header, legend, caption
    empty_marks: int = 0  # cells holding a lone ― － なし
    number: int = 0


@dataclass
class _Initiative:
    chapter: str
    subsection: str | None
    group: str | None
    title: str
    guideline_text: str
    rows: list[tuple[_Line, str, str, list[tuple[str, list[str]]], list[tuple[str, list[str]]]]] = field(
        default_factory=list
    )


def _wide(text: str, draw: st.DrawFn) -> str:
    """Digits written full-width, or not."""
    if not draw(st.booleans()):
        return text
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isdigit() else c for c in text)


def _era(year: int) -> str:
    if year <= 2018:
        return f"平成{year - 1988}年度"
    reiwa = year - 2018
    return "令和元年度" if reiwa == 1 else f"令和{reiwa}年度"


def _entries_cell(draw: st.DrawFn, entries: list[tuple[str, list[str]]]) -> tuple[str, int]:
    """The text of a results or plans cell, and how many lone empty marks it is (0 or 1)."""
    if not entries:
        choice = draw(st.sampled_from(("", "", *EMPTY_MARKS)))
        return choice, int(bool(choice))
    marker = draw(st.sampled_from(MARKERS))
    pieces = []
    for index, (text, sections) in enumerate(entries):
        if sections:
            opening, closing = draw(st.sampled_from((("(", ")"), ("（", "）"))))
            text = f"{text}{opening}{draw(st.sampled_from('・、')).join(sections)}{closing}"
        mark = _CIRCLED[index] if marker == "numbered" else marker
        if len(entries) == 1 and draw(st.integers(0, 4)) == 0:
            mark = ""  # a lone entry written without a marker
        piece = mark + _wide(text, draw)
        if pieces:
            previous_text, previous_sections = entries[index - 1]
            # Joined without a blank only after 。 or a section list; never for ※ ("…した。※速報値"
            # is a note inside the bullet).
            closed = (bool(previous_sections) or previous_text.endswith("。")) and marker != "※"
            separator = draw(st.sampled_from((" ", " ", "\u3000", "") if closed else (" ", "\u3000")))
            piece = separator + piece
        pieces.append(piece)
    return "".join(pieces), 0


def _wrap(draw: st.DrawFn, cell: str, *, bullets: bool = False) -> str:
    """Some cells of the PDF-to-HTML extraction come wrapped in <p> or <ul>."""
    style = draw(st.sampled_from(("", "", "", "p", "ul" if bullets else "p")))
    if style == "p":
        return f"<p>{cell}</p>"
    if style == "ul":
        return f'<ul style="list-style-type: none"> {cell} </ul>'
    return cell


@dataclass(frozen=True)
class Generated:
    """A generated document: its bytes, what they must read as, and the lines to be ignored."""

    data: bytes
    expected: ParsedGuidelineProgress
    ignored: list[tuple[int, str]]
    text: str

    def __repr__(self) -> str:  # the lines are in the note; the repr only names the case
        return f"Generated({len(self.text.splitlines())} lines)"


@st.composite
def documents(draw: st.DrawFn) -> Generated:
    guideline = draw(st.sampled_from(GUIDELINES))
    title = draw(st.sampled_from(TITLE_FORMS)).format(guideline)
    result_year = draw(st.integers(2018, 2027))
    header_form = draw(st.sampled_from(HEADER_FORMS))
    result_era = _era(result_year)
    plan_era = "平成31年度" if result_year == 2018 else _era(result_year + 1)
    header_cells = [*header_form[:4], header_form[4].format(result_era), header_form[5].format(plan_era)]

    family = draw(st.sampled_from(sorted(CODE_FAMILIES)))
    canonical, written = CODE_FAMILIES[family]
    code_count = draw(st.integers(2, 5))
    labels = draw(st.permutations(LABELS))[:code_count]
    classifications = [ParsedClassification(canonical[i], labels[i]) for i in range(code_count)]

    def code_text(index: int) -> str:
        return draw(st.sampled_from(written[index]))

    def blank_lines() -> list[_Line]:
        return [_Line(draw(st.sampled_from(("", "", "\t\t\t\t\t"))), kind="blank")] * draw(st.integers(0, 1))

    legend: list[_Line] = []
    if draw(st.booleans()):
        legend.append(
            _Line(draw(st.sampled_from(("【区分の説明】", "区分の説明", "＜区分＞"))), kind="caption")
        )
    legend.append(_Line("\t".join(("区分", draw(st.sampled_from(("説明", "内容"))))), kind="legend"))
    legend += [_Line(f"{code_text(i)}\t{c.label}", kind="legend") for i, c in enumerate(classifications)]
    legend_first = draw(st.booleans())

    body: list[_Line] = []
    if legend_first:
        body += legend + blank_lines()
    initiatives: list[_Initiative] = []
    first_header = True
    for chapter_number in range(1, draw(st.integers(1, 3)) + 1):
        heading = draw(st.sampled_from(CHAPTERS))
        separator = draw(st.sampled_from((" ", "\u3000")))
        body.append(_Line(f"{_wide(str(chapter_number), draw)}{separator}{heading}"))
        body += blank_lines()
        chapter = f"{chapter_number} {heading}"
        subsections: list[str | None] = [None]
        count = draw(st.integers(0, 2))
        if count:
            subsections = [f"{_CIRCLED[i]}{draw(st.sampled_from(SUBSECTIONS))}" for i in range(count)]
        for subsection in subsections:
            if subsection is not None:
                body.append(
                    _Line(subsection[0] + draw(st.sampled_from(("", " ", "\u3000"))) + subsection[1:])
                )
                body += blank_lines()
            groups: list[str | None] = [None]
            count = draw(st.integers(0, 2))
            if count:
                groups = [draw(st.sampled_from(GROUPS)) for _ in range(count)]
            for group in groups:
                if group is not None:
                    body.append(_Line(f"◎{group}"))
                    body += blank_lines()
                header = "\t".join(_wide(cell, draw) for cell in header_cells)
                body.append(_Line(header, kind="header", why=None if first_header else "repeated_header"))
                first_header = False
                for _ in range(draw(st.integers(1, 3))):
                    initiative = _Initiative(
                        chapter,
                        subsection,
                        group,
                        draw(st.sampled_from(TITLES)),
                        draw(st.sampled_from(GUIDELINE_TEXTS)),
                    )
                    for row_index in range(draw(st.integers(1, 2))):
                        code = draw(st.integers(0, code_count - 1))
                        cells_entries = []
                        rendered = []
                        marks = 0
                        for _column in ("results", "plans"):
                            entries = [
                                (
                                    draw(st.sampled_from(ENTRIES)),
                                    draw(st.lists(st.sampled_from(SECTIONS), max_size=2, unique=True)),
                                )
                                for _ in range(draw(st.integers(0, 3)))
                            ]
                            text, empty = _entries_cell(draw, entries)
                            marks += empty
                            cells_entries.append(entries)
                            rendered.append(_wrap(draw, text, bullets=bool(entries)))
                        first = "○" + initiative.title if row_index == 0 else ""
                        guideline_text = initiative.guideline_text if row_index == 0 else ""
                        cells = [
                            _wrap(draw, first),
                            _wrap(draw, guideline_text),
                            _wrap(draw, code_text(code)),
                            _wrap(draw, classifications[code].label),
                            *rendered,
                        ]
                        line = _Line("\t".join(cells), empty_marks=marks)
                        body.append(line)
                        initiative.rows.append(
                            (
                                line,
                                canonical[code],
                                classifications[code].label,
                                cells_entries[0],
                                cells_entries[1],
                            )
                        )
                    initiatives.append(initiative)
        body += blank_lines()
    if not legend_first:
        body += blank_lines() + legend

    # Page breaks between any two lines after the title.
    page = 0
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(body)))
        headers_before = any(line.kind == "header" for line in body[:at])
        # The lines around, past the page breaks already inserted and blank lines.
        above = [line.kind for line in body[:at] if line.why is None and line.kind != "blank"]
        below = [line.kind for line in body[at:] if line.why is None and line.kind != "blank"]
        previous = above[-1] if above else None
        following = below[0] if below else None
        if (previous, following) == ("caption", "legend"):
            continue  # the caption stays right above the legend header
        in_legend = (previous, following) == ("legend", "legend")
        page += 1
        total = draw(st.integers(page, page + 3))
        footer = draw(
            st.sampled_from((f"{page} / {total}", f"- {page} -", f"－ {page} －", f"{page}/{total}"))
        )
        block = [_Line(_wide(footer, draw), why="page_footer")]
        block += blank_lines()
        block.append(_Line(title, why="page_header"))
        if headers_before and not in_legend and draw(st.booleans()):
            header = "\t".join(header_cells)
            block.append(_Line(header, kind="header", why="repeated_header"))
        body[at:at] = block

    lines = [*([_Line("", kind="blank")] * draw(st.integers(0, 2))), _Line(title), *blank_lines(), *body]
    for number, line in enumerate(lines, start=1):
        line.number = number
    newline = draw(st.sampled_from(("\n", "\r\n")))
    text = newline.join(line.text for line in lines) + draw(st.sampled_from(("", newline)))
    encoding = draw(st.sampled_from(("utf-8", "utf-8-sig", "cp932")))
    data = text.encode(encoding)

    def entries(items: list[tuple[str, list[str]]], line: int) -> list[ParsedEntry]:
        return [ParsedEntry(text, list(sections), line) for text, sections in items]

    expected = ParsedGuidelineProgress(
        guideline=guideline,
        result_year=result_year,
        plan_year=result_year + 1,
        classifications=classifications,
        initiatives=[
            ParsedInitiative(
                chapter=i.chapter,
                subsection=i.subsection,
                group=i.group,
                title=i.title,
                guideline_text=i.guideline_text,
                rows=[
                    ParsedRow(
                        code, policy, entries(results, line.number), entries(plans, line.number), line.number
                    )
                    for line, code, policy, results, plans in i.rows
                ],
                line=i.rows[0][0].number,
            )
            for i in initiatives
        ],
    )
    ignored = sorted(
        [(line.number, line.why) for line in lines if line.why]
        + [(line.number, "empty_marker") for line in lines for _ in range(line.empty_marks)]
    )
    note(
        f"encoding={encoding} newline={newline!r}\n"
        + "\n".join(f"{line.number:3} {line.text}" for line in lines)
    )
    return Generated(data, expected, ignored, text)


def _content(document: ParsedGuidelineProgress) -> dict[str, Any]:
    data = document.to_json(positions=True)
    data.pop("warnings", None)
    data.pop("ignored", None)
    return data


@only_in_the_sqlite_pass()
@settings(
    max_examples=GENERATED_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(documents())
def test_a_generated_document_reads_back_exactly(document: Generated) -> None:
    parsed = parse_bytes(document.data, source="generated.txt")
    assert isinstance(parsed, ParsedGuidelineProgress)
    assert parsed.unplaced == []
    assert [(w.line, w.code, w.params) for w in parsed.warnings] == []
    assert _content(parsed) == _content(document.expected)
    assert sorted((i.line, i.why) for i in parsed.ignored) == document.ignored


def test_the_vocabulary_is_realistic_japanese() -> None:
    # Every phrase is mostly kana and kanji: the generator writes Japanese, not noise.
    for phrase in (*ENTRIES, *TITLES, *CHAPTERS):
        wide = sum(unicodedata.east_asian_width(ch) in "WF" for ch in phrase)
        assert wide >= len(phrase) * 0.7, phrase

"""Format (b): the guideline progress table of seed 004, and what is not one."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from shinchoku.documents.schema import ImportFormatError, ParsedEntry, ParsedGuidelineProgress
from shinchoku.imports.parsers import guideline_progress_text as parser
from shinchoku.imports.tests.seeds import GOAL_DECLARATION, GUIDELINE_PROGRESS, JUNK, cut, read_seed

SOURCE = "004.txt"


@pytest.fixture(scope="module")
def text() -> str:
    return read_seed(GUIDELINE_PROGRESS)


@pytest.fixture(scope="module")
def doc(text: str) -> ParsedGuidelineProgress:
    return parser.parse(text, source=SOURCE)


def _entries(doc: ParsedGuidelineProgress, kind: str) -> list[ParsedEntry]:
    return [entry for i in doc.initiatives for row in i.rows for entry in getattr(row, kind)]


def _replace_line(text: str, number: int, new: str) -> str:
    lines = text.split("\n")
    lines[number - 1] = new
    return "\n".join(lines)


def _assert_error(excinfo: pytest.ExceptionInfo[ImportFormatError], line: int, source: str = SOURCE) -> None:
    error = excinfo.value
    assert error.source == source
    assert error.line == line
    assert source in str(error)
    assert f"line {line}" in str(error)


# --- the document ----------------------------------------------------------------------


def test_title_and_years(doc: ParsedGuidelineProgress) -> None:
    assert doc.guideline == "伊勢原市市民参加推進指針"
    assert doc.result_year == 2018  # 平成30年度の取り組み実績
    assert doc.plan_year == 2019  # 平成31年度の取り組み予定
    assert doc.kind == "guideline_progress"


def test_legend(doc: ParsedGuidelineProgress) -> None:
    assert [(c.code, c.label) for c in doc.classifications] == [
        ("I", "担当課で検討を進める。"),
        ("II", "担当課で従来の取り組みを推進。"),
        ("III", "各課で適宜実施する。"),
        ("IV", "今後、庁内横断組織で確定する。"),
        ("V", "今後、市民による推進組織で議論し、確定する。"),
    ]


def test_33_initiatives_under_5_chapters(doc: ParsedGuidelineProgress) -> None:
    assert len(doc.initiatives) == 33
    chapters = Counter(i.chapter for i in doc.initiatives)
    assert list(chapters.items()) == [
        ("1 市政運営の各過程における市民参加の推進", 17),
        ("2 市民活動を促進、伸長する取り組み", 8),
        ("3 市民参加推進の基盤づくりへの取り組み", 3),
        ("4 情報の共有化に向けた取り組み", 3),
        ("5 パートナーシップによるまちづくりの推進に向けて", 2),
    ]


def test_subsections_and_groups(doc: ParsedGuidelineProgress) -> None:
    placement = Counter((i.subsection, i.group) for i in doc.initiatives)
    assert list(placement.items()) == [
        (("①政策形成過程における市民参加への取り組み", "意見、意向、ニーズの把握"), 3),
        (("①政策形成過程における市民参加への取り組み", "政策決定への市民参加"), 7),
        (("②実施過程における市民参加への取り組み", None), 5),
        (("③評価過程における市民参加への取り組み", None), 2),
        ((None, None), 16),
    ]
    # A new chapter resets the sub-section and the group.
    assert doc.initiatives[17].chapter.startswith("2 ")
    assert doc.initiatives[17].subsection is None and doc.initiatives[17].group is None


def test_initiative_titles_and_lines(doc: ParsedGuidelineProgress) -> None:
    first, last = doc.initiatives[0], doc.initiatives[-1]
    assert (first.title, first.guideline_text, first.line) == (
        "市民意識調査、アンケート調査・ヒアリング調査",
        "適切な方法を検討し、活用",
        12,
    )
    assert (last.title, last.line) == ("パートナーシップによるまちづくりの条例", 84)
    # Row wrapped in <p>…</p>: the HTML is gone, the content stays.
    html_row = next(i for i in doc.initiatives if i.line == 41)
    assert html_row.title == "事業協働の市民提案"
    assert html_row.guideline_text == "市の対応窓口を明確化協議や合意方法、実現の手段などの在り方を研究"
    assert html_row.rows[0].classification == "II"
    assert html_row.rows[0].policy == "担当課で従来の取り組みを推進。"
    assert not any("<" in json.dumps(i.to_json(), ensure_ascii=False) for i in doc.initiatives)
    # ワークショップ appears twice, in two sub-sections: two initiatives.
    assert [i.subsection for i in doc.initiatives if i.title == "ワークショップ"] == [
        "①政策形成過程における市民参加への取り組み",
        "②実施過程における市民参加への取り組み",
    ]


def test_34_rows_the_first_initiative_has_two(doc: ParsedGuidelineProgress) -> None:
    assert sum(len(i.rows) for i in doc.initiatives) == 34
    assert [len(i.rows) for i in doc.initiatives].count(2) == 1
    first = doc.initiatives[0]
    assert [(r.classification, r.policy, r.line) for r in first.rows] == [
        ("II", "担当課で従来の取り組みを推進。", 12),
        ("III", "各課で適宜実施する。", 13),
    ]
    assert first.rows[0].results == [] and first.rows[0].plans == []
    assert len(first.rows[1].results) == 2 and len(first.rows[1].plans) == 1


def test_classification_codes_are_normalised(doc: ParsedGuidelineProgress) -> None:
    codes = [row.classification for i in doc.initiatives for row in i.rows]
    assert set(codes) == {"I", "II", "III", "IV", "V"}
    assert Counter(codes) == {"II": 15, "III": 10, "V": 5, "IV": 2, "I": 2}
    by_line = {row.line: row.classification for i in doc.initiatives for row in i.rows}
    assert by_line[12] == by_line[22] == "II"  # written "II" and "Ⅱ"
    assert by_line[62] == by_line[70] == "I"  # written "I" and "Ⅰ"


def test_66_results_and_54_plans(doc: ParsedGuidelineProgress) -> None:
    assert len(_entries(doc, "results")) == 66
    assert len(_entries(doc, "plans")) == 54


def test_duplicated_plan_bullet_is_kept(doc: ParsedGuidelineProgress) -> None:
    council = next(i for i in doc.initiatives if i.title == "審議会等")
    plans = [entry.text for entry in council.rows[0].plans]
    assert plans.count("伊勢原市総合農政審議会は、平成31年度において実施しない予定。") == 2
    assert len(plans) == 7


def test_bullets_split_into_text_and_sections(doc: ParsedGuidelineProgress) -> None:
    first = doc.initiatives[0].rows[1].results[0]
    assert first.text == "CMS機能を活用したWebアンケートの全庁的な活用を図った。"
    assert first.sections == ["人権・広聴相談課"]
    assert first.line == 13
    entries = _entries(doc, "results") + _entries(doc, "plans")
    by_text = {entry.text: entry.sections for entry in entries}
    assert by_text[
        "市民提案型協働事業として、市民団体とともに、「ラミラダ少年野球親善訪問」を実施した。"
    ] == [
        "市野球協会学童部",
        "国際交流委員会",
    ]
    assert by_text[
        "市民提案型協働事業として、伊勢原市と市民団体との間で、"
        "「チャレンジしよう! 国際交流2019」の協定を締結した。"
    ] == ["市民協働課", "教育指導課"]
    assert by_text[
        "市民提案型協働事業として、市民団体とともに、「チャレンジしよう! 国際交流2019」を実施する。"
    ] == ["市民協働課", "教育指導課"]  # written with 、
    # Parentheses inside the sentence stay in the text.
    training = next(text for text in by_text if text.startswith("各種の階層別研修(17講座)"))
    assert by_text[training] == ["職員課"]
    assert "(52講座)" in training and "(20講座)" in training
    plan = (
        "伊勢原市工場立地法第4条の2第1項の規定に基づく準則を定める条例(案)について、"
        "パブリックコメントを実施した。"
    )
    assert by_text[plan] == ["商工観光課"]


def test_every_bullet_names_its_sections_except_the_continued_one(doc: ParsedGuidelineProgress) -> None:
    entries = _entries(doc, "results") + _entries(doc, "plans")
    assert [entry.text for entry in entries if not entry.sections] == ["継続実施した。", "継続実施する。"]
    assert not any(entry.text.startswith("●") or entry.text.endswith(")") for entry in entries)


def test_nothing_silently_dropped(doc: ParsedGuidelineProgress) -> None:
    # The seed ends with the heading of a reference whose content is not in it: left out, and listed.
    assert doc.unplaced == []
    assert doc.warnings == []
    assert [(i.line, i.text, i.why) for i in doc.ignored if i.why == "trailing_heading"] == [
        (93, "●参考", "trailing_heading"),
        (94, "当初における「区分」欄の説明", "trailing_heading"),
    ]
    # The title repeated at the top of each page and the repeated header rows: page furniture.
    furniture = [(i.line, i.why) for i in doc.ignored if i.why != "trailing_heading"]
    assert [line for line, why in furniture if why == "page_header"] == [17, 30, 39, 44, 64]
    assert [line for line, why in furniture if why == "repeated_header"] == [21, 34, 48, 54, 68, 75, 82]
    assert all(
        i.text == "『伊勢原市市民参加推進指針』における「基本的な取り組み」への進捗状況等"
        for i in doc.ignored
        if i.why == "page_header"
    )


def test_a_heading_with_something_under_it_stays_unplaced(text: str) -> None:
    # The reference heading now has content the reader does not know: all of it is a warning.
    doc = parser.parse(text + "\n区分の見直しは来年度に行う予定です。\n", source=SOURCE)
    assert [u.text for u in doc.unplaced] == [
        "●参考",
        "当初における「区分」欄の説明",
        "区分の見直しは来年度に行う予定です。",
    ]
    assert [i for i in doc.ignored if i.why == "trailing_heading"] == []


def test_page_footers_after_the_trailing_headings_do_not_hide_them(text: str) -> None:
    doc = parser.parse(text + "\n\n- 5 -\n", source=SOURCE)
    assert doc.unplaced == []
    assert [(i.text, i.why) for i in doc.ignored if i.line >= 93] == [
        ("●参考", "trailing_heading"),
        ("当初における「区分」欄の説明", "trailing_heading"),
        ("- 5 -", "page_footer"),
    ]


def test_json(doc: ParsedGuidelineProgress) -> None:
    data = json.loads(json.dumps(doc.to_json(), ensure_ascii=False))
    assert data["kind"] == "guideline_progress"
    assert len(data["initiatives"]) == 33
    assert data["initiatives"][0]["rows"][1]["results"][0] == {
        "text": "CMS機能を活用したWebアンケートの全庁的な活用を図った。",
        "sections": ["人権・広聴相談課"],
    }


def test_crlf_line_breaks_give_the_same_document(text: str, doc: ParsedGuidelineProgress) -> None:
    assert parser.parse(text.replace("\n", "\r\n"), source=SOURCE).to_json() == doc.to_json()


# --- format detection ------------------------------------------------------------------


def test_looks_like(text: str) -> None:
    assert parser.looks_like(text)
    assert not parser.looks_like(read_seed(GOAL_DECLARATION))
    assert not parser.looks_like("")
    assert not parser.looks_like(JUNK)
    assert not parser.looks_like("『伊勢原市市民参加推進指針』の概要\n本文")


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["", "\n\n  \n", "\t\n"])
def test_empty_text(bad: str) -> None:
    with pytest.raises(ImportFormatError, match="empty") as excinfo:
        parser.parse(bad, source=SOURCE)
    _assert_error(excinfo, 1)


def test_binary_junk() -> None:
    with pytest.raises(ImportFormatError, match="not a guideline progress document") as excinfo:
        parser.parse(JUNK, source="junk.bin")
    _assert_error(excinfo, 1, source="junk.bin")


def test_truncated_at_30_percent(text: str) -> None:
    with pytest.raises(ImportFormatError, match="5 tab-separated cells, expected 6") as excinfo:
        parser.parse(cut(text, 0.3), source=SOURCE)
    _assert_error(excinfo, 28)  # the row cut in its last cell


def test_truncated_at_60_percent(text: str) -> None:
    with pytest.raises(ImportFormatError, match="no classification legend") as excinfo:
        parser.parse(cut(text, 0.6), source=SOURCE)
    _assert_error(excinfo, 41)  # the last line of the text


@pytest.mark.parametrize("percent", range(5, 100, 5))
def test_truncated_anywhere(text: str, percent: int) -> None:
    with pytest.raises(ImportFormatError) as excinfo:
        parser.parse(cut(text, percent / 100), source=SOURCE)
    assert excinfo.value.line is not None and excinfo.value.source == SOURCE


def test_the_other_seed_is_not_this_layout() -> None:
    with pytest.raises(ImportFormatError, match="not a guideline progress document") as excinfo:
        parser.parse(read_seed(GOAL_DECLARATION), source="000.txt")
    _assert_error(excinfo, 1, source="000.txt")


def test_code_missing_from_the_legend_is_a_warning(text: str) -> None:
    without_v = _replace_line(text, 91, "")  # drop "Ⅴ  今後、市民による推進組織で…"
    doc = parser.parse(without_v, source=SOURCE)
    assert [c.code for c in doc.classifications] == ["I", "II", "III", "IV"]
    v_rows = [row.line for i in doc.initiatives for row in i.rows if row.classification == "V"]
    assert len(v_rows) == 5 and v_rows[0] == 42  # still read, each row with a warning
    assert [(w.line, w.code, w.params) for w in doc.warnings] == [
        (line, "unknown_code", {"code": "V"}) for line in v_rows
    ]


def test_code_not_in_the_legend_is_a_warning(text: str) -> None:
    lines = text.split("\n")
    assert lines[69].split("\t")[2] == "Ⅰ"
    cells = lines[69].split("\t")
    cells[2] = "Ⅵ"
    doc = parser.parse(_replace_line(text, 70, "\t".join(cells)), source=SOURCE)
    assert [(w.line, w.code, w.params) for w in doc.warnings] == [(70, "unknown_code", {"code": "VI"})]
    # A code of another family is read as written, and is not in the legend either.
    cells[2] = "Ａ"
    doc = parser.parse(_replace_line(text, 70, "\t".join(cells)), source=SOURCE)
    assert [(w.line, w.code, w.params) for w in doc.warnings] == [(70, "unknown_code", {"code": "A"})]


def test_code_that_is_not_a_code(text: str) -> None:
    cells = text.split("\n")[69].split("\t")
    cells[2] = "担当課で検討を進める。"
    with pytest.raises(ImportFormatError, match="not a 区分 code") as excinfo:
        parser.parse(_replace_line(text, 70, "\t".join(cells)), source=SOURCE)
    _assert_error(excinfo, 70)


def test_row_with_missing_cells(text: str) -> None:
    broken = _replace_line(text, 56, "○活動の場の提供\t公的な施設だけでなく")
    with pytest.raises(ImportFormatError, match="2 tab-separated cells") as excinfo:
        parser.parse(broken, source=SOURCE)
    _assert_error(excinfo, 56)


def test_header_years_must_agree(text: str) -> None:
    header = text.split("\n")[53].replace("平成30年度", "平成29年度").replace("平成31年度", "平成30年度")
    with pytest.raises(ImportFormatError, match="differs from the first header") as excinfo:
        parser.parse(_replace_line(text, 54, header), source=SOURCE)
    _assert_error(excinfo, 54)


def test_header_without_years(text: str) -> None:
    header = text.split("\n")[10].replace("平成30年度の", "").replace("平成31年度の", "")
    with pytest.raises(ImportFormatError, match="no fiscal year") as excinfo:
        parser.parse(_replace_line(text, 11, header), source=SOURCE)
    _assert_error(excinfo, 11)


def test_continuation_row_before_any_initiative(text: str) -> None:
    broken = _replace_line(text, 12, "\t\tII\t担当課で従来の取り組みを推進。\t\t")
    with pytest.raises(ImportFormatError, match="continuation row before any initiative") as excinfo:
        parser.parse(broken, source=SOURCE)
    _assert_error(excinfo, 12)


def test_unexpected_heading_is_unplaced_not_dropped(text: str) -> None:
    doc = parser.parse(_replace_line(text, 18, "※ 注記: この表は抜粋です"), source=SOURCE)
    assert (18, "※ 注記: この表は抜粋です") in [(u.line, u.text) for u in doc.unplaced]
    assert len(doc.initiatives) == 33


# --- other writers' documents (issue 11): warnings for what the reader is not sure of ---------

SMALL = """『朝凪市市民参加推進指針』における「基本的な取り組み」への進捗状況等
1 市政運営への市民参加
基本的な取り組み\t「指針の記載内容」\t区分\t対応方針\t令和5年度の取り組み実績\t令和6年度の取り組み予定
{rows}
区分\t説明
Ⅰ\t担当課で検討を進める。
Ⅱ\t担当課で従来の取り組みを推進。
"""
ROW = "○市民意識調査\t適切な方法を検討し、活用\tⅡ\t担当課で従来の取り組みを推進。\t{results}\t{plans}"


def _small(*rows: str) -> ParsedGuidelineProgress:
    return parser.parse(SMALL.format(rows="\n".join(rows)), source="small.txt")


@pytest.mark.parametrize(
    ("cell", "texts"),
    [
        ("・市民意識調査を実施した。(企画課) ・子ども・子育て会議を開いた。(子育て支援課)", 2),
        ("◆調査を実施した。(企画課) ◇結果を公表した。(広報課)", 2),
        ("-調査を実施した。(企画課) -結果を公表した。(広報課)", 2),
        ("①調査を実施した。(企画課) ②結果を公表した。(広報課) ③報告した。", 3),
        ("●調査を実施した。※結果は速報値。", 1),  # ※ after 。 without a blank: a note of the bullet
        ("●調査を実施した。 ※結果を公表した。(広報課)", 2),
        ("・9:00 - 17:00に窓口を開いた。(市民協働課)", 1),  # - is a bullet only in a - cell
    ],
)
def test_any_bullet_marker(cell: str, texts: int) -> None:
    doc = _small(ROW.format(results=cell, plans=""))
    assert len(doc.initiatives[0].rows[0].results) == texts
    assert doc.warnings == [] and doc.unplaced == []


@pytest.mark.parametrize("mark", ["―", "－", "-", "なし", "<p>―</p>", "・なし"])
def test_a_lone_dash_or_nashi_is_an_empty_cell(mark: str) -> None:
    doc = _small(ROW.format(results=mark, plans="●市民意識調査を実施する。(企画課)"))
    row = doc.initiatives[0].rows[0]
    assert row.results == [] and len(row.plans) == 1
    assert [i.why for i in doc.ignored] == ["empty_marker"]


def test_numbers_out_of_sequence_are_warnings() -> None:
    text = SMALL.format(rows=ROW.format(results="", plans="")).replace(
        "1 市政運営への市民参加\n", "1 市政運営への市民参加\n② 政策形成過程\n"
    )
    text = text.replace(
        "区分\t説明",
        "3 情報の共有\n" + ROW.format(results="①調査した。 ③公表した。", plans="") + "\n区分\t説明",
    )
    doc = parser.parse(text, source="s.txt")
    assert [(w.code, w.params["kind"], w.params["expected"], w.params["found"]) for w in doc.warnings] == [
        ("sequence", "subsection", 1, 2),
        ("sequence", "chapter", 2, 3),
        ("sequence", "bullet", 2, "③"),
    ]


def test_a_row_without_the_initiative_mark_is_read_with_a_warning() -> None:
    doc = _small(ROW.format(results="", plans="").removeprefix("○"))
    assert doc.initiatives[0].title == "市民意識調査"
    assert [(w.code, w.params) for w in doc.warnings] == [("uncertain_row", {"text": "市民意識調査"})]


def test_a_parenthesis_naming_a_section_and_something_else_is_a_warning() -> None:
    doc = _small(ROW.format(results="●調査を実施した。(企画課・あさなぎ応援隊員)", plans=""))
    entry = doc.initiatives[0].rows[0].results[0]
    assert entry.sections == [] and entry.text.endswith("(企画課・あさなぎ応援隊員)")
    assert [w.code for w in doc.warnings] == ["uncertain_sections"]


def test_known_sections_are_sections_whatever_their_ending() -> None:
    row = ROW.format(results="●調査を実施した。(秘書広報・企画課)", plans="")
    # Without the master, 秘書広報 has no ending of a section: it is the first half of one name.
    assert _small(row).initiatives[0].rows[0].results[0].sections == ["秘書広報・企画課"]
    doc = parser.parse(SMALL.format(rows=row), source="s.txt", known_sections=["秘書広報"])
    assert doc.initiatives[0].rows[0].results[0].sections == ["秘書広報", "企画課"]


def test_page_furniture_anywhere_and_the_legend_first_under_its_caption() -> None:
    text = (
        "『朝凪市市民参加推進指針』に基づく取組の進捗状況\n"
        "【区分の説明】\n区分\t内容\nＡ\t継続する。\n- 1 -\nＢ\t拡充する。\n"
        "１ 市政運営への市民参加\n"
        "基本的な取組\t指針の内容\t区分\t今後の方針\t令和３年度実績\t令和４年度予定\n"
        "○市民意識調査\t活用\tＡ\t継続する。\t●調査した。(企画課)\t―\n"
        "1 / 2\n『朝凪市市民参加推進指針』に基づく取組の進捗状況\n"
        "基本的な取組\t指針の内容\t区分\t今後の方針\t令和３年度実績\t令和４年度予定\n"
        "\t\tb\t拡充する。\t\t\n"
    )
    doc = parser.parse(text, source="s.txt")
    assert [(c.code, c.label) for c in doc.classifications] == [("A", "継続する。"), ("B", "拡充する。")]
    assert (doc.result_year, doc.plan_year) == (2021, 2022)
    assert [r.classification for r in doc.initiatives[0].rows] == ["A", "B"]
    assert [(i.line, i.why) for i in doc.ignored] == [
        (5, "page_footer"),
        (9, "empty_marker"),
        (10, "page_footer"),
        (11, "page_header"),
        (12, "repeated_header"),
    ]
    assert doc.warnings == [] and doc.unplaced == []

"""Format (a): the goal declaration achievement report of seed 000, and what is not one."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from shinchoku.core.figures import Figure
from shinchoku.documents.schema import ImportFormatError, ParsedGoal, ParsedGoalDeclaration
from shinchoku.imports.parsers import goal_declaration_text as parser
from shinchoku.imports.tests.seeds import GOAL_DECLARATION, GUIDELINE_PROGRESS, JUNK, cut, read_seed

SOURCE = "000.txt"


@pytest.fixture(scope="module")
def text() -> str:
    return read_seed(GOAL_DECLARATION)


@pytest.fixture(scope="module")
def doc(text: str) -> ParsedGoalDeclaration:
    return parser.parse(text, source=SOURCE)


def _goal(doc: ParsedGoalDeclaration, number: int) -> ParsedGoal:
    return next(goal for goal in doc.goals if goal.number == number)


def _figures(figures: list[Figure]) -> list[tuple[Decimal, str, bool, bool]]:
    return [(f.value, f.unit, f.approximate, f.provisional) for f in figures]


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


def test_head(doc: ParsedGoalDeclaration) -> None:
    assert doc.fiscal_year == 2016
    assert doc.title == "平成28年度 企画部長の目標宣言 達成状況報告"
    assert doc.declarer_position == "企画部長"
    assert doc.declarer_name == "山口 清治"
    assert doc.kind == "goal_declaration"


def test_ten_goals_with_inferred_numbers(doc: ParsedGoalDeclaration) -> None:
    assert [goal.number for goal in doc.goals] == list(range(1, 11))
    assert [goal.number for goal in doc.goals if goal.number_inferred] == [8, 9]
    assert [goal.line for goal in doc.goals] == [17, 65, 121, 159, 201, 245, 287, 360, 403, 463]
    # 7 is written "７": NFKC reads it, it is not inferred.
    assert not _goal(doc, 7).number_inferred


def test_titles(doc: ParsedGoalDeclaration) -> None:
    assert [goal.title for goal in doc.goals] == [
        "第5次総合計画前期基本計画・施策評価の実施",
        "第5次総合計画前期基本計画・中期戦略事業プランの進行管理の実施",
        "財政健全化の推進 (1)財政調整基金残高の確保",
        "財政健全化の推進 (2)市債残高の縮減",
        "財政健全化の推進 (3)補助金の見直し",
        "財政健全化の推進 (4)まちづくり市民ファンドの充実",  # written ﾌｧﾝﾄﾞ
        "広報活動の充実",
        "パブリシティの強化",
        "広聴活動の充実",
        "シティプロモーションの推進",
    ]


def test_sections(doc: ParsedGoalDeclaration) -> None:
    assert [goal.sections for goal in doc.goals] == [["経営企画課"]] * 2 + [["財政課"]] * 4 + [
        ["広報広聴課"]
    ] * 4


def test_column_texts_of_goal_1(doc: ParsedGoalDeclaration) -> None:
    goal = _goal(doc, 1)
    assert goal.content == (
        "・第5次総合計画前期基本計画における37本の施策や施策の目標を達成するための事業の達成状況、"
        "市民意識調査の結果などを踏まえ、所管部長による施策の内部評価と学識経験者や市民による施策の"
        "外部評価を実施し、後期基本計画の策定に向けた施策の見直しや立案に繋げていきます。"
    )
    assert goal.target_text == (
        "・外部委員で組織する(仮称)総合計画外部評価委員会による評価結果を報告書としてまとめ、公表します。"
    )
    assert goal.result_text == (
        "・庁内所管部長による内部評価とともに、学識経験者等で組織する外部評価委員会による外部評価を実施し、"
        "後期基本計画の策定に向けた施策の見直しや立案検討に繋げました。"
    )
    assert goal.direction_text == (
        "・施策評価の内容を踏まえ、後期基本計画の施策の見直しや立案に向けて、更に検討を進めます。"
    )
    assert goal.status_text == (
        "・総合計画外部評価委員会による施策評価結果を外部評価報告書としてまとめました。報告書は29年度初旬に公表します。"
    )


def test_column_boundaries(doc: ParsedGoalDeclaration) -> None:
    """Targets / results and directions / status, which no marker separates."""
    expected = {
        # number: (target bullets, result bullets, direction bullets, status bullets)
        1: (1, 1, 1, 1),
        2: (1, 1, 1, 1),
        3: (1, 1, 1, 1),
        4: (1, 1, 1, 1),
        5: (1, 1, 1, 1),
        6: (1, 1, 1, 1),
        7: (2, 3, 1, 2),
        8: (2, 2, 1, 2),
        9: (1, 2, 1, 1),
        10: (1, 2, 2, 1),
    }

    def bullets(value: str) -> int:
        return sum(1 for line in value.split("\n") if line.startswith("・"))

    for goal in doc.goals:
        counts = tuple(
            bullets(t) for t in (goal.target_text, goal.result_text, goal.direction_text, goal.status_text)
        )
        assert counts == expected[goal.number], goal.number
        for column in (
            goal.content,
            goal.target_text,
            goal.result_text,
            goal.direction_text,
            goal.status_text,
        ):
            assert column.startswith("・"), (goal.number, column)
            assert "  " not in column and not column.endswith("\n")


def test_texts_keep_lines_that_are_not_bullets(doc: ParsedGoalDeclaration) -> None:
    assert _goal(doc, 2).status_text.split("\n")[1:] == [
        "「主な事業」の概ね達成する率",
        "(H27年度) (H28年度見込)",
        "81.2% → 89.9%",
    ]
    assert _goal(doc, 4).target_text == (
        "・前年度末に対して、市債残高の縮減を目指します。\n前年度末残高:269億1千万円(平成27年度末一般会計見込み)"
    )
    assert (
        _goal(doc, 6).target_text == "・寄附金の増収を目指します。\n返礼品制度導入による寄附増収額:1000万円"
    )
    assert _goal(doc, 9).result_text.split("\n")[1:7] == [
        "①チャレンジデー参加内容報告",
        "②今年の伊勢原10大ニュース",
        "③広報いせはらの紙面充実に向けたアンケート",
        "④伊勢原の推奨度アンケート",
        "⑤伊勢原の認知度アンケート",
        "⑥総合運動公園整備に向けた要望アンケート",
    ]
    assert (
        _goal(doc, 7).status_text
        == "・公式ホームページサイトの総ページビュー数 4,238,714件\n・公式フェイスブック(いいね)数 398件"
    )
    assert _goal(doc, 10).status_text == "・認定登録数\n個人:10名\n団体:15団体"
    assert _goal(doc, 3).target_text == "・財政調整基金残高、10億円を確保します。(標準財政規模の概ね5%)"


def test_targets_and_actuals(doc: ParsedGoalDeclaration) -> None:
    yes, no = True, False
    expected = {
        1: ([], []),
        2: ([], [(Decimal("81.2"), "%", no, no), (Decimal("89.9"), "%", no, yes)]),
        3: ([(Decimal("1000000000"), "円", no, no)], [(Decimal("1277000000"), "円", yes, no)]),
        4: ([(Decimal("26910000000"), "円", no, yes)], [(Decimal("548000000"), "円", yes, yes)]),
        5: ([], [(Decimal("17546000"), "円", no, no)]),
        6: ([(Decimal("10000000"), "円", no, no)], [(Decimal("128595000"), "円", no, no)]),
        7: (
            [(Decimal("4500000"), "件", no, no), (Decimal("300"), "件", no, no)],
            [(Decimal("4238714"), "件", no, no), (Decimal("398"), "件", no, no)],
        ),
        8: (
            [(Decimal("500"), "件", no, no), (Decimal("900"), "件", no, no)],
            [(Decimal("557"), "件", no, no), (Decimal("1217"), "件", no, no)],
        ),
        9: ([(Decimal("5"), "件", no, no)], [(Decimal("6"), "件", no, no)]),
        10: (
            [(Decimal("10"), "名", no, no), (Decimal("15"), "団体", no, no)],
            [(Decimal("10"), "名", no, no), (Decimal("15"), "団体", no, no)],
        ),
    }
    for goal in doc.goals:
        assert (_figures(goal.targets), _figures(goal.actuals)) == expected[goal.number], goal.number


def test_labels(doc: ParsedGoalDeclaration) -> None:
    def labels(goal: ParsedGoal) -> tuple[list[str | None], list[str | None]]:
        return [f.label for f in goal.targets], [f.label for f in goal.actuals]

    assert labels(_goal(doc, 2)) == ([], ["H27年度", "H28年度見込"])
    assert labels(_goal(doc, 3)) == ([None], [None])  # sentences: no label given
    assert labels(_goal(doc, 4)) == (["前年度末残高"], [None])
    assert labels(_goal(doc, 6)) == (["返礼品制度導入による寄附増収額"], [None])
    views = ["公式ホームページサイトの総ページビュー数", "公式フェイスブック(いいね)数"]
    assert labels(_goal(doc, 7)) == (views, views)
    press = ["新聞社等への情報提供数", "日刊紙への記事掲載件数"]
    assert labels(_goal(doc, 8)) == (press, press)
    assert labels(_goal(doc, 9)) == (["webアンケート実施件数"], ["webアンケート実施件数"])
    assert labels(_goal(doc, 10)) == (["個人", None], ["個人", "団体"])


def test_numbers_outside_the_two_columns_are_not_figures(doc: ParsedGoalDeclaration) -> None:
    # They are in the texts, but not targets or actuals.
    assert "143%増" in _goal(doc, 8).result_text
    assert "5回企画実施しました(1回は雨天中止)" in _goal(doc, 9).result_text
    assert "37本の施策" in _goal(doc, 1).content
    assert "129本" in _goal(doc, 2).content
    # Parenthesised explanations and clauses of means in the two columns are skipped too.
    assert "(達成率70%以上)" in _goal(doc, 2).status_text
    assert "21事業の見直しにより" in _goal(doc, 5).status_text
    every = [f for goal in doc.goals for f in goal.targets + goal.actuals]
    assert not any(
        f.value in (Decimal(143), Decimal(5), Decimal(70), Decimal(21)) and f.unit != "件" for f in every
    )
    assert all(f.unit in ("円", "件", "名", "団体", "%") for f in every)


def test_nothing_unplaced(doc: ParsedGoalDeclaration) -> None:
    assert doc.unplaced == []


def test_json(doc: ParsedGoalDeclaration) -> None:
    data = json.loads(json.dumps(doc.to_json(), ensure_ascii=False))
    assert data["declarer"] == {"position": "企画部長", "name": "山口 清治"}
    assert data["goals"][3]["targets"] == [
        {
            "label": "前年度末残高",
            "value": "26910000000",
            "unit": "円",
            "approximate": False,
            "provisional": True,
        }
    ]


def test_crlf_line_breaks_give_the_same_document(text: str, doc: ParsedGoalDeclaration) -> None:
    assert parser.parse(text.replace("\n", "\r\n"), source=SOURCE).to_json() == doc.to_json()


# --- format detection ------------------------------------------------------------------


def test_looks_like(text: str) -> None:
    assert parser.looks_like(text)
    assert not parser.looks_like(read_seed(GUIDELINE_PROGRESS))
    assert not parser.looks_like("")
    assert not parser.looks_like(JUNK)
    assert not parser.looks_like("平成28年度 企画部長の目標宣言\n\n本文のみ")


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["", "\n\n  \n", " \u3000 "])
def test_empty_text(bad: str) -> None:
    with pytest.raises(ImportFormatError, match="empty") as excinfo:
        parser.parse(bad, source=SOURCE)
    _assert_error(excinfo, 1)


def test_binary_junk() -> None:
    with pytest.raises(ImportFormatError, match="not a goal declaration report") as excinfo:
        parser.parse(JUNK, source="junk.bin")
    _assert_error(excinfo, 1, source="junk.bin")


def test_truncated_at_30_percent(text: str) -> None:
    with pytest.raises(ImportFormatError, match="stops mid-sentence") as excinfo:
        parser.parse(cut(text, 0.3), source=SOURCE)
    _assert_error(excinfo, 153)  # goal 3's status, cut in its first line


def test_truncated_at_60_percent(text: str) -> None:
    with pytest.raises(
        ImportFormatError, match=r"goal 7 .*［今後の取組の方向性］ marker, found 0"
    ) as excinfo:
        parser.parse(cut(text, 0.6), source=SOURCE)
    _assert_error(excinfo, 287)  # goal 7 starts here and has no direction column


@pytest.mark.parametrize("percent", range(5, 100, 5))
def test_truncated_anywhere(text: str, percent: int) -> None:
    with pytest.raises(ImportFormatError) as excinfo:
        parser.parse(cut(text, percent / 100), source=SOURCE)
    assert excinfo.value.line is not None and excinfo.value.source == SOURCE


def test_truncated_in_a_page_header(text: str) -> None:
    """Goal 5 is complete, then the text stops inside the repeated column header."""
    lines = text.split("\n")
    with pytest.raises(ImportFormatError, match="ends in a column header") as excinfo:
        parser.parse("\n".join(lines[:237]), source=SOURCE)
    _assert_error(excinfo, 237)


def test_the_other_seed_is_not_this_layout() -> None:
    with pytest.raises(ImportFormatError, match="not a goal declaration report") as excinfo:
        parser.parse(read_seed(GUIDELINE_PROGRESS), source="004.txt")
    _assert_error(excinfo, 3, source="004.txt")


def test_missing_declarer(text: str) -> None:
    with pytest.raises(ImportFormatError, match="no declarer line") as excinfo:
        parser.parse(_replace_line(text, 3, ""), source=SOURCE)
    _assert_error(excinfo, 6)


def test_missing_column_header(text: str) -> None:
    lines = text.split("\n")
    without_header = "\n".join(lines[:5] + [""] * 10 + lines[15:])
    with pytest.raises(ImportFormatError, match="no column header") as excinfo:
        parser.parse(without_header, source=SOURCE)
    _assert_error(excinfo, 21)  # the first sections line


def test_missing_target_marker(text: str) -> None:
    assert text.split("\n")[136].strip() == "[目標値]"
    with pytest.raises(
        ImportFormatError, match=r"goal 3 .*expected one \[目標値\] marker, found 0"
    ) as excinfo:
        parser.parse(_replace_line(text, 137, ""), source=SOURCE)
    _assert_error(excinfo, 121)


def test_goal_numbers_must_increase(text: str) -> None:
    assert text.split("\n")[462].startswith("10 ")
    broken = _replace_line(text, 463, "5 シティプロモーションの推進 ")
    with pytest.raises(ImportFormatError, match="goal number 5 does not follow goal 9") as excinfo:
        parser.parse(broken, source=SOURCE)
    _assert_error(excinfo, 463)


def test_a_record_with_a_blank_status(text: str) -> None:
    """A blank 目標達成状況 cell is legitimate (nothing to report yet): read, not refused."""
    lines = text.split("\n")
    # Drop goal 5's status column (lines 229–233): the next record follows its direction.
    broken = "\n".join(lines[:228] + [""] * 5 + lines[233:])
    document = parser.parse(broken, source=SOURCE)
    goal = _goal(document, 5)
    assert goal.status_text == "" and goal.actuals == []
    assert goal.direction_text.endswith("補助金の適正化を進めます。")
    assert [g.number for g in document.goals] == list(range(1, 11))
    assert document.warnings == [] and document.unplaced == []


# --- layout learned from the document, never silently wrong (issue 11) -------------------


def test_page_furniture_is_ignored_not_warned(text: str, doc: ParsedGoalDeclaration) -> None:
    assert {(i.why) for i in doc.ignored} == {"page_header", "repeated_header"}
    assert next(i.line for i in doc.ignored if i.why == "repeated_header") == 234  # " N0." of page 2
    lines = text.split("\n")
    with_footer = "\n".join([*lines[:233], "- 1 -", *lines[233:]])  # after goal 5, before " N0."
    document = parser.parse(with_footer, source=SOURCE)
    assert [(i.line, i.why) for i in document.ignored if i.why == "page_footer"] == [(234, "page_footer")]
    assert document.to_json() == doc.to_json()
    assert document.warnings == [] and document.unplaced == []


def test_sections_of_unknown_names_are_read_with_a_warning(text: str) -> None:
    assert text.split("\n")[126].strip() == "（財政課）"
    renamed = _replace_line(text, 127, "（財政調整）")
    document = parser.parse(renamed, source=SOURCE)
    assert _goal(document, 3).sections == ["財政調整"]
    assert len(document.goals) == 10 and document.unplaced == []
    assert [(w.line, w.code, w.params["column"]) for w in document.warnings] == [
        (127, "uncertain_column", "担当課名")
    ]
    known = parser.parse(renamed, source=SOURCE, known_sections=["財政調整"])
    assert _goal(known, 3).sections == ["財政調整"] and known.warnings == []


def test_a_number_no_later_goal_confirms_is_a_warning(text: str) -> None:
    lost = _replace_line(text, 463, " シティプロモーションの推進 ")
    document = parser.parse(lost, source=SOURCE)
    assert [g.number for g in document.goals] == list(range(1, 11))
    assert [(w.code, w.params["number"]) for w in document.warnings] == [
        ("number_inferred", 8),
        ("number_inferred", 9),
        ("number_inferred", 10),
    ]


def test_a_gap_in_the_numbering_is_a_warning(text: str) -> None:
    document = parser.parse(_replace_line(text, 463, "11 シティプロモーションの推進 "), source=SOURCE)
    assert [g.number for g in document.goals][-1] == 11
    # 8 and 9 lost their numbers: 11 does not confirm them, and one goal is missing.
    assert [(w.code, w.params) for w in document.warnings] == [
        ("number_inferred", {"number": 8}),
        ("number_inferred", {"number": 9}),
        ("numbering", {"kind": "goals", "expected": 11, "found": 10}),
    ]

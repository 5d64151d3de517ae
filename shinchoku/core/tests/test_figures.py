"""Tests for shinchoku.core.figures: reading, finding and printing official figures."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shinchoku.core.figures import (
    UNITS,
    Figure,
    FigureParseError,
    find_figures,
    format_figure,
    parse_amount,
    parse_figure,
    parse_figures,
)

_FULL_WIDTH = str.maketrans("0123456789,.%", "０１２３４５６７８９，．％")


def fig(value: str | int, unit: str, **kwargs: object) -> Figure:
    return Figure(Decimal(value), unit, **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------- parse_figure


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("約１２億７，７００万円", fig(1277000000, "円", approximate=True)),
        ("269億1千万円", fig(26910000000, "円")),
        ("２６９億１千万円", fig(26910000000, "円")),
        ("1億2,859万5千円", fig(128595000, "円")),
        ("１億２，８５９万５千円", fig(128595000, "円")),
        ("１，７５４万６千円", fig(17546000, "円")),
        ("4,238,714件", fig(4238714, "件")),
        ("８１．２％", fig("81.2", "%")),
        ("450万件", fig(4500000, "件")),
        ("10 億円", fig(1000000000, "円")),
        ("10\u3000億円", fig(1000000000, "円")),
        ("3兆円", fig(3 * 10**12, "円")),
        ("1兆2,000億円", fig(1_200_000_000_000, "円")),
        ("約5億4,800万円", fig(548000000, "円", approximate=True)),
        ("約５億４，８００万円", fig(548000000, "円", approximate=True)),
        ("１０００万円", fig(10000000, "円")),
        ("1,217件", fig(1217, "件")),
        ("557件", fig(557, "件")),
        ("10名", fig(10, "名")),
        ("15団体", fig(15, "団体")),
        ("6件", fig(6, "件")),
        ("300件", fig(300, "件")),
        ("0.5%", fig("0.5", "%")),
        ("1.5万人", fig(15000, "人")),
        ("1.25万人", fig(12500, "人")),
        ("12,345千円", fig(12345000, "円")),  # budget tables count in 千円
        ("1,234百万円", fig(1234000000, "円")),
        ("1千5百万円", fig(15000000, "円")),
        ("5千円", fig(5000, "円")),
        ("37本", fig(37, "本")),
        ("21事業", fig(21, "事業")),
        ("5回", fig(5, "回")),
        ("3校", fig(3, "校")),
        ("17講座", fig(17, "講座")),
        ("120世帯", fig(120, "世帯")),
        ("2.5ha", fig("2.5", "ha")),
        ("5 km", fig(5, "km")),
        ("100㎡", fig(100, "m2")),
        ("12箇所", fig(12, "箇所")),
        ("12か所", fig(12, "箇所")),
        ("12ヶ所", fig(12, "箇所")),
        ("3ヶ月", fig(3, "か月")),
        ("1.2倍", fig("1.2", "倍")),
        ("3ポイント", fig(3, "ポイント")),
        ("50パーセント", fig(50, "%")),
        ("3時間", fig(3, "時間")),
        ("5年", fig(5, "年")),
        ("2t", fig(2, "t")),
        ("1,000", fig(1000, "")),  # a bare amount is allowed in a cell
        ("2016", fig(2016, "")),
        ("0", fig(0, "")),
        ("1,000.50円", fig("1000.50", "円")),
        ("▲5億円", fig(-500000000, "円")),
        ("△1,234千円", fig(-1234000, "円")),
        ("-0.5%", fig("-0.5", "%")),
        ("概ね 5%", fig(5, "%", approximate=True)),
        ("おおむね70%", fig(70, "%", approximate=True)),
        ("およそ300人", fig(300, "人", approximate=True)),
        ("5億円余", fig(500000000, "円", approximate=True)),
        ("5億余円", fig(500000000, "円", approximate=True)),
        ("50%強", fig(50, "%", approximate=True)),
        ("100人程度", fig(100, "人", approximate=True)),
        ("10億円見込み", fig(1000000000, "円", provisional=True)),
        ("（見込）１０億円", fig(1000000000, "円", provisional=True)),
        ("約12億7,700万円（見込）", fig(1277000000, "円", approximate=True, provisional=True)),
        ("速報値 1,234人", fig(1234, "人", provisional=True, label="速報値")),
    ],
)
def test_parse_figure(text: str, expected: Figure) -> None:
    assert parse_figure(text) == expected


def test_parse_figure_provisional_from_note_with_year() -> None:
    # seed 000, record 4: the year in the note is not a second figure
    figure = parse_figure("前年度末残高：２６９億１千万円（平成２７年度末一般会計見込み）")
    assert figure == fig(26910000000, "円", provisional=True, label="前年度末残高")


def test_parse_figure_label() -> None:
    assert parse_figure("個人：10名").label == "個人"
    assert parse_figure("・新聞社等への情報提供数  500件").label == "新聞社等への情報提供数"
    assert parse_figure("総 ペ ー ジ ビ ュ ー 数   \n4,238,714件").label == "総ページビュー数"
    assert parse_figure("（いいね）数      398件").label == "(いいね)数"
    assert parse_figure("500件").label is None


def test_parse_figure_values_are_exact_decimals() -> None:
    value = parse_figure("1億2,859万5千円").value
    assert isinstance(value, Decimal)
    assert str(value) == "128595000"  # no float artefacts, no exponent
    assert str(parse_figure("1.5万人").value) == "15000"
    assert str(parse_figure("８１．２％").value) == "81.2"
    assert str(parse_figure("0.10%").value) == "0.10"  # written precision is kept


def test_parse_figure_big_values_stay_exact() -> None:
    assert parse_figure("9,999兆9,999億9,999万9,999円").value == Decimal(10**16 - 1)


def test_concept_of_approximate_is_local() -> None:
    # 概ね達成 is a grade name, not an approximation of the figure after it
    assert parse_figure("概ね達成率 81.2%").approximate is False
    assert parse_figure("強化件数 10件").approximate is False


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("abc", "no number"),
        ("①", "no number"),
        ("億円", "no number"),
        ("約億円", "no number"),
        ("1,2,3", "not a well-formed number"),
        ("12,34円", "not a well-formed number"),
        ("1,2345円", "not a well-formed number"),
        ("12億億円", "without a number"),
        ("12万億円", "without a number"),
        ("5千千円", "without a number"),
        ("1千百万円", "without a number"),
        ("1万5億円", "cannot follow"),
        ("12億12,000万円", "too large"),
        ("1万12,000円", "too large"),
        ("1千2千円", "cannot follow"),
        ("2016年度", "no figure"),
        ("平成28年度", "no figure"),
        ("H28", "no figure"),
        ("平成28年8月", "no figure"),
        ("第5次", "no figure"),
        ("6校目", "no figure"),
        ("ISO9001", "no figure"),
        ("10 20", "found 2"),
        ("個人10名・15団体", "found 2"),
        ("８１．２％ → ８９．９％", "found 2"),
        ("1" * 41 + "円", "more than 40 digits"),
        ("2016/4/1", "looks like a date"),
        ("2016-04-01", "looks like a date"),
        ("10:30", "looks like a date"),
        ("10-20件", "range"),
        ("1/2", "looks like"),
    ],
)
def test_parse_figure_rejects(text: str, why: str) -> None:
    with pytest.raises(FigureParseError) as excinfo:
        parse_figure(text)
    message = str(excinfo.value)
    assert f"「{text}」" in message
    assert why in message


def test_figure_parse_error_is_a_value_error() -> None:
    assert issubclass(FigureParseError, ValueError)


def test_parse_amount() -> None:
    assert parse_amount("１２億７，７００万") == Decimal(1277000000)
    assert parse_amount("12億7,700万円") == Decimal(1277000000)
    with pytest.raises(FigureParseError, match="「億」"):
        parse_amount("億")


# --------------------------------------------------------------- parse_figures


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("個人10名・15団体", [fig(10, "名", label="個人"), fig(15, "団体")]),
        ("個人 10名・15団体", [fig(10, "名", label="個人"), fig(15, "団体")]),
        ("個人：10名 団体：15団体", [fig(10, "名", label="個人"), fig(15, "団体", label="団体")]),
        (
            "認定登録数  \n個人：10名 \n団体：15団体 ",
            [fig(10, "名", label="個人"), fig(15, "団体", label="団体")],
        ),
        ("８１．２％ → ８９．９％", [fig("81.2", "%"), fig("89.9", "%")]),
        ("81.2% → 89.9%（見込）", [fig("81.2", "%"), fig("89.9", "%", provisional=True)]),
        ("1,000", [fig(1000, "")]),
        (
            "・新聞社等への情報提供数  500件 \n・日刊紙への記事掲載件数  900件",
            [fig(500, "件", label="新聞社等への情報提供数"), fig(900, "件", label="日刊紙への記事掲載件数")],
        ),
    ],
)
def test_parse_figures(text: str, expected: list[Figure]) -> None:
    assert parse_figures(text) == expected


def test_parse_figures_column_heads_are_not_labels_nor_provisional_for_the_wrong_figure() -> None:
    # seed 000, record 2: the heads (H27年度) (H28年度見込) stand above the figures;
    # the 見込 inside a parenthetical does not leak onto the figure after it
    figures = parse_figures("（H２７年度）  （H２８年度見込）\n８１．２％  → ８９．９％")
    assert figures == [fig("81.2", "%"), fig("89.9", "%")]


@pytest.mark.parametrize(("text", "why"), [("", "empty"), ("abc", "no number"), ("1,2,3件", "well-formed")])
def test_parse_figures_rejects(text: str, why: str) -> None:
    with pytest.raises(FigureParseError) as excinfo:
        parse_figures(text)
    assert f"「{text}」" in str(excinfo.value)
    assert why in str(excinfo.value)


# ---------------------------------------------------------------- find_figures


def _found(text: str) -> list[tuple[str, Figure]]:
    return [(text[start:end], figure) for start, end, figure in find_figures(text)]


def test_find_figures_skips_the_year() -> None:
    text = "・平成２８年度末財政調整基金残高は、約１２億７，７００万円を確保しました。"
    assert _found(text) == [("約１２億７，７００万円", fig(1277000000, "円", approximate=True))]


def test_find_figures_provisional_from_following_parenthetical() -> None:
    text = "前年度末残高：２６９億１千万円（平成２７年度末一般会計見込み）"
    assert _found(text) == [
        ("２６９億１千万円", fig(26910000000, "円", provisional=True, label="前年度末残高")),
    ]


def test_find_figures_provisional_from_leading_clause() -> None:
    text = "平成２８年度末一般会計市債残高見込みは、前年度末に対し、約５億４，８００万円を縮減しました。"
    assert _found(text) == [
        ("約５億４，８００万円", fig(548000000, "円", approximate=True, provisional=True)),
    ]


def test_find_figures_provisional_does_not_cross_sentences_or_figures() -> None:
    text = "決算見込みを公表した。残高は10億円。見込額は5億円、実績は4億円。"
    assert [f.provisional for _, f in _found(text)] == [False, True, False]


def test_find_figures_provisional_directly_after() -> None:
    assert [f.provisional for _, f in _found("残高は10億円の見込みです。")] == [True]
    assert [f.provisional for _, f in _found("残高は10億円見込。")] == [True]
    assert [f.provisional for _, f in _found("残高は10億円（確定）で、見込みどおり。")] == [False]


def test_find_figures_later_note_does_not_make_a_definition_provisional() -> None:
    text = "目標に対して概ね達成する(達成率 70％以上)指標は、28 年度では向上する見込みです。"
    assert _found(text) == [("70％", fig(70, "%"))]


def test_find_figures_percent_increase() -> None:
    assert _found("前年比 143％増となる日刊紙への記事掲載") == [("143％", fig(143, "%"))]


def test_find_figures_pdf_line_wraps() -> None:
    # seed 000, record 5: the amount is split over two lines by the PDF extraction
    text = "２１事業の見直しにより、１，７５４\n\n万６千円を縮減しました。"
    assert _found(text) == [("２１事業", fig(21, "事業")), ("１，７５４\n\n万６千円", fig(17546000, "円"))]
    # and 28年⏎度 is a fiscal year, not 28 years
    assert _found("整理した上で、28年\n\n度の取組方針を定めました。") == []


@pytest.mark.parametrize(
    "text",
    [
        "返礼品制度を平成２８年８月に導入し",  # era year and month
        "報告書は 29年度初旬に公表します",
        "２７年度までの中期戦略事業プラン",
        "2016年に開始",
        "H28.4.1施行",
        "R2年度から",
        "令和元年5月1日",
        "4月1日から",
        "10時30分に開始",
        "第５次総合計画",
        "第4条の2第1項",
        "6校目の開校に向けて",
        "2回目の開催",
        "ISO9001の認証",
        "(1)財政調整基金",
        "② 今年の伊勢原 10大ニュース",
        "3分の1を補助",
        "1 第５次総合計画前期基本計画",
        "市内5小学校区",
        "2016/4/1に施行",
        "10:30開始",
        "",
    ],
)
def test_find_figures_ignores_dates_ordinals_and_bare_numbers(text: str) -> None:
    assert find_figures(text) == []


def test_find_figures_in_a_record_from_the_seed() -> None:
    text = (
        "・公式ホームページサイトの \n\n総 ペ ー ジ ビ ュ ー 数   \n\n4,238,714件 \n\n"
        "・公式フェイスブック \n\n（いいね）数      398件 \n"
        "・認定登録数 個人 10名・15団体 \n"
        "・また、新東名工事現場等を組み込んだツアーを 5\n\n回企画実施しました（1回は雨天中止）。"
    )
    assert _found(text) == [
        ("4,238,714件", fig(4238714, "件")),
        ("398件", fig(398, "件")),
        ("10名", fig(10, "名")),
        ("15団体", fig(15, "団体")),
        ("1回", fig(1, "回")),
    ]


def test_find_figures_spans_use_original_offsets_after_normalisation() -> None:
    text = "ﾌｧﾝﾄﾞ㍻28年度：約１，０００万円、ｶﾞｲﾄﾞ 3 回"
    found = find_figures(text)
    assert [(text[s:e], f.value, f.unit) for s, e, f in found] == [
        ("約１，０００万円", Decimal(10000000), "円"),
        ("3 回", Decimal(3), "回"),
    ]


def test_find_figures_approximate_and_negative() -> None:
    assert _found("差引 ▲1,234千円、概ね 5%の増") == [
        ("▲1,234千円", fig(-1234000, "円")),
        ("概ね 5%", fig(5, "%", approximate=True)),
    ]


def test_find_figures_skips_malformed_numbers() -> None:
    assert _found("項番1,2,3件と12億億円") == []


def test_find_figures_amount_without_unit_needs_a_big_multiplier() -> None:
    assert _found("規模は450万で") == [("450万", fig(4500000, ""))]
    assert _found("規模は450で") == []


# ---------------------------------------------------------------- format_figure


@pytest.mark.parametrize(
    ("figure", "plain", "kanji"),
    [
        (fig(1277000000, "円"), "1,277,000,000円", "12億7,700万円"),
        (fig(26910000000, "円"), "26,910,000,000円", "269億1,000万円"),
        (fig(128595000, "円"), "128,595,000円", "1億2,859万5,000円"),
        (fig(17546000, "円"), "17,546,000円", "1,754万6,000円"),
        (fig(4500000, "件"), "4,500,000件", "450万件"),
        (fig(4238714, "件"), "4,238,714件", "423万8,714件"),
        (fig(1000000000, "円"), "1,000,000,000円", "10億円"),
        (fig(3 * 10**12 + 5, "円"), "3,000,000,000,005円", "3兆5円"),
        (fig(10**16, "円"), "10,000,000,000,000,000円", "10,000兆円"),
        (fig(557, "件"), "557件", "557件"),
        (fig(1217, "件"), "1,217件", "1,217件"),
        (fig(0, "件"), "0件", "0件"),
        (fig("81.2", "%"), "81.2%", "81.2%"),
        (fig("0.5", "%"), "0.5%", "0.5%"),
        (fig("1000.50", "円"), "1,000.50円", "1,000.50円"),
        (fig("12345.6", "m2"), "12,345.6m2", "1万2,345.6m2"),
        (fig("10000.5", "円"), "10,000.5円", "1万0.5円"),
        (fig(-500000000, "円"), "▲500,000,000円", "▲5億円"),
        (fig(1000, ""), "1,000", "1,000"),
        (fig(Decimal("1.2E+3"), "円"), "1,200円", "1,200円"),
    ],
)
def test_format_figure(figure: Figure, plain: str, kanji: str) -> None:
    assert format_figure(figure) == plain
    assert format_figure(figure, style="plain") == plain
    assert format_figure(figure, style="kanji") == kanji


def test_format_figure_qualifiers() -> None:
    figure = fig(1277000000, "円", approximate=True, provisional=True, label="残高")
    assert format_figure(figure, style="kanji") == "約12億7,700万円（見込）"
    assert format_figure(figure) == "約1,277,000,000円（見込）"


def test_format_figure_rejects_unknown_style() -> None:
    with pytest.raises(ValueError, match="'roman'"):
        format_figure(fig(1, "円"), style="roman")


def test_format_figure_rejects_non_finite() -> None:
    with pytest.raises(ValueError, match="NaN"):
        format_figure(fig("NaN", "円"))


def test_units_are_canonical() -> None:
    # every canonical unit is itself a written form that maps to itself
    for canonical in set(UNITS.values()):
        assert UNITS[canonical] == canonical


# ---------------------------------------------------------------- properties


@given(st.integers(min_value=0, max_value=10**16), st.sampled_from(["plain", "kanji"]))
def test_integer_round_trip(n: int, style: str) -> None:
    text = format_figure(Figure(Decimal(n), "円"), style=style)
    assert parse_figure(text).value == n
    assert parse_figure(text.translate(_FULL_WIDTH)).value == n


@given(
    st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False, allow_infinity=False),
    st.sampled_from(["plain", "kanji"]),
)
def test_decimal_round_trip(value: Decimal, style: str) -> None:
    text = format_figure(Figure(value, "%"), style=style)
    parsed = parse_figure(text)
    assert parsed.value == value
    assert parsed.unit == "%"
    assert parse_figure(text.translate(_FULL_WIDTH)).value == value


@given(
    st.integers(min_value=0, max_value=10**16),
    st.sampled_from(sorted(set(UNITS.values()))),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["plain", "kanji"]),
)
def test_figure_round_trip(n: int, unit: str, approximate: bool, provisional: bool, style: str) -> None:
    figure = Figure(Decimal(n), unit, approximate, provisional)
    assert parse_figure(format_figure(figure, style=style)) == figure


@given(st.integers(min_value=1, max_value=10**16), st.sampled_from(["plain", "kanji"]))
def test_formatted_figures_are_found_in_prose(n: int, style: str) -> None:
    shown = format_figure(Figure(Decimal(n), "円", approximate=True), style=style)
    text = f"平成28年度末の残高は、{shown}を確保しました。"
    [(start, end, figure)] = find_figures(text)
    assert text[start:end] == shown
    assert figure.value == n and figure.approximate


@given(st.text())
def test_parse_figure_raises_only_figure_parse_error(text: str) -> None:
    try:
        figure = parse_figure(text)
    except FigureParseError as exc:
        assert f"「{text}」" in str(exc)
        return
    assert isinstance(figure.value, Decimal)


@given(st.text(alphabet="0123456789０１２３,，.．万億兆千百円件%％約見込▲- \n年度月日第平成H"))
def test_parsers_on_number_like_text(text: str) -> None:
    with contextlib.suppress(FigureParseError):
        parse_figures(text)
    previous_end = 0
    for start, end, figure in find_figures(text):
        assert previous_end <= start < end <= len(text)
        assert isinstance(figure.value, Decimal)
        previous_end = end


@given(st.text())
def test_find_figures_never_raises(text: str) -> None:
    for start, end, _ in find_figures(text):
        assert 0 <= start < end <= len(text)


# --- issue 11: 見込 in the clause or on the label, changes, ranges, rates -------------------


def test_find_figures_provisional_later_in_the_clause() -> None:
    assert [f.provisional for _, f in _found("面積は、４３１haとなる見込みです。")] == [True]
    assert [f.provisional for _, f in _found("割合は、３３％となる予定です。")] == [True]
    assert [f.provisional for _, f in _found("10億円を確保し、見込みを公表した。")] == [False]


def test_find_figures_provisional_note_on_the_label() -> None:
    assert [f.provisional for _, f in _found("観光消費額（見込）  約47億円")] == [True]
    # a note closing the figure before does not qualify the next one
    assert [f.provisional for _, f in _found("消費額 47億円（見込） 入込数 180万人")] == [True, False]


def test_find_figures_changes_and_ranges() -> None:
    assert [f.value for _, f in _found("前年度比5%減")] == [Decimal(-5)]
    assert [f.value for _, f in _found("1割減少しました")] == [Decimal(1)]
    assert [(f.value, f.unit) for _, f in _found("2件増")] == [(Decimal(2), "件")]
    assert [(f.value, f.unit) for _, f in _found("10〜20件")] == [(Decimal(10), "件"), (Decimal(20), "件")]
    assert [(f.value, f.unit) for _, f in _found("１０～２０ha")] == [
        (Decimal(10), "ha"),
        (Decimal(20), "ha"),
    ]


def test_find_figures_rate_measures_are_not_figures() -> None:
    assert [(f.value, f.unit) for _, f in _found("市民1人当たりの貸出冊数 5.5冊")] == [(Decimal("5.5"), "冊")]

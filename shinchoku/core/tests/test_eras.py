"""Tests for shinchoku.core.eras: eras, fiscal-year labels, parsing and searching."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shinchoku.core.eras import (
    ERAS,
    MAX_ERA_YEAR,
    Era,
    EraParseError,
    era_for_fiscal_year,
    era_on,
    era_year,
    format_fiscal_year,
    get_era,
    parse_fiscal_year,
    search_fiscal_year,
)

_FULL_WIDTH = str.maketrans("0123456789HRSTM", "０１２３４５６７８９ＨＲＳＴＭ")


def test_era_table_is_contiguous() -> None:
    assert [e.name for e in ERAS] == ["明治", "大正", "昭和", "平成", "令和"]
    for earlier, later in itertools.pairwise(ERAS):
        assert earlier.end is not None
        assert later.start == earlier.end + timedelta(days=1)
    assert ERAS[-1].end is None


def test_heisei_reiwa_boundary() -> None:
    heisei, reiwa = get_era("平成"), get_era("令和")
    assert heisei.end == date(2019, 4, 30)
    assert reiwa.start == date(2019, 5, 1)
    assert era_on(date(2019, 4, 30)) is heisei
    assert era_on(date(2019, 5, 1)) is reiwa
    assert era_on(date(1989, 1, 7)).name == "昭和"
    assert era_on(date(1989, 1, 8)).name == "平成"


def test_era_on_before_meiji() -> None:
    with pytest.raises(ValueError, match="1867-12-31"):
        era_on(date(1867, 12, 31))


@pytest.mark.parametrize("key", ["平成", "H", "h", "Heisei", "heisei", "Ｈ", " 平成 "])
def test_get_era_accepts_names_letters_and_romaji(key: str) -> None:
    assert get_era(key).name == "平成"


@pytest.mark.parametrize("key", ["", "X", "平", "Heisei28", "西暦"])
def test_get_era_rejects_unknown(key: str) -> None:
    with pytest.raises(EraParseError) as excinfo:
        get_era(key)
    assert f"「{key}」" in str(excinfo.value)


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("平成28年度", 2016),
        ("平成２８年度", 2016),
        ("平成３１年度", 2019),
        ("令和元年度", 2019),
        ("令和1年度", 2019),
        ("令和01年度", 2019),
        ("令和２年度", 2020),
        ("H28", 2016),
        ("H28年度", 2016),
        ("h28", 2016),
        ("R1", 2019),
        ("R元", 2019),
        ("r01", 2019),
        ("Ｈ２７年度", 2015),
        ("Ｈ２７", 2015),
        ("2016年度", 2016),
        ("２０１６年度", 2016),
        ("2016", 2016),
        ("FY2016", 2016),
        (" 平成 28 年度 ", 2016),
        ("平成二十八年度", 2016),
        ("平成三十一年度", 2019),
        ("令和元年度", 2019),
        ("昭和63年度", 1988),
        ("S63", 1988),
        ("平成元年度", 1989),
        ("㍻28年度", 2016),
        ("明治元年度", 1868),
        ("大正15年度", 1926),
        ("平成32年度", 2020),  # written before 令和 was announced
        ("平成34年度", 2022),  # end year of a 5-year plan drawn up in 2018
        ("昭和64年度", 1989),
    ],
)
def test_parse_fiscal_year(text: str, year: int) -> None:
    assert parse_fiscal_year(text) == year


def test_heisei_31_and_reiwa_1_are_the_same_year() -> None:
    assert (
        parse_fiscal_year("平成31年度") == parse_fiscal_year("令和元年度") == parse_fiscal_year("R1") == 2019
    )


@pytest.mark.parametrize(
    ("text", "context", "year"),
    [
        ("28年度", "平成", 2016),
        ("28", "H", 2016),
        ("２８年度", "h", 2016),
        ("元年度", "令和", 2019),
        ("2年度", "R", 2020),
        ("二十九年度", "平成", 2017),
        ("2016年度", "令和", 2016),  # a Gregorian year ignores the context
        ("R2", "平成", 2020),  # an explicit era wins over the context
    ],
)
def test_parse_fiscal_year_with_context_era(text: str, context: str, year: int) -> None:
    assert parse_fiscal_year(text, context_era=context) == year


def test_three_digit_era_year_with_context_is_out_of_range() -> None:
    with pytest.raises(EraParseError, match="era year 128 is out of range"):
        parse_fiscal_year("128年度", context_era="平成")


@pytest.mark.parametrize("text", ["28年度", "28", "元年度", "二十八年度"])
def test_bare_era_year_needs_context(text: str) -> None:
    with pytest.raises(EraParseError) as excinfo:
        parse_fiscal_year(text)
    message = str(excinfo.value)
    assert f"「{text}」" in message
    assert "era" in message


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("平成0年度", "no year 0"),
        ("令和0", "no year 0"),
        ("R00", "no year 0"),
        ("平成100年度", "out of range"),
        ("abc", "expected an era year"),
        ("平成年度", "expected an era year"),
        ("平成28年", "calendar year"),
        ("2016年", "calendar year"),
        ("1867年度", "out of range"),
        ("3000", "out of range"),
        ("12345", "expected an era year"),
        ("128", "era is not written"),
        ("平成28年度末", "expected an era year"),
        ("X28", "expected an era year"),
        ("平成二十十年度", "not a number"),
        ("H28.4.1", "expected an era year"),
    ],
)
def test_parse_fiscal_year_rejects(text: str, why: str) -> None:
    with pytest.raises(EraParseError) as excinfo:
        parse_fiscal_year(text)
    message = str(excinfo.value)
    assert f"「{text}」" in message
    assert why in message


def test_parse_fiscal_year_rejects_bad_context() -> None:
    with pytest.raises(EraParseError, match="context_era"):
        parse_fiscal_year("28年度", context_era="西暦")


def test_era_parse_error_is_a_value_error() -> None:
    assert issubclass(EraParseError, ValueError)


@pytest.mark.parametrize(
    ("year", "long", "short", "parts"),
    [
        # FY1912 started under 明治 (大正 from 30 Jul): 明治45年度
        (1912, "明治45年度", "M45", ("明治", 45)),
        (1913, "大正2年度", "T2", ("大正", 2)),
        # FY1926 started under 大正 (昭和 from 25 Dec): 大正15年度, there is no 昭和元年度
        (1926, "大正15年度", "T15", ("大正", 15)),
        (1927, "昭和2年度", "S2", ("昭和", 2)),
        # FY1988 runs Apr 1988–Mar 1989; 平成 began 8 Jan 1989 but the year is 昭和63年度
        (1988, "昭和63年度", "S63", ("昭和", 63)),
        (1989, "平成元年度", "H1", ("平成", 1)),
        (2016, "平成28年度", "H28", ("平成", 28)),
        (2018, "平成30年度", "H30", ("平成", 30)),
        # FY2019: 平成 for April, 令和 from 1 May; governments wrote 令和元年度
        (2019, "令和元年度", "R1", ("令和", 1)),
        (2020, "令和2年度", "R2", ("令和", 2)),
    ],
)
def test_format_fiscal_year_era_rule(year: int, long: str, short: str, parts: tuple[str, int]) -> None:
    assert format_fiscal_year(year) == long
    assert format_fiscal_year(year, short=True) == short
    assert era_year(year) == parts


def test_format_never_writes_gannen_as_1() -> None:
    assert format_fiscal_year(2019) == "令和元年度"
    assert "1年度" not in format_fiscal_year(1989)


@pytest.mark.parametrize(
    ("year", "era", "expected"),
    [
        (2019, "平成", "平成31年度"),
        (2019, "H", "平成31年度"),
        (2020, "平成", "平成32年度"),
        (1988, "平成", None),
        (1989, "昭和", "昭和64年度"),
        (2019, "令和", "令和元年度"),
    ],
)
def test_format_fiscal_year_forced_era(year: int, era: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(ValueError, match="before the 平成 era"):
            format_fiscal_year(year, era=era)
    else:
        assert format_fiscal_year(year, era=era) == expected


def test_format_fiscal_year_forced_era_short() -> None:
    assert format_fiscal_year(2019, era="平成", short=True) == "H31"


def test_format_fiscal_year_limits() -> None:
    with pytest.raises(ValueError, match="1867"):
        format_fiscal_year(1867)
    with pytest.raises(ValueError, match="beyond era year"):
        format_fiscal_year(2019 + MAX_ERA_YEAR)
    with pytest.raises(EraParseError):
        format_fiscal_year(2016, era="西暦")


def test_era_for_fiscal_year() -> None:
    assert isinstance(era_for_fiscal_year(2019), Era)
    assert era_for_fiscal_year(2018).letter == "H"
    assert era_for_fiscal_year(2019).letter == "R"


@pytest.mark.parametrize(
    ("text", "context", "year"),
    [
        ("平成30年度の取り組み実績", None, 2018),
        ("平成31年度の取り組み予定", None, 2019),
        ("（H２８年度見込）", None, 2016),
        ("（H２７年度）  （H２８年度見込）", None, 2015),
        ("報告書は 29年度初旬に公表します。", "平成", 2017),
        ("・平成２８年度末財政調整基金残高は、約１２億７，７００万円", None, 2016),
        ("前年度末残高：２６９億１千万円（平成２７\n年度末一般会計見込み）", None, 2015),
        ("返礼品制度を平成２８年８月に導入し、平成29年度から拡充", None, 2017),
        ("H28.4.1施行、R2年度から", None, 2020),
        ("令和元年度予算", None, 2019),
        ("2016年度の実績", None, 2016),
        ("対象:R1", None, 2019),
        ("第5次計画の28年度実績", "H", 2016),
        ("平成0年度ではなく平成1年度", None, 1989),
        ("平成 30 年度", None, 2018),
    ],
)
def test_search_fiscal_year(text: str, context: str | None, year: int) -> None:
    assert search_fiscal_year(text, context_era=context) == year


@pytest.mark.parametrize(
    "text",
    [
        "報告書は 29年度初旬に公表",  # era unknown
        "平成28年8月に導入",  # a date, not a fiscal year
        "H28.4.1施行",  # a date
        "１２９本の主な事業",
        "CMS5年度",  # H/R letters inside words are not eras
        "2016年",
        "",
        "年度",
    ],
)
def test_search_fiscal_year_finds_nothing(text: str) -> None:
    assert search_fiscal_year(text) is None


@given(st.integers(min_value=1868, max_value=2100))
def test_format_parse_round_trip(year: int) -> None:
    assert parse_fiscal_year(format_fiscal_year(year)) == year
    assert parse_fiscal_year(format_fiscal_year(year, short=True)) == year
    assert parse_fiscal_year(format_fiscal_year(year).translate(_FULL_WIDTH)) == year
    assert parse_fiscal_year(format_fiscal_year(year, short=True).translate(_FULL_WIDTH)) == year


@given(st.integers(min_value=1989, max_value=2100))
def test_search_finds_formatted_years(year: int) -> None:
    assert search_fiscal_year(f"・{format_fiscal_year(year)}の取り組み実績") == year
    assert search_fiscal_year(f"（{format_fiscal_year(year, short=True)}見込）") == year


@given(st.integers(min_value=1868, max_value=2100))
def test_era_year_matches_format(year: int) -> None:
    name, number = era_year(year)
    expected = f"{name}{'元' if number == 1 else number}年度"
    assert format_fiscal_year(year) == expected
    assert 1 <= number <= MAX_ERA_YEAR


@given(st.text())
def test_parse_raises_only_era_parse_error(text: str) -> None:
    try:
        year = parse_fiscal_year(text)
    except EraParseError:
        return
    assert 1868 <= year <= 2999


@given(st.text())
def test_search_never_raises(text: str) -> None:
    result = search_fiscal_year(text)
    assert result is None or 1868 <= result <= 2999

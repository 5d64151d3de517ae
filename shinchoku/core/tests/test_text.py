"""Tests for shinchoku.core.text: character normalisation, spaces, Roman numerals, JIS checks."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shinchoku.core.text import (
    is_wide,
    non_jis_x0208,
    normalize,
    normalize_mapped,
    normalize_roman,
    squash_spaces,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("まちづくり市民ﾌｧﾝﾄﾞ", "まちづくり市民ファンド"),  # seed 000, record 6
        ("ﾊﾟﾌﾞﾘｯｸｺﾒﾝﾄ", "パブリックコメント"),
        ("ｳﾞｧｲｵﾘﾝ", "ヴァイオリン"),
        ("ｰ･｢｣､｡", "ー・「」、。"),
        ("ＣＭＳ", "CMS"),
        ("ｗｅｂアンケート", "webアンケート"),
        ("１２", "12"),
        ("１，７５４万６千円", "1,754万6千円"),
        ("８１．２％", "81.2%"),
        ("（財政課）", "(財政課)"),
        ("前年度末残高：", "前年度末残高:"),
        ("４月～６月", "4月~6月"),
        ("区分Ⅱ", "区分II"),
        ("Ⅳ", "IV"),
        ("Ⅻ", "XII"),
        ("ⅲ", "iii"),
        ("㍻28年度", "平成28年度"),
        ("㋿元年度", "令和元年度"),
        ("100㎡", "100m2"),
        ("㈱", "(株)"),
        ("山口\u3000清治", "山口 清治"),
    ],
)
def test_normalize_applies_nfkc(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "kept",
    [
        "①②③④⑤⑥",  # sub-section labels in seed 004, bullets in seed 000
        "⑳㉑㊿",
        "⓪ⓐⒶ",
        "㊤㊥㊦",
        "㋐㋑",
    ],
)
def test_normalize_keeps_circled_labels(kept: str) -> None:
    assert normalize(kept) == kept
    assert normalize(f"{kept[0]} チャレンジデー参加内容報告") == f"{kept[0]} チャレンジデー参加内容報告"


@pytest.mark.parametrize("kept", ["…", "‥", "℃", "゛", "゜", "´", "¨", "″", "￣", "￥", "\u212b", "‾"])
def test_normalize_keeps_jis_symbols_nfkc_would_rewrite(kept: str) -> None:
    assert unicodedata.normalize("NFKC", kept) != kept  # the exception is real
    assert normalize(f"気温30{kept}以上") == f"気温30{kept}以上"


def test_normalize_leaves_japanese_punctuation_alone() -> None:
    text = "「主な事業」の達成、『指針』【重要】・〜ー。"
    assert normalize(text) == text


def test_normalize_mixed_line_from_seed() -> None:
    raw = "・また、ＣＭＳの特性を活かし、① まちづくり市民ﾌｧﾝﾄﾞ（Ⅱ）…２８年度"
    assert normalize(raw) == "・また、CMSの特性を活かし、① まちづくり市民ファンド(II)…28年度"


def test_normalize_empty() -> None:
    assert normalize("") == ""


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(st.text())
def test_normalize_never_drops_circled_numbers(text: str) -> None:
    circled = [c for c in text if "\u2460" <= c <= "\u2473"]
    assert [c for c in normalize(text) if "\u2460" <= c <= "\u2473"] == circled


_JAPANESE_ALPHABET = (
    "あいうかがぱアイウカガパヴー・、。「」（）：，．％＄ＡＺａｚ０９"
    "ｱｲｳｶﾞﾊﾟﾌｧﾝﾄﾞｰ･｢｣ﾞﾟ漢字平成年度万億兆円①②⑳ⅡⅣⅻ㍻㋿㎡…℃゛ \u3000\n\tabcXYZ0123456789,.%"
)


@given(st.text(alphabet=_JAPANESE_ALPHABET))
def test_normalize_mapped_agrees_with_normalize(text: str) -> None:
    mapped = normalize_mapped(text)
    assert mapped.text == normalize(text)
    assert len(mapped.starts) == len(mapped.ends) == len(mapped.text)
    # every normalised character comes from a non-empty original span, in order
    for k in range(len(mapped.text)):
        assert 0 <= mapped.starts[k] < mapped.ends[k] <= len(text)
        if k:
            assert mapped.starts[k] >= mapped.starts[k - 1]


def test_normalize_mapped_spans_point_into_the_original() -> None:
    text = "ﾌｧﾝﾄﾞ１２億円㍻"
    mapped = normalize_mapped(text)
    assert mapped.text == "ファンド12億円平成"
    assert mapped.span(3, 4) == (3, 5)  # ド came from ﾄﾞ
    assert text[slice(*mapped.span(4, 8))] == "１２億円"
    assert mapped.span(8, 10) == (9, 10)  # both characters of 平成 came from ㍻
    assert mapped.span(10, 10) == (10, 10)  # an empty span at the end


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("第 5次", "第5次"),
        ("29 年度", "29年度"),
        ("総 ペ ー ジ ビ ュ ー 数", "総ページビュー数"),
        ("Web アンケート", "Webアンケート"),
        ("ICT system", "ICT system"),
        ("ICT  \u3000 system", "ICT system"),
        ("81.2%  → 89.9%", "81.2% → 89.9%"),
        ("10 億円", "10億円"),
        ("① チャレンジデー", "①チャレンジデー"),
        ("標準財政規模の概ね\u30005%", "標準財政規模の概ね5%"),
    ],
)
def test_squash_spaces(raw: str, expected: str) -> None:
    assert squash_spaces(raw) == expected


def test_squash_spaces_keeps_line_structure() -> None:
    # tabs are column separators in seed 004, newlines separate lines, and the
    # indentation/trailing spaces of a line are not between two characters
    text = "  平成 30年度\t区分 II \n 総 数  \n"
    assert squash_spaces(text) == "  平成30年度\t区分II \n 総数  \n"


def test_squash_spaces_does_not_normalise_characters() -> None:
    assert squash_spaces("ＣＭＳ の 特性") == "ＣＭＳの特性"


def test_is_wide() -> None:
    assert is_wide("漢") and is_wide("ア") and is_wide("Ａ") and is_wide("、")
    assert not is_wide("A") and not is_wide("1") and not is_wide("ｱ")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ⅱ", "II"),
        ("II", "II"),
        ("ＩＩ", "II"),
        ("ⅱ", "II"),
        ("ii", "II"),
        (" Ⅲ ", "III"),
        ("Ⅳ", "IV"),
        ("IV", "IV"),
        ("Ⅴ", "V"),
        ("Ⅸ", "IX"),
        ("Ⅻ", "XII"),
        ("ⅻ", "XII"),
        ("XIV", "XIV"),
    ],
)
def test_normalize_roman(raw: str, expected: str) -> None:
    assert normalize_roman(raw) == expected


def test_normalize_roman_covers_every_unicode_numeral_sign() -> None:
    canonical = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
    for offset, expected in enumerate(canonical):
        assert normalize_roman(chr(0x2160 + offset)) == expected
        assert normalize_roman(chr(0x2170 + offset)) == expected


@pytest.mark.parametrize("bad", ["", "  ", "IIII", "VX", "IIV", "2", "A", "Ⅱa", "区分Ⅱ", "I I"])
def test_normalize_roman_rejects(bad: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        normalize_roman(bad)
    assert repr(bad) in str(excinfo.value)


def test_non_jis_x0208_reports_positions() -> None:
    text = "①まちづくり市民ﾌｧﾝﾄﾞ（区分Ⅱ）髙橋"
    assert non_jis_x0208(text) == [
        (0, "①"),  # NEC special
        (8, "ﾌ"),  # half-width katakana (JIS X 0201 kana, not Roman)
        (9, "ｧ"),
        (10, "ﾝ"),
        (11, "ﾄ"),
        (12, "ﾞ"),
        (16, "Ⅱ"),  # NEC special
        (18, "髙"),  # IBM extension
    ]


@pytest.mark.parametrize(
    "fine",
    [
        "平成２８年度 企画部長の目標宣言 達成状況報告",
        "ASCII text, digits 0123 and symbols !@#$%^&*()",
        "line\nbreak\tand tab\r\n",
        "¥‾",  # JIS X 0201 Roman
        "ＣＭＳ（１２）「」『』【】・…℃〜",
        "",
    ],
)
def test_non_jis_x0208_accepts_jis_text(fine: str) -> None:
    assert non_jis_x0208(fine) == []


@pytest.mark.parametrize(
    "bad", ["①", "⑳", "Ⅱ", "ⅱ", "㈱", "㍻", "㎡", "髙", "﨑", "ｱ", "😀", "～", "\u00a0", "é"]
)
def test_non_jis_x0208_flags(bad: str) -> None:
    assert non_jis_x0208(f"あ{bad}い") == [(1, bad)]


def test_normalized_text_is_more_jis_clean_but_keeps_labels() -> None:
    # normalising fixes half-width kana and Roman numerals, but circled labels
    # stay flagged: replacing them is an editorial decision
    text = "① ﾌｧﾝﾄﾞ Ⅱ"
    assert non_jis_x0208(normalize(text)) == [(0, "①")]

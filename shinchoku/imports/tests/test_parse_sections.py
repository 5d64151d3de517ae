"""Section names in a bullet's trailing parentheses (shinchoku.imports.parsers.sections)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shinchoku.imports.parsers.sections import (
    ORGANISATION_SUFFIXES,
    SEPARATORS,
    is_organisation_name,
    split_sections,
    split_trailing_sections,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("市民協働課", ["市民協働課"]),
        ("市民協働課・教育指導課", ["市民協働課", "教育指導課"]),
        ("市民協働課、教育指導課", ["市民協働課", "教育指導課"]),
        ("人権・広聴相談課", ["人権・広聴相談課"]),
        ("市野球協会学童部・国際交流委員会", ["市野球協会学童部", "国際交流委員会"]),
        ("人権・広聴相談課・市民協働課", ["人権・広聴相談課", "市民協働課"]),
        ("市民協働課、人権・広聴相談課", ["市民協働課", "人権・広聴相談課"]),
        ("市民活動サポートセンター・文書法制課", ["市民活動サポートセンター", "文書法制課"]),
        (" 経営企画課 ", ["経営企画課"]),
        ("財政課・・広報広聴課", ["財政課", "広報広聴課"]),
        ("", []),
    ],
)
def test_split_sections(text: str, expected: list[str]) -> None:
    assert split_sections(text) == expected


def test_a_fragment_without_suffix_at_the_end_stays_a_name() -> None:
    # Nothing follows it to join with: keep it rather than drop it.
    assert split_sections("市民協働課・ボランティア") == ["市民協働課", "ボランティア"]
    assert split_sections("人権・") == ["人権"]


@pytest.mark.parametrize(
    ("bullet", "expected"),
    [
        ("…を実施した。(市民協働課)", ("…を実施した。", ["市民協働課"])),
        ("…を実施した。（市民協働課）", ("…を実施した。", ["市民協働課"])),
        ("…を実施した。(市民協働課) ", ("…を実施した。", ["市民協働課"])),
        (
            "「チャレンジしよう! 国際交流2019」の協定を締結した。(市民協働課・教育指導課)",
            ("「チャレンジしよう! 国際交流2019」の協定を締結した。", ["市民協働課", "教育指導課"]),
        ),
        ("活用を図った。(人権・広聴相談課)", ("活用を図った。", ["人権・広聴相談課"])),
        ("継続実施した。", ("継続実施した。", [])),
        # Parentheses inside the sentence are not sections...
        (
            "条例(案)について、パブリックコメントを実施した。(商工観光課)",
            ("条例(案)について、パブリックコメントを実施した。", ["商工観光課"]),
        ),
        # ... nor is a trailing parenthesis that names no organisation.
        ("階層別研修(17講座)", ("階層別研修(17講座)", [])),
        ("計画(案)", ("計画(案)", [])),
        ("(市民協働課)", ("", ["市民協働課"])),
    ],
)
def test_split_trailing_sections(bullet: str, expected: tuple[str, list[str]]) -> None:
    assert split_trailing_sections(bullet) == expected


def test_is_organisation_name() -> None:
    assert is_organisation_name("国際交流委員会")
    assert is_organisation_name("市民活動サポートセンター")
    assert not is_organisation_name("人権")
    assert not is_organisation_name("17講座")
    assert not is_organisation_name("")


# --- properties ------------------------------------------------------------------------

_STEM_CHARS = st.characters(
    codec="utf-8",
    categories=("Lo", "Lu", "Nd"),
    exclude_characters=SEPARATORS + "()（）",
)
_names = st.builds(
    lambda stem, suffix: stem + suffix,
    st.text(_STEM_CHARS, min_size=1, max_size=8),
    st.sampled_from(ORGANISATION_SUFFIXES),
)


@given(st.lists(_names, min_size=1, max_size=5), st.data())
def test_names_joined_by_any_separator_split_back(names: list[str], data: st.DataObject) -> None:
    separators = data.draw(
        st.lists(st.sampled_from("・、"), min_size=len(names) - 1, max_size=len(names) - 1)
    )
    text = names[0] + "".join(sep + name for sep, name in zip(separators, names[1:], strict=True))
    assert split_sections(text) == names


@given(st.text(max_size=40))
def test_split_loses_no_character(text: str) -> None:
    """Apart from separators and blanks, the names hold exactly the input's characters."""

    def bare(value: str) -> str:
        return re.sub(f"[{SEPARATORS}\\s]", "", value)

    names = split_sections(text)
    assert bare("".join(names)) == bare(text)
    # Every name but the last is complete: a fragment without a suffix joined the next one.
    assert all(is_organisation_name(name) for name in names[:-1])


@given(
    st.text(st.characters(codec="utf-8", exclude_characters="()（）"), max_size=30),
    st.lists(_names, min_size=1, max_size=3),
    st.sampled_from([("(", ")"), ("（", "）")]),
)
def test_trailing_sections_round_trip(sentence: str, names: list[str], parens: tuple[str, str]) -> None:
    bullet = f"{sentence}{parens[0]}{'・'.join(names)}{parens[1]}"
    assert split_trailing_sections(bullet) == (sentence.strip(), names)


@given(st.text(max_size=40))
def test_without_sections_the_bullet_is_returned_whole(bullet: str) -> None:
    text, sections = split_trailing_sections(bullet)
    if not sections:
        assert text == bullet.strip()
    else:
        assert bullet.strip().startswith(text)


# --- other cities' names (issue 11) --------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "協働推進担当",
        "地域包括ケア担当",
        "危機管理監",
        "秘書広報室",
        "庶務係",
        "情報政策グループ",
        "消費生活センター",
        "議会事務局",
        "消防本部",
        "中央図書館",
        "保健所",
        "朝凪市社会福祉協議会",
        "会計管理者",
        "庁内推進会議",
    ],
)
def test_names_of_other_cities_sections(name: str) -> None:
    assert is_organisation_name(name)
    assert split_trailing_sections(f"…を実施した。({name})") == ("…を実施した。", [name])


@pytest.mark.parametrize(
    "words", ["説明会", "令和5年4月開館", "市内3か所", "一部", "第1会議室", "第3回総会", "各課", "料理教室"]
)
def test_words_with_a_suffix_that_name_no_body(words: str) -> None:
    assert not is_organisation_name(words)
    assert split_trailing_sections(f"…を実施した({words})") == (f"…を実施した({words})", [])


def test_known_sections_come_first() -> None:
    known = ["秘書広報", "総務・人事"]
    assert is_organisation_name("秘書広報", known_sections=known)
    assert not is_organisation_name("秘書広報")
    assert split_sections("総務・人事・企画課", known_sections=known) == ["総務・人事", "企画課"]
    assert split_trailing_sections("…した。(秘書広報、企画課)", known_sections=known) == (
        "…した。",
        ["秘書広報", "企画課"],
    )
    # Names are compared normalised: full-width and blanks do not matter.
    assert is_organisation_name("ＤＸ推進", known_sections=["DX 推進"])

"""Municipality names in Japanese text: 伊勢原市, みどり市, 四日市市, 愛川町, 中央区.

Japanese has no spaces between words, and 市 (city), 町 (town), 村 (village) and 区
(ward) also begin or end everyday words: 市民, 市役所, 市内, 市長, 都市, 地区, 市町村.
So a name is found in two ways:

* **known names** (the municipalities in the database, and the one importing) are
  found wherever they occur, exactly: they are the reliable evidence;
* **other names** are guessed from their shape: a stem of name characters that ends
  in 市/町/村/区, with words that are not municipalities ruled out (本市, 都市, 地区,
  公募市民, 市債 …). Two strengths of guessing:

  - ``Scan.HEAD`` for a title or a header line, where a name stands at the start of
    a phrase (``『厚木市市民協働推進指針』``, ``令和6年度 厚木市企画部長の…``): kanji,
    hiragana (``みどり市``) or katakana stems, from a phrase boundary;
  - ``Scan.BODY`` for the text of the records, where a city is mentioned in passing
    (``●厚木市との連携``): only stems of two or more kanji, never followed by a word
    such as 市民 or 市債 that would make the stem a common noun (``公募市民``,
    ``一般会計市債``). Hiragana stems are not guessed there: in running text they are
    particles and verb endings (``抽出した市民``, ``年度内に市ホームページ``).

A name guessed where a known name also matches is dropped: the known one is exact.
Some real names cannot be guessed (伊豆の国市 with its particle, 南アルプス市 mixing
kanji and katakana): they are found only when they are in the database.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from shinchoku.core.text import normalize

SUFFIXES = "市町村区"

# Characters of a name. ヶ/ケ/ヵ appear inside kanji names (茅ヶ崎市, 鎌ケ谷市); 々 (佐々木) too.
_KANJI = "\u3005\u3006\u30b1\u30f5\u30f6\u4e00-\u9fff"
_KANA = "\u3041-\u3096\u30a1-\u30fa\u30fc"
_KANJI_RE = re.compile(f"[{_KANJI}]")
_KANA_RE = re.compile(f"[{_KANA}]")
# The longest names have six characters before the suffix (いちき串木野市, かすみがうら市);
# one more lets a short prefecture before a name be seen and cut off (神奈川県伊勢原市).
_MAX_STEM = 7

# What may stand right before a name in a title: the start, a blank, a bracket or a mark,
# or the end of a year or an ordinal (令和6年度厚木市…, 第2次伊勢原市総合計画).
_BOUNDARY_CHARS = frozenset(" \t『「（(【［[〔<＜、,・:：/／-")
_BOUNDARY_WORDS = ("年度", "次", "期")

# A prefecture or district before the name (神奈川県伊勢原市, 愛甲郡愛川町) is not part of it.
_PREFIX_RE = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,3}県|東京都|京都府|大阪府|北海道)?(?:[\u4e00-\u9fff]{1,4}郡)?"
)
# An ordinal or a year before the name in running text (第二次伊勢原市…, 23回伊勢原市…).
_ORDINAL_RE = re.compile(r"^(?:第[〇一二三四五六七八九十百]+[次期回])")
_COUNTERS = ("年度", "年", "次", "期", "回", "号")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The suffix followed by these still names the city (伊勢原市民 = the citizens of 伊勢原市),
# but in running text a stem before them is as often a common word (公募市民, 全市内).
_CITY_WORDS = _words(
    "市民 市内 市外 市長 市政 市立 市役 市議 市職 市営 市道 市域 市制 市有 市町 市区 "
    "町民 町内 町長 町政 町立 町役 町議 町営 町村 村民 村内 村長 村政 村立 村役 村議 "
    "区民 区内 区長 区政 区立 区役 区議 区市"
)
# The suffix followed by these makes a common noun: 中心市街地, 一般会計市債, 区分, 区域.
_COMMON_WORDS = _words("市街 市場 市債 市税 市況 市販 市井 区分 区域 区間 区画 区別 区切 町並 町家 村落")
# After a suffix, these mean the name went on (四日市市) unless they are one of the words above.
_WORDS_AFTER = _CITY_WORDS | _COMMON_WORDS

# Stems that are words, not names, before any suffix (本市 = this city, 近隣市町, 市町村 …).
_STOP_STEMS = _words(
    "本 当 同 全 各 他 両 新 旧 県 道 府 郡 市 町 区 近隣 周辺 県内 県外 全国 国内 隣接 近接 "
    "関係 構成 域内 管内 政令 中核 特例 一般 公募 市町 市区町 区市町 各市町"
)
# Stems that are words before one suffix only: 都市 (but 港区), 下町, 農村, 地区 (but 地 is no city).
_STOP_STEMS_BEFORE: dict[str, frozenset[str]] = {
    "市": _words("都 大都 首都 朝 見本 中心"),
    "町": _words("下 港 城下 門前 宿場"),
    "村": _words("農 漁 山 選手"),
    "区": _words("地 学 校 特 選挙 行政"),
}
# Stems ending like this are words too: 政令指定都市, 景観重点地区, 小学校区, 近隣市町村.
_STOP_ENDINGS: dict[str, tuple[str, ...]] = {
    "市": ("指定都", "政令", "近隣", "周辺"),
    "町": ("市", "城下", "門前", "宿場", "商店"),
    "村": ("市町", "区町"),  # not 山: 高山村 is a village
    "区": ("地", "校", "学", "選挙", "行政", "特", "管", "鉱", "漁", "教", "街"),
}
# Hiragana that end a phrase rather than a name: particles and verb endings (における市民).
_KANA_ENDINGS = (*"のにとやはがをでへもるたてなず", "より", "など", "から", "まで")


class Scan(enum.Enum):
    HEAD = "head"
    BODY = "body"


@dataclass(frozen=True)
class Found:
    """A name at ``start:end`` of the (normalised) text it was found in."""

    name: str
    start: int
    end: int
    known: bool


def fold(text: str) -> str:
    """The form texts are searched in: NFKC, and ヶ/ヵ written as ケ/カ (茅ヶ崎市 = 茅ケ崎市)."""
    return normalize(text).replace("ヶ", "ケ").replace("ヵ", "カ")


def name_key(name: str) -> str:
    """The form names are compared in."""
    return fold(name).strip()


def find_names(text: str, known: Iterable[str], scan: Scan) -> list[Found]:
    """The names in ``fold(text)``, in order: known ones, and guessed ones that overlap none of them.

    Positions are in ``fold(text)``.
    """
    text = fold(text)
    found = list(_known(text, known))
    taken = [(f.start, f.end) for f in found]
    for guess in _guessed(text, scan):
        if not any(guess.start < end and start < guess.end for start, end in taken):
            found.append(guess)
    return sorted(found, key=lambda f: f.start)


def _known(text: str, names: Iterable[str]) -> Iterator[Found]:
    """Every occurrence of a known name; the longest wins where two overlap."""
    keys = sorted({name_key(n) for n in names if n.strip()}, key=len, reverse=True)
    taken: list[tuple[int, int]] = []
    for key in keys:
        for match in re.finditer(re.escape(key), text):
            start, end = match.span()
            if not any(start < e and s < end for s, e in taken):
                taken.append((start, end))
                yield Found(key, start, end, known=True)


def _guessed(text: str, scan: Scan) -> Iterator[Found]:
    """Names guessed by their shape (rules in the module docstring), left to right."""
    last_end = 0
    for index, char in enumerate(text):
        if char not in SUFFIXES:
            continue
        follower = text[index + 1 : index + 3]
        # 四日市市総合計画: the first 市 is inside the name, which ends at the next one.
        # 伊勢原市市民: 市民 follows, so the name ends here.
        if follower[:1] and follower[:1] in SUFFIXES and follower not in _WORDS_AFTER:
            continue
        start = _stem_start(text, index, last_end, scan)
        if start is None:
            continue
        stem = text[start:index]
        if len(stem) == 1 and not _at_boundary(text, start):
            continue  # テーマ別市民: one kanji glued to a word is a suffix of that word (津市 stands alone)
        if _acceptable(stem, text[index : index + 2], scan):
            last_end = index + 1
            yield Found(stem + char, start, index + 1, known=False)


def _stem_start(text: str, index: int, floor: int, scan: Scan) -> int | None:
    """Where the stem of a name ending at ``index`` starts, or None if there is none."""
    start = index
    while start > max(floor, index - _MAX_STEM) and _KANJI_RE.match(text[start - 1]):
        start -= 1
    if start < index:
        start += _prefix_length(text, start, index)
        if text[index] == "区" and "市" in text[start:index]:
            start += text[start:index].rindex("市") + 1  # 横浜市中区: the ward is 中区
        return start if start < index else None
    if scan is Scan.BODY:
        return None
    # Kana stems (みどり市) only from a boundary: elsewhere they are the end of a phrase.
    while start > max(floor, index - _MAX_STEM) and _KANA_RE.match(text[start - 1]):
        start -= 1
    if start == index or not _at_boundary(text, start):
        return None
    return start


def _prefix_length(text: str, start: int, index: int) -> int:
    """Characters of a prefecture, district, ordinal or counter before the name itself."""
    run = text[start:index]
    prefix = _PREFIX_RE.match(run)
    length = prefix.end() if prefix else 0
    ordinal = _ORDINAL_RE.match(run[length:])
    if ordinal:
        length += ordinal.end()
    elif start > 0 and text[start - 1].isdigit():
        # 第2次伊勢原市, 平成28年度伊勢原市: a counter after a digit is not the name.
        length += next((len(c) for c in _COUNTERS if run[length:].startswith(c)), 0)
    return length


def _at_boundary(text: str, start: int) -> bool:
    if start == 0 or text[start - 1] in _BOUNDARY_CHARS:
        return True
    return any(text[:start].endswith(word) for word in _BOUNDARY_WORDS)


def _acceptable(stem: str, pair: str, scan: Scan) -> bool:
    """False for stems and contexts that make a common word rather than a name.

    ``pair`` is the suffix and the character after it (市民, 市債, 市と).
    """
    suffix = pair[0]
    if stem in _STOP_STEMS or stem in _STOP_STEMS_BEFORE[suffix] or stem.endswith(_STOP_ENDINGS[suffix]):
        return False
    if pair in _COMMON_WORDS:
        return False
    if _KANA_RE.match(stem[-1]):
        return len(stem) >= 2 and not stem.endswith(_KANA_ENDINGS)
    if scan is Scan.BODY:
        return len(stem) >= 2 and pair not in _CITY_WORDS
    return True

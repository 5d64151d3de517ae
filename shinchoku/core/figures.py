"""Figures (数値) as Japanese official documents write them.

A figure is an exact decimal value with a unit and two qualifiers:
``約１２億７，７００万円`` is 1,277,000,000 円, approximate; ``２６９億１千万円
（平成２７年度末一般会計見込み）`` is 26,910,000,000 円, provisional (見込 = projected,
not final). Values are ``Decimal`` and all arithmetic is exact: no floats anywhere.

Reading numbers
===============

Text is normalised first (``text.normalize``: full-width digits, commas and ``％``
become ASCII). A number is then a sequence of *sections* with descending big
multipliers 兆 (10^12) > 億 (10^8) > 万 (10^4) > none; a section is digits (commas
every three digits, optional decimals) optionally followed by 千 or 百, and may
continue with smaller terms (``1千5百万``). Examples:
``12億7,700万`` · ``269億1千万`` · ``1億2,859万5千`` · ``12,345千円`` (= 12,345,000 円,
the budget convention) · ``1.5万`` · ``10 億`` (spaces before a multiplier are PDF noise).
After the first section, a section must be smaller than the multiplier before it
(``12億12,000万`` is a typo for 13億2,000万 and is rejected), and a multiplier
cannot repeat (``12億億円``). In prose a PDF line wrap may sit between a number
and its multiplier (``１，７５４⏎万６千円``). ``▲``/``△``/``-`` before a number make it negative
(the accounting convention for 減).

Units
=====

Only words in ``UNITS`` count as units; some spellings are canonicalised
(``ヶ所``/``か所``/``カ所`` → ``箇所``, ``％``/``パーセント`` → ``%``, ``ヶ月`` → ``か月``,
``トン`` → ``t``). ASCII units must not run into further letters (``5 m`` but not
``5 min``). ``千円``/``百万円`` are multipliers followed by ``円``.

Qualifiers
==========

*Approximate*: ``約``, ``概ね``, ``おおむね``, ``およそ``, ``凡そ``, ``ほぼ``, ``概算`` just before
the number, or ``程度``, ``前後``, ``余``/``余り``, ``強``, ``弱`` just after it (``5億円余``,
``50%強``). "Just" means only spaces in between: ``概ね達成 81.2%`` is a grade name,
not an approximation.

*Provisional* (markers ``見込``, ``速報``, ``暫定``):

- ``parse_figure`` — the text holds one figure, so a marker anywhere makes it
  provisional (``２６９億１千万円（平成２７年度末一般会計見込み）``).
- ``find_figures`` / ``parse_figures`` — a marker qualifies a figure when it is
  (a) in the text leading up to it, since the later of the start of the sentence
  (after ``。！？`` or a line-start bullet ``・●○◎``) and the previous figure,
  not counting text inside parentheses, which qualifies what it follows
  (``市債残高見込みは、…約５億４，８００万円``);
  (b) in the parenthetical right after it (``…万円（…見込み）``); or
  (c) right after it (``10億円見込み``, ``10億円の見込み``), or anywhere in the rest
  of its clause, up to the next ``、`` or ``。`` (``431haとなる見込みです``,
  ``33%となる予定です``); or
  (d) in a parenthetical that holds nothing but a marker, on its label
  (``観光消費額（見込）  約47億円``).

``予定`` (planned) is a marker too.

Changes and ranges
==================

``▲20件`` and ``5%減`` are decreases: negative values (``1割減少``, ``減らす`` are
verbs and leave the value as written); ``2件増`` is ``2件``. In a range
``10〜20件`` (or ``10～20件``) the lower end takes the unit of the upper: two figures.
A number followed by ``当たり`` (``1人当たり``) measures a rate and is not a figure.

What is not a figure
====================

In prose (``find_figures``) a number is a figure only if it has a unit or a
万/億/兆 multiplier, so list numbers, ``(1)``, ``10大ニュース`` and ``第4条の2`` are
skipped. Always skipped: dates and fiscal years (a number after an era name or
letter — ``平成28``, ``H28`` — or followed by ``年度``, ``月``, ``年`` + month, a
4-digit year followed by ``年``, a day ``N月N日``, a time ``N時N分``), ordinals
(``第5次``, ``6校目``), fractions (``3分の1``), numbers glued to Latin letters
(``ISO9001``) and numbers joined by ``/ - :`` (``2016/4/1``, ``10:30``, ``10-20``;
these are errors in ``parse_figure``). ``parse_figure`` and ``parse_figures`` read a cell that is meant
to hold figures, so there a bare number (``1,000``) is a figure with unit ``""``.
"""

from __future__ import annotations

import bisect
import decimal
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from shinchoku.core.eras import ERAS
from shinchoku.core.messages import Message, MessageError
from shinchoku.core.messages import message as _
from shinchoku.core.text import normalize, normalize_mapped, squash_spaces

__all__ = [
    "APPROXIMATE_PREFIXES",
    "APPROXIMATE_SUFFIXES",
    "PROVISIONAL_MARKERS",
    "UNITS",
    "Figure",
    "FigureParseError",
    "amount_style",
    "find_figures",
    "format_amount",
    "format_figure",
    "parse_amount",
    "parse_figure",
    "parse_figures",
]


@dataclass(frozen=True)
class Figure:
    """An exact value with its unit, as read from or printed to a document."""

    value: Decimal
    unit: str
    approximate: bool = False
    provisional: bool = False
    label: str | None = None


class FigureParseError(MessageError, ValueError):
    """A text could not be read as a figure; ``message`` quotes it and says why (``str()``: in English)."""


# Written form → canonical unit. Longest forms are tried first, so 団体 wins over
# 団 and 時間 over 時 (which is not a unit: 10時 is a time of day).
UNITS: dict[str, str] = {
    # money and ratios
    "円": "円",
    "%": "%",
    "パーセント": "%",
    "ポイント": "ポイント",
    "pt": "ポイント",
    "倍": "倍",
    "割": "割",
    # counts
    "件": "件",
    "名": "名",
    "人": "人",
    "団体": "団体",
    "回": "回",
    "本": "本",
    "校": "校",
    "講座": "講座",
    "事業": "事業",
    "世帯": "世帯",
    "台": "台",
    "箇所": "箇所",
    "か所": "箇所",
    "ヶ所": "箇所",
    "ケ所": "箇所",
    "カ所": "箇所",
    "ヵ所": "箇所",
    "社": "社",
    "店": "店",
    "店舗": "店舗",
    "施設": "施設",
    "戸": "戸",
    "棟": "棟",
    "区画": "区画",
    "冊": "冊",
    "部": "部",
    "枚": "枚",
    "個": "個",
    "点": "点",
    "項目": "項目",
    "品目": "品目",
    "種類": "種類",
    "地区": "地区",
    "路線": "路線",
    "便": "便",
    "席": "席",
    "園": "園",
    "館": "館",
    "組": "組",
    "課": "課",
    "者": "者",
    "機関": "機関",
    "頭": "頭",
    # durations and ages
    "年": "年",
    "年間": "年間",
    "か月": "か月",
    "ヶ月": "か月",
    "ケ月": "か月",
    "カ月": "か月",
    "ヵ月": "か月",
    "箇月": "か月",
    "週": "週",
    "週間": "週間",
    "日": "日",
    "日間": "日間",
    "時間": "時間",
    "分": "分",
    "秒": "秒",
    "歳": "歳",
    # measures (㎡ and friends arrive as m2 … after NFKC)
    "ha": "ha",
    "ヘクタール": "ha",
    "km": "km",
    "キロメートル": "km",
    "km2": "km2",
    "m": "m",
    "メートル": "m",
    "m2": "m2",
    "平方メートル": "m2",
    "m3": "m3",
    "cm": "cm",
    "mm": "mm",
    "t": "t",
    "トン": "t",
    "t-CO2": "t-CO2",
    "kg": "kg",
    "g": "g",
    "kW": "kW",
    "kWh": "kWh",
    "MW": "MW",
    "MWh": "MWh",
    "L": "L",
}
_UNIT_FORMS = sorted(UNITS, key=len, reverse=True)

APPROXIMATE_PREFIXES = ("約", "概ね", "おおむね", "およそ", "凡そ", "ほぼ", "概算")
APPROXIMATE_SUFFIXES = ("程度", "前後", "余り", "余", "強", "弱")
PROVISIONAL_MARKERS = ("見込", "速報", "暫定", "予定")
# A parenthetical holding nothing but a marker, on a label: 観光消費額（見込）  約47億円.
_MARKER_NOTE = re.compile(r"\((?:見込み?値?|速報値?|暫定値?|予定値?)\)")
# Words that go on a figure's clause up to the next 、 or 。: となる見込み, となる予定.
_CLAUSE_END = re.compile(r"[、。,!?！？\n]")

_BIG = {"万": 10**4, "億": 10**8, "兆": 10**12}
_SMALL = {"千": 1000, "百": 100}
_NEGATIVE = "▲△-−"
_SIGNS = _NEGATIVE + "+"
_SPACES = " \u3000\u00a0\t"
# PDF extraction wraps lines inside figures (１，７５４⏎⏎万６千円, 28年⏎⏎度). In prose a
# line break may therefore separate a number from its multiplier and from 年度 —
# a line never legitimately starts with 万/億/兆 or 度 — but not from a unit,
# where a wrap cannot be told from a table cell ending in a number.
_WRAP = _SPACES + "\r\n"
_ERA_NAMES = tuple(e.name for e in ERAS)
_ERA_LETTERS = "".join(e.letter for e in ERAS) + "".join(e.letter.lower() for e in ERAS)
_BULLETS = "・●○◎■□◆◇※"
_LABEL_STRIP = " \u3000\t\r\n:、，,。・→=" + _BULLETS
# More digits than any amount needs; also keeps Decimal arithmetic inside its precision.
_MAX_DIGITS = 40

_DIGITS = tuple("0123456789")
_BLOB = re.compile(r"[0-9]+(?:[.,][0-9]+)*")
_NUMBER = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")


class _Malformed(Exception):
    """Raised inside the scanner; becomes FigureParseError in strict mode."""

    def __init__(self, reason: Message) -> None:
        super().__init__(reason.english)
        self.reason = reason


@dataclass(frozen=True)
class _Token:
    """One figure found in normalised text, before labels and provisional marks."""

    start: int  # includes an approximate prefix and the sign
    end: int  # includes the unit and approximate suffixes
    value: Decimal
    unit: str
    approximate: bool


def _skip_spaces(s: str, i: int, gap: str = _SPACES) -> int:
    while i < len(s) and s[i] in gap:
        i += 1
    return i


def _skip_spaces_back(s: str, i: int) -> int:
    """Index just after the last non-space character before ``i``."""
    while i > 0 and s[i - 1] in _SPACES:
        i -= 1
    return i


def _is_ideograph(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def _read_amount(s: str, i: int, gap: str) -> tuple[Decimal, int, bool, bool]:
    """Read the number starting at ``s[i]`` (a digit); ``gap`` may separate a number from its multiplier.

    Returns ``(value, end, has_big_multiplier, plain_integer)``; raises ``_Malformed``.
    """
    ctx = decimal.Context(prec=2 * _MAX_DIGITS, traps=[decimal.Inexact, decimal.InvalidOperation])
    value = Decimal(0)
    section = Decimal(0)
    prev_big: int | None = None  # multiplier that closed the previous section
    prev_small: int | None = None  # multiplier of the previous term in this section
    pos = i
    multiplied = False
    has_big = False
    while True:
        m = _BLOB.match(s, pos)
        if m is None:
            break
        blob = m.group()
        if not _NUMBER.fullmatch(blob):
            raise _Malformed(
                _("「%(number)s」 is not a well-formed number (commas go every three digits)", number=blob)
            )
        if sum(c.isdigit() for c in blob) > _MAX_DIGITS:
            raise _Malformed(
                _("「%(number)s」 has more than %(digits)s digits", number=blob, digits=_MAX_DIGITS)
            )
        number = Decimal(blob.replace(",", ""))
        pos = m.end()
        k = _skip_spaces(s, pos, gap)
        small = _SMALL.get(s[k]) if k < len(s) else None
        term_multiplier = small or 1
        if prev_small is not None and (
            term_multiplier >= prev_small or number * term_multiplier >= prev_small
        ):
            raise _Malformed(
                _(
                    "「%(number)s」 cannot follow 「%(before)s」 (each part must be smaller)",
                    number=blob,
                    before=s[i : m.start()],
                )
            )
        section = ctx.add(section, ctx.multiply(number, Decimal(term_multiplier)))
        if small is not None:
            pos = k + 1
            multiplied = True
        prev_small = term_multiplier
        k = _skip_spaces(s, pos, gap)
        big = _BIG.get(s[k]) if k < len(s) else None
        if big is not None:
            if prev_big is not None and big >= prev_big:
                raise _Malformed(
                    _("「%(multiplier)s」 cannot follow a smaller or equal multiplier", multiplier=s[k])
                )
            if prev_big is not None and section * big >= prev_big:
                raise _Malformed(
                    _(
                        "「%(part)s」 is too large to follow 「%(before)s」",
                        part=s[m.start() : k + 1],
                        before=s[i : m.start()],
                    )
                )
            value = ctx.add(value, ctx.multiply(section, Decimal(big)))
            section = Decimal(0)
            prev_big, prev_small = big, None
            pos = k + 1
            multiplied = has_big = True
            after = _skip_spaces(s, pos, gap)
            if after < len(s) and (s[after] in _BIG or s[after] in _SMALL):
                raise _Malformed(
                    _(
                        "multiplier 「%(multiplier)s」 follows 「%(before)s」 without a number in between",
                        multiplier=s[after],
                        before=s[k],
                    )
                )
            continue  # a directly following number continues the amount (12億7,700万)
        if small is None:
            break
        # after 千/百 the section may go on with smaller terms (1千5百万); loop checks.
        if not s.startswith(_DIGITS, pos):
            break
    if prev_big is not None and section >= prev_big:
        raise _Malformed(
            _("「%(number)s」: the last part is too large for the multiplier before it", number=s[i:pos])
        )
    after = _skip_spaces(s, pos, gap)
    if after < len(s) and (s[after] in _BIG or s[after] in _SMALL):
        # 5千千円, 1千百万: a multiplier with no number of its own
        raise _Malformed(
            _(
                "multiplier 「%(multiplier)s」 follows 「%(before)s」 without a number in between",
                multiplier=s[after],
                before=s[i:pos],
            )
        )
    value = ctx.add(value, section)
    if multiplied and value == value.to_integral_value():
        # 1.5万 is 15000, not 15000.0: the multiplier, not the writer, made the digits.
        value = value.quantize(Decimal(1), context=ctx)
    plain_integer = not multiplied and "," not in s[i:pos] and "." not in s[i:pos]
    return value, pos, has_big, plain_integer


def _preceded_by_era(s: str, i: int) -> bool:
    """True if the number at ``i`` is an era year: 平成28, 平成 28, H28 (but not CMS5)."""
    j = _skip_spaces_back(s, i)
    if s.endswith(_ERA_NAMES, 0, j):
        return True
    return j > 0 and s[j - 1] in _ERA_LETTERS and (j < 2 or not s[j - 2].isascii() or not s[j - 2].isalnum())


def _skip_reason(s: str, i: int, blob_end: int) -> str | None:
    """Why the number starting at ``i`` is not a figure whatever follows, or None."""
    if _preceded_by_era(s, i):
        return "era year"
    before = s[i - 1] if i > 0 else ""
    if before == "第":
        return "ordinal"
    if before.isascii() and before.isalpha():
        return "identifier"
    if before in ".-_/" and i > 1 and s[i - 2].isascii() and s[i - 2].isalnum():
        return "identifier"  # No.5, A-1, 1/2 are codes and fractions, not amounts
    after = s[blob_end : blob_end + 1]
    if before == "月" and after == "日":
        return "date"
    if before == "時" and after == "分":
        return "time"
    return None


def _date_after(s: str, start: int, end: int, plain_integer: bool) -> bool:
    """True if the amount ``s[start:end]`` is a year, month or day of a date."""
    k = _skip_spaces(s, end, _WRAP)
    rest = s[k : k + 8]
    if rest.startswith(("年度", "月")) or re.match(r"年\s+度", rest):
        return True  # 29年度, 8月, and 28年⏎度 broken by a PDF line wrap
    if rest.startswith("年") and not rest.startswith("年間"):
        digits = s[start:end]
        if plain_integer and len(digits) == 4 and 1868 <= int(digits) <= 2999:
            return True  # 2016年
        return re.match(r"年\s*[0-9]{1,2}\s*月", rest) is not None  # 28年8月
    return False


def _match_unit(s: str, i: int) -> tuple[str, str] | None:
    """The unit written at ``s[i]`` as ``(written, canonical)``, or None."""
    for form in _UNIT_FORMS:
        if s.startswith(form, i):
            nxt = s[i + len(form) : i + len(form) + 1]
            if form[-1].isascii() and form[-1].isalnum() and nxt.isascii() and nxt.isalnum():
                continue  # 5 min is not 5 m
            return form, UNITS[form]
    return None


def _scan(s: str, *, strict: bool) -> Iterator[_Token]:
    """Yield every figure in normalised text ``s``.

    ``strict`` is for cells meant to hold figures: bare numbers count and malformed
    numbers raise ``_Malformed``; otherwise (prose) both are skipped.
    """
    pos = 0
    while True:
        m = _BLOB.search(s, pos)
        if m is None:
            return
        start = m.start()
        pos = m.end()
        if _skip_reason(s, start, m.end()) is not None:
            continue
        if re.match(r"[-/:][0-9]", s[m.end() : m.end() + 2]):
            # 2016/4/1, 2016-04-01, 10:30, 10-20: dates, times, ranges and codes
            if strict:
                raise _Malformed(
                    _("「%(text)s」 looks like a date, time, range or code", text=s[start : m.end() + 2])
                )
            continue
        try:
            value, end, has_big, plain_integer = _read_amount(s, start, _SPACES if strict else _WRAP)
        except _Malformed:
            if strict:
                raise
            continue
        pos = end
        if _date_after(s, start, end, plain_integer):
            continue
        k = _skip_spaces(s, end)
        approximate = False
        if s.startswith("余", k) and not s.startswith("余り", k):
            # 5億余円: 余 may sit between the number and the unit
            unit_after = _match_unit(s, k + 1)
            if unit_after is not None:
                approximate = True
                k += 1
        if s.startswith("時", k) and not s.startswith("時間", k):
            continue  # 10時: a time of day
        if s.startswith("分の", k):
            continue  # 3分の1: a fraction
        unit_match = _match_unit(s, k)
        unit = ""
        if unit_match is not None:
            written, unit = unit_match
            end = k + len(written)
            if s.startswith("目", end):
                continue  # 6校目, 2回目: ordinals
            if s.startswith(("当たり", "あたり"), end):
                continue  # 1人当たり, 1日あたり: the measure of a rate, not a figure
        elif not strict and not has_big:
            range_unit = _range_unit(s, k)
            if range_unit is None:
                continue  # a bare number in prose is a list number, a code, a count without meaning
            unit = range_unit  # 10〜20件: the lower end takes the unit of the upper
        for suffix in APPROXIMATE_SUFFIXES:
            if s.startswith(suffix, end):
                following = s[end + len(suffix) : end + len(suffix) + 1]
                if len(suffix) == 1 and following and _is_ideograph(following):
                    continue  # 強化, 余裕, 弱者 are words, not qualifiers
                approximate = True
                end += len(suffix)
                break
        # sign and approximate prefix, looking backwards from the number
        first = start
        negative = False
        if start > 0 and s[start - 1] in _SIGNS:
            sign_ok = (
                s[start - 1] in "▲△" or start < 2 or not (s[start - 2].isascii() and s[start - 2].isalnum())
            )
            if sign_ok:
                first = start - 1
                negative = s[first] in _NEGATIVE
        j = _skip_spaces_back(s, first)
        for prefix in APPROXIMATE_PREFIXES:
            if s.endswith(prefix, 0, j):
                approximate = True
                first = j - len(prefix)
                break
        if _DECREASE.match(s, _skip_spaces(s, end)):
            negative = not negative  # 5%減 is ▲5%: a decrease (but 1割減少, 1割減らす are verbs)
        if negative and value != 0:
            value = -value
        yield _Token(first, end, value, unit, approximate)


# 減 right after a figure, as a suffix: 5%減, 20件減 (not 減少, 減らす, 減額).
_DECREASE = re.compile(r"減(?![\u3040-\u309f\u4e00-\u9fff])")
_RANGE_SEPARATORS = "〜~"


def _range_unit(s: str, k: int) -> str | None:
    """The unit of the upper end when ``s[k:]`` continues a range: ``〜20件`` → ``件``."""
    if k >= len(s) or s[k] not in _RANGE_SEPARATORS:
        return None
    j = _skip_spaces(s, k + 1)
    m = _BLOB.match(s, j)
    if m is None:
        return None
    try:
        _value, end, _big, _plain = _read_amount(s, j, _SPACES)
    except _Malformed:
        return None
    unit_match = _match_unit(s, _skip_spaces(s, end))
    return unit_match[1] if unit_match is not None else None


_SENTENCE_END = re.compile(r"[。！？!?]|^[ \u3000\t]*[" + _BULLETS + "]", re.M)
_PARENTHETICAL = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def _has_marker(text: str) -> bool:
    return any(marker in text for marker in PROVISIONAL_MARKERS)


def _sentence_starts(s: str) -> list[int]:
    """Offsets where a sentence starts, in order (0 included)."""
    return [0] + [m.end() for m in _SENTENCE_END.finditer(s)]


def _provisional_in_context(
    s: str, token: _Token, previous_end: int, sentence_starts: list[int], next_start: int | None = None
) -> bool:
    """The prose rule for 見込 (see module docstring)."""
    sentence_start = sentence_starts[bisect.bisect_right(sentence_starts, token.start) - 1]
    leading = s[max(sentence_start, previous_end) : token.start]
    # A marker note on the label (観光消費額（見込）  47億円), not one that closes the figure before.
    label_part = re.sub(r"^[\s:、,]*\([^()]*\)", "", leading) if previous_end else leading
    if _MARKER_NOTE.search(label_part):
        return True
    # parentheticals qualify what precedes them, e.g. （H２８年度見込） is a column head
    while True:
        stripped = _PARENTHETICAL.sub("", leading)
        if stripped == leading:
            break
        leading = stripped
    if _has_marker(leading):
        return True
    k = _skip_spaces(s, token.end)
    clause = s[k:next_start]
    stop = _CLAUSE_END.search(clause)
    if _has_marker(_PARENTHETICAL.sub("", clause[: stop.start() if stop else len(clause)])):
        return True  # 431haとなる見込みです, 33%となる予定
    if s.startswith("の", k):
        k += 1
    if s.startswith(PROVISIONAL_MARKERS, k):
        return True
    if s.startswith("(", k):
        close = s.find(")", k)
        inner = s[k + 1 : close if close != -1 else k + 200]
        return _has_marker(inner)
    return False


def _clean_label(raw: str) -> str | None:
    """The last non-empty line of ``raw`` without separators at its ends; None if nothing is left.

    A line that is only parenthetical notes (``(H27年度) (H28年度見込)``, column heads
    in extracted tables) is not a label; a note inside a label is kept (``(いいね)数``).
    """
    for line in reversed(raw.splitlines()):
        squashed = squash_spaces(line)
        if not squashed.strip(_LABEL_STRIP):
            continue
        if not _PARENTHETICAL.sub("", squashed).strip(_LABEL_STRIP + "()[]"):
            return None
        return squashed.strip(_LABEL_STRIP) or None
    return None


def _colon_label(leading: str) -> str | None:
    """In prose, a label is the phrase right before a colon: 前年度末残高：２６９億…."""
    lines = leading.splitlines()
    line = lines[-1].rstrip(_SPACES) if lines else ""
    if not line.endswith(":"):
        return None
    phrase = re.split(r"[、。,・(]", line[:-1])[-1]
    return _clean_label(phrase)


def _fail(text: str, why: Message) -> FigureParseError:
    return FigureParseError(_("cannot read a figure from 「%(text)s」: %(why)s", text=text, why=why))


def _strict_tokens(text: str) -> tuple[str, list[_Token]]:
    if not text.strip():
        raise _fail(text, _("the text is empty"))
    s = normalize(text)
    try:
        tokens = list(_scan(s, strict=True))
    except _Malformed as exc:
        raise _fail(text, exc.reason) from None
    if not tokens:
        if not any(c in _DIGITS for c in s):
            raise _fail(text, _("there is no number in it"))
        raise _fail(text, _("there is no figure in it, only dates, ordinals or codes"))
    return s, tokens


def _figure(token: _Token, *, provisional: bool, label: str | None) -> Figure:
    return Figure(token.value, token.unit, token.approximate, provisional, label)


def parse_figure(text: str) -> Figure:
    """Read the one figure in ``text`` (a table cell, a target value).

    ``約１２億７，７００万円`` → ``Figure(Decimal("1277000000"), "円", approximate=True)``.
    A label before the figure is kept (``前年度末残高：…`` → ``label="前年度末残高"``), and
    ``見込`` anywhere marks it provisional. A bare number is allowed (unit ``""``).
    Raises ``FigureParseError`` — quoting the text — when there is no figure, more
    than one, or a malformed number (``1,2,3``, ``12億億円``).
    """
    s, tokens = _strict_tokens(text)
    if len(tokens) > 1:
        found = "、".join(f"「{s[t.start : t.end]}」" for t in tokens)
        raise _fail(
            text, _("expected one figure, found %(count)s: %(found)s", count=len(tokens), found=found)
        )
    token = tokens[0]
    return _figure(token, provisional=_has_marker(s), label=_clean_label(s[: token.start]))


def parse_amount(text: str) -> Decimal:
    """The value of the one figure in ``text``; a unit may be written but is not needed."""
    return parse_figure(text).value


def parse_figures(text: str) -> list[Figure]:
    """Read every figure of a cell that holds several, with their labels.

    ``個人10名・15団体`` → ``[Figure(10, "名", label="個人"), Figure(15, "団体")]``;
    ``８１．２％ → ８９．９％`` → two figures. A label is the text since the previous
    figure (its last line, without separators). ``見込`` follows the prose rule.
    Raises ``FigureParseError`` when there is no figure or a number is malformed.
    """
    s, tokens = _strict_tokens(text)
    sentence_starts = _sentence_starts(s)
    figures = []
    previous_end = 0
    for index, token in enumerate(tokens):
        next_start = tokens[index + 1].start if index + 1 < len(tokens) else None
        figures.append(
            _figure(
                token,
                provisional=_provisional_in_context(s, token, previous_end, sentence_starts, next_start),
                label=_clean_label(s[previous_end : token.start]),
            )
        )
        previous_end = token.end
    return figures


def find_figures(text: str) -> list[tuple[int, int, Figure]]:
    """Find the figures in free prose, with their ``(start, end)`` span in ``text``.

    The span covers the approximate prefix, the sign, the number, the unit and any
    approximate suffix (``約１２億７，７００万円``), not a label or a following note.
    Years, dates, ordinals and bare numbers are not figures (see module docstring).
    A figure gets a label only from a colon (``前年度末残高：２６９億１千万円``). Never
    raises: malformed numbers are skipped.
    """
    mapped = normalize_mapped(text)
    s = mapped.text
    sentence_starts = _sentence_starts(s)
    found: list[tuple[int, int, Figure]] = []
    previous_end = 0
    tokens = list(_scan(s, strict=False))
    for index, token in enumerate(tokens):
        next_start = tokens[index + 1].start if index + 1 < len(tokens) else None
        figure = _figure(
            token,
            provisional=_provisional_in_context(s, token, previous_end, sentence_starts, next_start),
            label=_colon_label(s[previous_end : token.start]),
        )
        start, end = mapped.span(token.start, token.end)
        found.append((start, end, figure))
        previous_end = token.end
    return found


def _group_thousands(digits: str) -> str:
    return f"{int(digits):,}"


def _kanji_integer(n: int) -> str:
    """12億7,700万 style: 万/億/兆 groups, commas inside groups, zero groups left out."""
    if n == 0:
        return "0"
    parts = []
    top, rest = divmod(n, 10**12)
    for value, suffix in (
        (top, "兆"),
        (rest // 10**8, "億"),
        (rest // 10**4 % 10**4, "万"),
        (rest % 10**4, ""),
    ):
        if value:
            parts.append(f"{value:,}{suffix}")
    return "".join(parts)


def format_figure(figure: Figure, *, style: str = "plain") -> str:
    """Print ``figure`` in the official style: half-width digits with commas.

    ``style="plain"`` → ``1,277,000,000円``; ``style="kanji"`` → ``12億7,700万円``
    (万/億/兆 groups, commas inside a group: ``269億1,000万円``, ``1億2,859万5,000円``).
    Decimals keep their digits (``81.2%``). ``約`` is prefixed when approximate,
    ``（見込）`` appended when provisional, ``▲`` marks negatives. The label is not
    printed; it belongs in the table's heading. The result parses back to the same
    value, unit and qualifiers.
    """
    if style not in ("plain", "kanji"):
        raise ValueError(f"unknown figure style {style!r} (expected 'plain' or 'kanji')")
    value = figure.value
    if not value.is_finite():
        raise ValueError(f"cannot format non-finite value {value!r}")
    sign = "▲" if value < 0 else ""
    integer_digits, _point, fraction = format(abs(value), "f").partition(".")
    if style == "plain":
        number = _group_thousands(integer_digits)
    else:
        number = _kanji_integer(int(integer_digits))
        if fraction and int(integer_digits) % 10**4 == 0 and int(integer_digits) != 0:
            number += "0"  # 1万0.5: the decimals belong to the ones group
    if fraction:
        number += "." + fraction
    prefix = "約" if figure.approximate else ""
    suffix = "（見込）" if figure.provisional else ""
    return f"{prefix}{sign}{number}{figure.unit}{suffix}"


# The amount rule (issue 10): documents write yen with 万/億 (10億円, 約12億7,700万円,
# 1,754万6千円) and round large counts too (450万件, 180万人), but an exact count or a
# smaller one with commas only (4,238,714件, 25,000回, 10,000点).
_KANJI_YEN_FROM = Decimal(10**4)
_KANJI_COUNT_FROM = Decimal(10**5)


def amount_style(figure: Figure) -> str:
    """The style documents print ``figure`` in: ``"kanji"`` (万/億/兆) or ``"plain"`` (commas).

    - 円 from 1万: ``10億円``, ``約12億7,700万円``, ``1,754万6,000円``; below, ``9,800円``;
    - any other unit from 10万 when the value is a whole number of 万: ``450万件``, ``180万人``;
    - everything else plain: ``4,238,714件``, ``25,000回``, ``81.2%``.
    """
    size = abs(figure.value)
    if figure.unit == "円":
        return "kanji" if size >= _KANJI_YEN_FROM else "plain"
    if size >= _KANJI_COUNT_FROM and size % 10**4 == 0:
        return "kanji"
    return "plain"


def format_amount(figure: Figure) -> str:
    """``figure`` printed as the documents print it (``amount_style``): 10億円, 4,238,714件."""
    return format_figure(figure, style=amount_style(figure))

"""Japanese eras (元号) and fiscal years (年度).

The Japanese fiscal year runs from 1 April to 31 March. We store it as the
Gregorian year in which it *starts*: FY2016 = 平成28年度 = April 2016–March 2017.

Which era names a fiscal year
=============================

An era can change in the middle of a fiscal year, so a rule is needed. Practice:

====  ==========================  ======================================
FY    era change                  label used by governments
====  ==========================  ======================================
1912  大正 from 30 Jul 1912        明治45年度
1926  昭和 from 25 Dec 1926        大正15年度
1988  平成 from 8 Jan 1989         昭和63年度
1989  (平成 in force all year)     平成元年度
2019  令和 from 1 May 2019         令和元年度 (and 平成31年度 before May)
====  ==========================  ======================================

So a fiscal year takes the era in force at its start, except that 令和 — which
began one month in, on a date announced in advance — names FY2019, as the
government directed. Both cases are captured by one rule: **the era in force on
1 May of the starting year** (``LABEL_DAY``). Neither "era at the start"
(gives 平成31年度) nor "era at the end" (gives 平成元年度 for FY1988) matches practice.

Reading era years
=================

- ``元`` means year 1; leading zeros are accepted (``R01`` is common in file names);
  kanji numerals are accepted (``平成二十八年度``).
- The era year must be 1–99 (``MAX_ERA_YEAR``). 0 does not exist, and no era has
  reached 65, so three digits are a typo.
- Years *past* an era's end are accepted: plans and projections drawn up before
  an era change keep counting in the old era (``平成32年度`` in plans made in 2018,
  ``平成72年`` for 2060 in population outlooks). They map to the Gregorian year
  the count implies (平成32年度 → 2020), which is what the author meant.
- ``平成28年`` (calendar year, no 度) is rejected by ``parse_fiscal_year``: a date
  in 平成29年1月 belongs to FY2016, so a calendar year is not a fiscal year.
- Gregorian years are accepted as four digits, optionally with ``年度`` or a
  ``FY`` prefix, from ``MIN_FISCAL_YEAR`` to ``MAX_FISCAL_YEAR``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from shinchoku.core.messages import Message, MessageError
from shinchoku.core.messages import message as _
from shinchoku.core.text import normalize

__all__ = [
    "ERAS",
    "LABEL_DAY",
    "MAX_ERA_YEAR",
    "MAX_FISCAL_YEAR",
    "MIN_FISCAL_YEAR",
    "Era",
    "EraParseError",
    "era_for_fiscal_year",
    "era_on",
    "era_year",
    "fiscal_year_of",
    "format_fiscal_year",
    "get_era",
    "parse_date",
    "parse_fiscal_year",
    "search_fiscal_year",
]


class EraParseError(MessageError, ValueError):
    """A text could not be read as a fiscal year; ``message`` quotes it and says why (``str()``: in English)."""


class _Invalid(ValueError):
    """An era year or a year out of range: ``message`` says why, for EraParseError to quote."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.english)
        self.message = message


def _why(error: ValueError) -> Message:
    return error.message if isinstance(error, _Invalid) else Message.verbatim(str(error))


@dataclass(frozen=True)
class Era:
    """One era: its name, the one-letter abbreviation, and its first and last day."""

    name: str
    letter: str
    romaji: str
    start: date
    end: date | None  # None for the current era

    @property
    def first_year(self) -> int:
        """Gregorian year of 元年 (year 1 of the era)."""
        return self.start.year


# Meiji was proclaimed on 23 Oct 1868 but applied from the first day of that
# (lunar) year, 25 Jan 1868; using that start makes 明治元年 = 1868 throughout.
ERAS: tuple[Era, ...] = (
    Era("明治", "M", "Meiji", date(1868, 1, 25), date(1912, 7, 29)),
    Era("大正", "T", "Taisho", date(1912, 7, 30), date(1926, 12, 24)),
    Era("昭和", "S", "Showa", date(1926, 12, 25), date(1989, 1, 7)),
    Era("平成", "H", "Heisei", date(1989, 1, 8), date(2019, 4, 30)),
    Era("令和", "R", "Reiwa", date(2019, 5, 1), None),
)

# (month, day) on which the era that names a fiscal year is looked up; see module doc.
LABEL_DAY = (5, 1)
MAX_ERA_YEAR = 99
MIN_FISCAL_YEAR = ERAS[0].first_year
MAX_FISCAL_YEAR = 2999

_BY_KEY: dict[str, Era] = {}
for _era in ERAS:
    for _key in (_era.name, _era.letter, _era.romaji):
        _BY_KEY[_key.lower()] = _era


def get_era(key: str) -> Era:
    """Look an era up by name (``平成``), letter (``H``/``h``) or romaji (``Heisei``).

    Raises ``EraParseError`` (a ``ValueError``) for an unknown key.
    """
    era = _BY_KEY.get(normalize(key).strip().lower())
    if era is None:
        known = ", ".join(e.name for e in ERAS)
        raise EraParseError(
            _("「%(key)s」 is not an era (expected one of %(known)s or M/T/S/H/R)", key=key, known=known)
        )
    return era


def era_on(day: date) -> Era:
    """The era in force on ``day``. Raises ``ValueError`` before 明治."""
    for era in reversed(ERAS):
        if day >= era.start:
            return era
    raise ValueError(f"{day.isoformat()} is before the 明治 era; no era applies")


def era_for_fiscal_year(year: int) -> Era:
    """The era that names fiscal year ``year`` (the era in force on ``LABEL_DAY``)."""
    if year < MIN_FISCAL_YEAR:
        raise ValueError(f"fiscal year {year} is before the 明治 era; no era applies")
    return era_on(date(year, *LABEL_DAY))


def _era_year_number(year: int, era: Era) -> int:
    number = year - era.first_year + 1
    if number < 1:
        raise ValueError(f"fiscal year {year} is before the {era.name} era (which began in {era.first_year})")
    if number > MAX_ERA_YEAR:
        raise ValueError(
            f"fiscal year {year} would be {era.name}{number}年度, beyond era year {MAX_ERA_YEAR}"
        )
    return number


def fiscal_year_of(day: date) -> int:
    """The fiscal year (April to March) that ``day`` falls in: 2025-03-31 → 2024."""
    return day.year if day.month >= 4 else day.year - 1


def era_year(year: int) -> tuple[str, int]:
    """Split fiscal year ``year`` into its label parts: ``2019`` → ``("令和", 1)``."""
    era = era_for_fiscal_year(year)
    return era.name, _era_year_number(year, era)


def format_fiscal_year(year: int, *, era: str | None = None, short: bool = False) -> str:
    """Write fiscal year ``year`` the official way.

    ``2019`` → ``令和元年度`` (never ``令和1年度``); ``2016`` → ``平成28年度``.
    ``era`` forces an era (name, letter or romaji): ``format_fiscal_year(2019, era="平成")``
    → ``平成31年度``. ``short=True`` gives the abbreviation used in tables: ``R1``, ``H28``
    (digits always, no 年度). Raises ``ValueError`` when the year cannot be written in
    the era (before it began, or past era year 99).
    """
    chosen = era_for_fiscal_year(year) if era is None else get_era(era)
    number = _era_year_number(year, chosen)
    if short:
        return f"{chosen.letter}{number}"
    return f"{chosen.name}{'元' if number == 1 else number}年度"


_KANJI_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_KANJI_NUMBER = r"[〇零一二三四五六七八九十]+"
_NUMBER = rf"元|[0-9]+|{_KANJI_NUMBER}"
_ERA_NAMES = "|".join(e.name for e in ERAS)
_ERA_LETTERS = "".join(e.letter for e in ERAS)


def _kanji_to_int(text: str) -> int | None:
    """Read a kanji numeral below 100 (``二十八``, ``三一``, ``十``); None if malformed."""
    if "十" in text:
        tens_part, _ten, ones_part = text.partition("十")
        if "十" in ones_part or len(tens_part) > 1 or len(ones_part) > 1:
            return None
        tens = _KANJI_DIGITS[tens_part] if tens_part else 1
        ones = _KANJI_DIGITS[ones_part] if ones_part else 0
        if tens == 0:
            return None
        return tens * 10 + ones
    if len(text) > 2:
        return None
    value = 0
    for ch in text:
        value = value * 10 + _KANJI_DIGITS[ch]
    return value


def _read_number(token: str) -> int | None:
    if token == "元":
        return 1
    if token.isascii():
        return int(token)
    return _kanji_to_int(token)


def _from_era(era: Era, token: str) -> int:
    """Gregorian fiscal year for era year ``token``; ``ValueError`` with the reason."""
    number = _read_number(token)
    if number is None:
        raise _Invalid(_("「%(number)s」 is not a number", number=token))
    if number < 1:
        raise _Invalid(_("there is no year %(number)s of an era (the first year is 元年)", number=number))
    if number > MAX_ERA_YEAR:
        raise _Invalid(
            _("era year %(number)s is out of range (1–%(last)s)", number=number, last=MAX_ERA_YEAR)
        )
    return era.first_year + number - 1


def _from_gregorian(token: str) -> int:
    year = int(token)
    if not MIN_FISCAL_YEAR <= year <= MAX_FISCAL_YEAR:
        raise _Invalid(
            _(
                "year %(year)s is out of range (%(first)s–%(last)s)",
                year=year,
                first=MIN_FISCAL_YEAR,
                last=MAX_FISCAL_YEAR,
            )
        )
    return year


_FULL_ERA = re.compile(rf"(?P<era>{_ERA_NAMES}|[{_ERA_LETTERS}])(?P<num>{_NUMBER})(?P<suffix>年度|年)?", re.I)
_FULL_GREGORIAN = re.compile(r"(?:FY)?(?P<num>[0-9]{4})(?P<suffix>年度|年)?", re.I)
_FULL_BARE = re.compile(rf"(?P<num>元|[0-9]{{1,3}}|{_KANJI_NUMBER})(?P<suffix>年度|年)?")


def parse_fiscal_year(text: str, *, context_era: str | None = None) -> int:
    """Read a fiscal year and return it as its Gregorian starting year.

    Accepts ``平成28年度``, ``平成２８年度``, ``平成二十八年度``, ``令和元年度``, ``令和1年度``,
    ``H28``, ``h28``, ``H28年度``, ``R1``, ``R元``, ``R01``, ``Ｈ２７年度``, ``2016年度``,
    ``FY2016`` and ``2016``. An era year alone (``28年度``, ``28``, ``元年度``) needs
    ``context_era`` (``"平成"``, ``"H"`` …), taken from the document around it.

    平成31年度 and 令和元年度 are the same year (2019). The accepted ranges are
    explained in the module docstring. Raises ``EraParseError`` with the input and
    the reason.
    """

    def fail(why: Message) -> EraParseError:
        return EraParseError(_("cannot read a fiscal year from 「%(text)s」: %(why)s", text=text, why=why))

    cleaned = "".join(normalize(text).split())
    if not cleaned:
        raise fail(_("the text is empty"))
    try:
        context = get_era(context_era) if context_era is not None else None
    except EraParseError as exc:
        raise fail(_("context_era 「%(era)s」 is not an era", era=context_era)) from exc

    m = _FULL_ERA.fullmatch(cleaned) or _FULL_GREGORIAN.fullmatch(cleaned) or _FULL_BARE.fullmatch(cleaned)
    if m is None:
        raise fail(_("expected an era year such as 平成28年度, H28, 令和元年度 or a year such as 2016年度"))
    if m.group("suffix") == "年":
        raise fail(_("this is a calendar year (年); a fiscal year is written with 年度"))
    try:
        if m.re is _FULL_ERA:
            return _from_era(get_era(m.group("era")), m.group("num"))
        if m.re is _FULL_GREGORIAN:
            return _from_gregorian(m.group("num"))
        if context is None:
            raise fail(_("the era is not written and no context era was given (e.g. 平成28年度 or H28)"))
        return _from_era(context, m.group("num"))
    except EraParseError:
        raise
    except ValueError as exc:
        raise fail(_why(exc)) from exc


# Inside prose a fiscal year must look like one: an era name or a 4-digit year
# needs 年度 (平成28年8月 is a date, not a fiscal year); the letter form H28 may
# stand alone but not as part of a date (H28.4.1) or a word; a bare era year
# needs 年度 and a context era.
_SEARCH = re.compile(
    rf"(?P<era>{_ERA_NAMES})\s*(?P<era_num>{_NUMBER})\s*年度"
    rf"|(?<![A-Za-z0-9])(?P<letter>[{_ERA_LETTERS}])\s*(?P<letter_num>元|[0-9]{{1,2}})"
    r"(?:\s*年度|(?![0-9]|[.,/][0-9]|\s*年|\s*月|\s*日|[A-Za-z]))"
    r"|(?<![0-9])(?:FY)?(?P<greg>[0-9]{4})\s*年度"
    r"|(?<![0-9.,])(?P<bare>元|[0-9]{1,2})\s*年度"
)


def search_fiscal_year(text: str, *, context_era: str | None = None) -> int | None:
    """Return the first fiscal year written in ``text``, or None.

    ``平成30年度の取り組み実績`` → 2018; ``（H２８年度見込）`` → 2016;
    ``報告書は 29年度初旬に公表`` → 2017 with ``context_era="平成"`` (without it, the
    bare ``29年度`` is skipped). Dates (``平成28年8月``, ``H28.4.1``) are not fiscal
    years. Expressions that are out of range (``平成0年度``) are skipped.
    """
    context = get_era(context_era) if context_era is not None else None
    for m in _SEARCH.finditer(normalize(text)):
        try:
            if m.group("era"):
                return _from_era(get_era(m.group("era")), m.group("era_num"))
            if m.group("letter"):
                return _from_era(get_era(m.group("letter")), m.group("letter_num"))
            if m.group("greg"):
                return _from_gregorian(m.group("greg"))
            if context is not None:
                return _from_era(context, m.group("bare"))
        except ValueError:
            continue
    return None


def format_date(day: date) -> str:
    """A day as 公用文 writes it: ``2026-12-02`` → ``令和8年12月2日`` (元年 for the first year)."""
    era = era_on(day)
    number = day.year - era.start.year + 1
    return f"{era.name}{'元' if number == 1 else number}年{day.month}月{day.day}日"


_DATE = re.compile(
    rf"(?:(?P<era>{_ERA_NAMES}|[{_ERA_LETTERS}])(?P<era_num>元|[0-9]{{1,2}})|(?P<greg>[0-9]{{4}}))"
    r"(?:年|[./-])(?P<month>[0-9]{1,2})(?:月|[./-])(?P<day>[0-9]{1,2})日?",
    re.I,
)


def parse_date(text: str) -> date:
    """Read a calendar date the way city hall files write it.

    ``2024-04-01``, ``2024/4/1``, ``2024年4月1日``, ``令和6年4月1日``, ``令和元年5月1日``,
    ``R6.4.1``, ``Ｒ６．４．１``, ``H31/4/30``. An era year maps to the Gregorian year
    the count implies, as for fiscal years. Raises ``EraParseError`` with the input
    and the reason.
    """
    cleaned = "".join(normalize(text).split())
    m = _DATE.fullmatch(cleaned)
    if m is None:
        raise EraParseError(
            _(
                "cannot read a date from 「%(text)s」: expected e.g. 2024-04-01, 2024/4/1, 令和6年4月1日 or R6.4.1",
                text=text,
            )
        )
    try:
        if m.group("era"):
            era = get_era(m.group("era"))
            number = _read_number(m.group("era_num"))
            if number is None or not 1 <= number <= MAX_ERA_YEAR:
                raise _Invalid(
                    _(
                        "era year %(number)s is out of range (1–%(last)s)",
                        number=m.group("era_num"),
                        last=MAX_ERA_YEAR,
                    )
                )
            year = era.first_year + number - 1
        else:
            year = _from_gregorian(m.group("greg"))
        return date(year, int(m.group("month")), int(m.group("day")))
    except ValueError as exc:
        raise EraParseError(
            _("cannot read a date from 「%(text)s」: %(why)s", text=text, why=_why(exc))
        ) from exc

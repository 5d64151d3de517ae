"""Section names in a bullet's trailing parentheses: ``…を実施した。(市民協働課・教育指導課)``.

Both text formats end each bullet with the responsible section(s) in parentheses.
Names are joined by ``・`` or ``、``, but ``・`` is also used *inside* names
(``人権・広聴相談課`` is one section), so a plain split is wrong. The rule used here:
a fragment that does not end in an organisational suffix (課, 室, 部, 委員会, …) is
the first half of a longer name and is joined, with its separator, to the next
fragment. ``市野球協会学童部・国際交流委員会`` therefore stays two bodies, while
``人権・広聴相談課`` stays one section.

A trailing parenthesis counts as a list of sections only when every name in it ends
in such a suffix; ``(17講座)`` or ``(案)`` are part of the sentence. Words that end in
such a suffix but name an event, a place or a share rather than a body (説明会, 開館,
3か所, 一部, 会議室, 第3回…) are not names.

Names the city's organisation master knows (``known_sections``: exact names, aliases,
former names) are consulted first: a known name is a section whatever its ending
(``秘書広報``), and a known name that holds a separator (``総務・人事``) is one name.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from shinchoku.core.text import normalize

# Suffixes that end the name of an organisational unit or of an outside body.
# Longer suffixes first is not needed for ``endswith`` but keeps the list readable.
ORGANISATION_SUFFIXES: tuple[str, ...] = (
    "委員会",
    "センター",
    "協議会",
    "協会",
    "課",
    "室",
    "局",
    "部",
    "所",
    "会",
    "館",
    "園",
    "団",
    "係",
    "班",
    "庁",
    "署",
    "校",
    "本部",
    "事務局",
    # added for other cities' documents (issue 11)
    "担当",  # 協働推進担当, 地域包括ケア担当
    "グループ",
    "チーム",
    "ユニット",
    "監",  # 危機管理監
    "管理者",  # 会計管理者
    "会議",  # 庁内推進会議
    "組合",
    "公社",
    "機構",
    "財団",
    "連盟",
    "病院",
    "大学",
    "院",
    "社",
    "隊",
    "事務所",
    "支所",
    "出張所",
    "ステーション",
    "プラザ",
    "オフィス",
)

# Endings that look like a suffix above but end a word for an event, a place, an act or
# a share: 「(説明会)」「(令和5年4月開館)」「(市内3か所)」「(一部)」「(第1会議室)」.
NOT_ORGANISATION_ENDINGS: tuple[str, ...] = (
    "大会",
    "総会",
    "例会",
    "説明会",
    "講演会",
    "研修会",
    "発表会",
    "展示会",
    "相談会",
    "報告会",
    "勉強会",
    "学習会",
    "交流会",
    "開会",
    "閉会",
    "入会",
    "退会",
    "開館",
    "休館",
    "閉館",
    "開所",
    "閉所",
    "入所",
    "退所",
    "開園",
    "閉園",
    "入園",
    "開校",
    "休校",
    "閉校",
    "全校",
    "箇所",
    "か所",
    "ヶ所",
    "ケ所",
    "カ所",
    "ヵ所",
    "個所",
    "場所",
    "住所",
    "各所",
    "随所",
    "近所",
    "会議室",
    "教室",
    "和室",
    "洋室",
    "個室",
    "入院",
    "退院",
    "入社",
    "出社",
)
# Whole words that are a share, a direction or "every section", not a body: 「(一部)」「(各課)」.
NOT_ORGANISATION_NAMES = frozenset(
    {
        *(
            "一部",
            "全部",
            "内部",
            "外部",
            "上部",
            "下部",
            "中部",
            "東部",
            "西部",
            "南部",
            "北部",
            "細部",
            "大部",
        ),
        *("各課", "全課", "各部", "各室", "各社", "全社", "全校", "関係課", "関係各課", "担当課", "所管課"),
    }
)
# A number of times or a date inside the name: 第3回, 4月, 令和5年.
_EVENT_RE = re.compile(r"第\s*[0-9０-９]+\s*回|[0-9０-９]+\s*[年月日]")

SEPARATORS = "・、,，"

_SPLIT_RE = re.compile(f"([{SEPARATORS}])")

# A parenthesised group at the very end of a bullet, ASCII or full-width parentheses,
# possibly followed by blanks. The group itself must not contain parentheses.
_TRAILING_RE = re.compile(r"[(（]([^()（）]+)[)）]\s*$")


class KnownSections(frozenset[str]):
    """Normalised section names of an organisation master: build once, pass to every call."""


def known_section_names(names: Collection[str] = ()) -> KnownSections:
    """``names`` normalised (NFKC, blanks removed), for the ``known_sections`` arguments."""
    if isinstance(names, KnownSections):
        return names
    return KnownSections(_key(name) for name in names if _key(name))


def _key(name: str) -> str:
    return re.sub(r"\s+", "", normalize(name))


def is_organisation_name(name: str, *, known_sections: Collection[str] = ()) -> bool:
    """True when ``name`` is a known section or ends like the name of a section or body.

    Endings: 課, 室, 係, 担当, 部, 委員会, センター, 事務局, … (``ORGANISATION_SUFFIXES``);
    a word for an event, a place or a share (説明会, 開館, 3か所, 一部) is not a name.
    """
    name = name.strip()
    if not name:
        return False
    if known_sections and _key(name) in known_section_names(known_sections):
        return True
    if not name.endswith(ORGANISATION_SUFFIXES):
        return False
    if name in NOT_ORGANISATION_NAMES or name.endswith(NOT_ORGANISATION_ENDINGS):
        return False
    return _EVENT_RE.search(name) is None


def split_sections(text: str, *, known_sections: Collection[str] = ()) -> list[str]:
    """Split the contents of a trailing parenthesis into section names, in order.

    >>> split_sections("市民協働課・教育指導課")
    ['市民協働課', '教育指導課']
    >>> split_sections("人権・広聴相談課")
    ['人権・広聴相談課']
    >>> split_sections("総務・人事・企画課", known_sections=["総務・人事"])
    ['総務・人事', '企画課']
    """
    known = known_section_names(known_sections)
    parts = _SPLIT_RE.split(text.strip())
    # parts alternates: fragment, separator, fragment, separator, ..., fragment
    names: list[str] = []
    pending = ""
    skip_to = 0
    for index in range(0, len(parts), 2):
        if index < skip_to:
            continue
        fragment = parts[index].strip()
        separator = parts[index + 1] if index + 1 < len(parts) else ""
        if not fragment:
            # "課・・室" or a leading separator: nothing to join, drop the empty piece.
            continue
        if not pending and known:
            # The longest known name starting here, separators included, is one name.
            end = _longest_known(parts, index, known)
            if end is not None:
                names.append("".join(parts[index:end]).strip())
                skip_to = end + 1
                continue
        pending += fragment
        if is_organisation_name(pending, known_sections=known) or not separator:
            names.append(pending)
            pending = ""
        else:
            # Not a complete name ("人権"): the separator belongs to the name.
            pending += separator
    if pending:
        # Only reachable when the text ends with a separator ("人権・").
        names.append(pending.rstrip(SEPARATORS))
    return [name for name in names if name]


def _longest_known(parts: list[str], start: int, known: KnownSections) -> int | None:
    """The end (exclusive, a fragment index) of the longest known name from ``parts[start]``."""
    found = None
    for end in range(start + 1, len(parts) + 1, 2):
        if _key("".join(parts[start:end])) in known:
            found = end
    return found


@dataclass(frozen=True)
class TrailingSections:
    """A bullet split into its text and the names in its trailing parenthesis.

    ``doubtful`` is True when the trailing parenthesis names some organisations but
    not only organisations (``(市民協働課・あさなぎ応援団体)``): it is kept in the text,
    and the reader should say so.
    """

    text: str
    sections: list[str] = field(default_factory=list)
    doubtful: bool = False


def read_trailing_sections(bullet: str, *, known_sections: Collection[str] = ()) -> TrailingSections:
    """Like :func:`split_trailing_sections`, and says when the parenthesis was a doubtful case."""
    stripped = bullet.strip()
    match = _TRAILING_RE.search(stripped)
    if match is None:
        return TrailingSections(stripped)
    known = known_section_names(known_sections)
    names = split_sections(match.group(1), known_sections=known)
    found = [is_organisation_name(name, known_sections=known) for name in names]
    if not names or not all(found):
        return TrailingSections(stripped, doubtful=any(found))
    return TrailingSections(stripped[: match.start()].rstrip(), names)


def split_trailing_sections(bullet: str, *, known_sections: Collection[str] = ()) -> tuple[str, list[str]]:
    """Split ``"…を実施した。(市民協働課)"`` into ``("…を実施した。", ["市民協働課"])``.

    A bullet without a trailing parenthesis, or whose trailing parenthesis does not
    name organisations (``(17講座)``), is returned unchanged (stripped) with no sections.
    ``known_sections`` (names of the organisation master) are sections whatever their ending.
    """
    read = read_trailing_sections(bullet, known_sections=known_sections)
    return read.text, read.sections

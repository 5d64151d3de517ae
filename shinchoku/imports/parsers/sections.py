"""Section names in a bullet's trailing parentheses: ``…を実施した。(市民協働課・教育指導課)``.

Both text formats end each bullet with the responsible section(s) in parentheses.
Names are joined by ``・`` or ``、``, but ``・`` is also used *inside* names
(``人権・広聴相談課`` is one section), so a plain split is wrong. The rule used here:
a fragment that does not end in an organisational suffix (課, 室, 部, 委員会, …) is
the first half of a longer name and is joined, with its separator, to the next
fragment. ``市野球協会学童部・国際交流委員会`` therefore stays two bodies, while
``人権・広聴相談課`` stays one section.

A trailing parenthesis counts as a list of sections only when every name in it ends
in such a suffix; ``(17講座)`` or ``(案)`` are part of the sentence.
"""

from __future__ import annotations

import re

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
)

SEPARATORS = "・、,，"

_SPLIT_RE = re.compile(f"([{SEPARATORS}])")

# A parenthesised group at the very end of a bullet, ASCII or full-width parentheses,
# possibly followed by blanks. The group itself must not contain parentheses.
_TRAILING_RE = re.compile(r"[(（]([^()（）]+)[)）]\s*$")


def is_organisation_name(name: str) -> bool:
    """True when ``name`` ends like the name of a section or body (課, 部, 委員会, …)."""
    name = name.strip()
    return bool(name) and name.endswith(ORGANISATION_SUFFIXES)


def split_sections(text: str) -> list[str]:
    """Split the contents of a trailing parenthesis into section names, in order.

    >>> split_sections("市民協働課・教育指導課")
    ['市民協働課', '教育指導課']
    >>> split_sections("人権・広聴相談課")
    ['人権・広聴相談課']
    """
    parts = _SPLIT_RE.split(text.strip())
    # parts alternates: fragment, separator, fragment, separator, ..., fragment
    names: list[str] = []
    pending = ""
    for index in range(0, len(parts), 2):
        fragment = parts[index].strip()
        separator = parts[index + 1] if index + 1 < len(parts) else ""
        if not fragment:
            # "課・・室" or a leading separator: nothing to join, drop the empty piece.
            continue
        pending += fragment
        if is_organisation_name(pending) or not separator:
            names.append(pending)
            pending = ""
        else:
            # Not a complete name ("人権"): the separator belongs to the name.
            pending += separator
    if pending:
        # Only reachable when the text ends with a separator ("人権・").
        names.append(pending.rstrip(SEPARATORS))
    return [name for name in names if name]


def split_trailing_sections(bullet: str) -> tuple[str, list[str]]:
    """Split ``"…を実施した。(市民協働課)"`` into ``("…を実施した。", ["市民協働課"])``.

    A bullet without a trailing parenthesis, or whose trailing parenthesis does not
    name organisations (``(17講座)``), is returned unchanged (stripped) with no sections.
    """
    stripped = bullet.strip()
    match = _TRAILING_RE.search(stripped)
    if match is None:
        return stripped, []
    names = split_sections(match.group(1))
    if not names or not all(is_organisation_name(name) for name in names):
        return stripped, []
    return stripped[: match.start()].rstrip(), names

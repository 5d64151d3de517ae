"""区分 (classification) codes as documents write them, in one canonical form.

A guideline progress table classifies each initiative row with a short code whose
meaning the document's own legend gives (区分 / 説明). Cities use several families:

* Roman numerals ``Ⅰ``–``Ⅴ`` (seed 004, written both ``Ⅱ`` and ``II``): normalised by
  :func:`shinchoku.core.text.normalize_roman` to upper-case ASCII, ``Ⅱ`` → ``II``;
* letters ``A``/``B``/``C``, also full-width ``Ａ``: NFKC and upper case, ``ａ`` → ``A``
  (so a Roman-looking letter such as ``C`` is the same code in either reading);
* digits ``1``–``4``, also full-width ``１``: NFKC, ``１`` → ``1``;
* circled digits ``①``–``④``: kept as written (see :func:`shinchoku.core.text.normalize`);
* words such as ``継続`` / ``拡充`` / ``新規``: NFKC, as written.

Blanks inside a code are removed (``Ⅱ `` and `` II`` are ``II``). A code is short
(:data:`MAX_CODE_LENGTH` characters) and holds no sentence punctuation; anything
else (a policy sentence in the wrong column, an empty-cell mark ``―``) is not a code.
"""

from __future__ import annotations

import re

from shinchoku.core.text import normalize, normalize_roman

__all__ = ["MAX_CODE_LENGTH", "classification_code"]

# The database keeps codes in 20 characters; real codes are one to four.
MAX_CODE_LENGTH = 8

_BLANKS_RE = re.compile(r"\s+")
# Letters, digits, kana, kanji and circled numbers (all str.isalnum), joined by - . ・ ー,
# possibly in parentheses: (1), (2).
_CODE_RE = re.compile(r"[\w\-.・ー()]+")
_NOT_CODES = frozenset({"なし", "無し", "特になし", "該当なし", "未定"})


def classification_code(text: str) -> str | None:
    """The canonical form of the 区分 code ``text``, or None when it is not a code.

    >>> [classification_code(c) for c in ("Ⅱ", "ii", "Ａ", "１", "①", "継続", "―", "担当課で推進。")]
    ['II', 'II', 'A', '1', '①', '継続', None, None]
    """
    candidate = _BLANKS_RE.sub("", normalize(text))
    if (
        not candidate
        or len(candidate) > MAX_CODE_LENGTH
        or candidate in _NOT_CODES
        or "_" in candidate
        or not _CODE_RE.fullmatch(candidate)
        or not any(ch.isalnum() and ch != "ー" for ch in candidate)
    ):
        return None
    try:
        return normalize_roman(candidate)
    except ValueError:
        pass
    if candidate.isascii() and candidate.isalpha():
        return candidate.upper()
    return candidate

"""Character-level clean-up of Japanese official text.

The documents our users publish come out of PDFs, Excel sheets and HTML, and mix
full-width and half-width forms freely: ``ＣＭＳ`` and ``CMS``, ``ﾌｧﾝﾄﾞ`` and ``ファンド``,
``Ⅱ`` and ``II``. Before text is stored, compared or parsed it is normalised here.

Normalisation rule (``normalize``)
==================================

Unicode NFKC, with two deliberate exceptions:

1. **Circled characters are kept** (every character whose compatibility
   decomposition is tagged ``<circle>``: ①–⑳, ㉑–㊿, ⓐ, Ⓐ, ㊤, ㋐ …). In the
   documents they are structural labels (sub-section ①, bullet ②), and NFKC would
   turn ``①`` into a bare ``1`` that can no longer be told apart from a number.
   They are outside JIS X 0208, so ``non_jis_x0208`` still flags them before
   publication; replacing them is an editorial decision, not a normalisation.

2. **JIS X 0208 characters that NFKC would turn into something other than a
   single ASCII character are kept**: ``…`` ``‥`` ``℃`` ``゛`` ``゜`` ``´`` ``¨`` ``″`` ``￣`` ``￥``
   ``Å`` ``∬`` and ``‾``. NFKC rewrites these into sequences (``...``, ``°C``,
   space + combining mark) that change how the sentence reads and, for some, are
   no longer encodable in JIS X 0208 at all — normalising would *create*
   publishing defects. The set is computed from the codec, not hand-written, so
   it is exactly "JIS characters whose NFKC form is not one ASCII character".

Everything else follows NFKC, which is what we want for Japanese text:

- full-width ASCII becomes ASCII: ``ＣＭＳ`` → ``CMS``, ``１２`` → ``12``,
  ``（`` ``）`` ``：`` ``，`` ``％`` → ``(`` ``)`` ``:`` ``,`` ``%``, and the
  full-width tilde ``～`` → ``~``;
- the ideographic space U+3000 becomes an ASCII space (it is the full-width form
  of the space; ``squash_spaces`` treats both the same anyway);
- half-width katakana become full-width, with voiced marks composed
  (``ﾌｧﾝﾄﾞ`` → ``ファンド``, ``ｰ`` → ``ー``, ``･`` → ``・``);
- Roman numeral signs become ASCII letters (``Ⅱ`` → ``II``, ``ⅳ`` → ``iv``);
- squared era names and units are spelt out (``㍻`` → ``平成``, ``㋿`` → ``令和``,
  ``㎡`` → ``m2``, ``㈱`` → ``(株)``).

Japanese punctuation that NFKC leaves alone (``、。「」『』【】・ー〜``) stays as it is.

``normalize`` is about characters only; it never touches spacing. Spaces that PDF
extraction inserts between Japanese characters are removed by ``squash_spaces``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "MappedText",
    "is_wide",
    "non_jis_x0208",
    "normalize",
    "normalize_mapped",
    "normalize_roman",
    "squash_spaces",
]


@functools.lru_cache(maxsize=4096)
def _in_jis(ch: str) -> bool:
    """True if ``ch`` is ASCII, JIS X 0201 Roman or JIS X 0208.

    Python's ``iso2022_jp`` codec encodes exactly that repertoire (no JIS X 0201
    katakana, no NEC/IBM extensions), so it is the reference we test against.
    """
    try:
        ch.encode("iso2022_jp")
    except UnicodeEncodeError:
        return False
    return True


@functools.lru_cache(maxsize=4096)
def _preserved(ch: str) -> bool:
    """True for characters that ``normalize`` deliberately leaves untouched."""
    if unicodedata.decomposition(ch).startswith("<circle>"):
        return True
    nfkc = unicodedata.normalize("NFKC", ch)
    # Full-width forms map to exactly one ASCII character (Ａ → A, 　 → space);
    # anything else NFKC does to a JIS character rewrites it (… → ..., ℃ → °C).
    return nfkc != ch and not (len(nfkc) == 1 and nfkc.isascii()) and _in_jis(ch)


def normalize(text: str) -> str:
    """Return ``text`` in NFKC, except for circled labels and JIS symbols (see module doc).

    >>> normalize("ﾌｧﾝﾄﾞ ＣＭＳ １２ Ⅱ ① …")
    'ファンド CMS 12 II ① …'
    """
    # NFKC is applied to the runs between preserved characters. Preserved
    # characters are never produced by NFKC (they all change under it), so the
    # split points are the same on a second pass and the function is idempotent.
    out: list[str] = []
    run_start = 0
    for i, ch in enumerate(text):
        if _preserved(ch):
            out.append(unicodedata.normalize("NFKC", text[run_start:i]))
            out.append(ch)
            run_start = i + 1
    out.append(unicodedata.normalize("NFKC", text[run_start:]))
    return "".join(out)


@dataclass(frozen=True)
class MappedText:
    """Normalised text that remembers where each character came from.

    ``starts[k]`` / ``ends[k]`` are the span in the original text that produced
    normalised character ``k``. A character can come from several originals
    (``ﾄﾞ`` → ``ド``) and several characters from one original (``㍻`` → ``平成``).
    """

    text: str
    original_length: int
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of ``self.text`` back to the original text."""
        if start >= end:
            pos = self.starts[start] if start < len(self.starts) else self.original_length
            return pos, pos
        return self.starts[start], self.ends[end - 1]


def normalize_mapped(text: str) -> MappedText:
    """Normalise like ``normalize`` but keep an offset map to the original text.

    Used by parsers that must report spans in the text the user wrote. The
    result equals ``normalize(text)`` for Japanese text; it works character by
    character and recomposes combining marks (the half-width voiced marks ﾞ ﾟ),
    which is all NFKC's context-sensitivity amounts to in our documents.
    """
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        piece = ch if _preserved(ch) else unicodedata.normalize("NFKC", ch)
        for pc in piece:
            if chars and unicodedata.combining(pc):
                composed = unicodedata.normalize("NFC", chars[-1] + pc)
                if len(composed) == 1:
                    chars[-1] = composed
                    ends[-1] = i + 1
                    continue
            chars.append(pc)
            starts.append(i)
            ends.append(i + 1)
    return MappedText("".join(chars), len(text), tuple(starts), tuple(ends))


def is_wide(ch: str) -> bool:
    """True for characters set full-width in Japanese text (kanji, kana, full-width forms)."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


# Horizontal spaces only: tabs separate columns in extracted tables and newlines
# separate lines, both carry structure and are never touched.
_SPACE_RUN = re.compile(r"[ \u3000\u00a0]+")


def squash_spaces(text: str) -> str:
    """Remove the spaces PDF extraction puts between Japanese characters.

    A run of spaces *between two characters on the same line* is

    - removed when either neighbour is a wide (Japanese) character:
      ``第 5次`` → ``第5次``, ``29 年度`` → ``29年度``,
      ``総 ペ ー ジ ビ ュ ー 数`` → ``総ページビュー数``, ``Web アンケート`` → ``Webアンケート``;
    - collapsed to one ASCII space between two narrow characters:
      ``ICT  system`` → ``ICT system``, ``81.2%  → 89.9%`` keeps its spaces.

    Leading and trailing spaces of a line are left alone (indentation is the
    caller's business; ``str.strip`` exists). Japanese has no word spaces, so the
    cost is that a deliberate space goes too (``山口 清治`` → ``山口清治``).
    """

    def repl(m: re.Match[str]) -> str:
        start, end = m.span()
        if start == 0 or end == len(text):
            return m.group()
        before, after = text[start - 1], text[end]
        if before in "\r\n\t" or after in "\r\n\t":
            return m.group()
        if is_wide(before) or is_wide(after):
            return ""
        return " "

    return _SPACE_RUN.sub(repl, text)


_ROMAN = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")


def normalize_roman(code: str) -> str:
    """Return the canonical upper-case ASCII Roman numeral for ``code``.

    Accepts the Unicode numeral signs (``Ⅱ``, ``ⅱ``, ``Ⅻ``), full-width letters
    (``ＩＩ``) and ASCII in any case, with surrounding spaces. Used for the 区分
    classification codes I–V, which the documents write both as ``II`` and ``Ⅱ``.
    Only canonical numerals are accepted (``IIII`` and ``VX`` are typos, not codes).

    Raises ``ValueError`` (quoting the input) when ``code`` is not a Roman numeral.
    """
    candidate = normalize(code).strip().upper()
    if not candidate or not _ROMAN.fullmatch(candidate):
        raise ValueError(f"{code!r} is not a Roman numeral (expected e.g. I, II, Ⅳ, ⅻ)")
    return candidate


# Control characters that are legitimate in text and encodable in ISO-2022-JP.
_ALLOWED_CONTROLS = frozenset("\n\r\t")


def non_jis_x0208(text: str) -> list[tuple[int, str]]:
    """List the characters of ``text`` outside JIS X 0208, as ``(position, char)``.

    ASCII and JIS X 0201 Roman (``¥``, ``‾``) count as fine, as do newlines and
    tabs. Reported: NEC special characters (``①``, ``Ⅱ``, ``㈱``, ``㍻``), IBM
    extension kanji (``髙``, ``﨑``), half-width katakana (``ｱ``), emoji, and
    anything else a JIS-based system (or a reader's font) may not show. Positions
    are 0-based indices into ``text``. Run this on the *original* text: the user
    must fix what they wrote, not what we normalised it to.
    """
    return [(i, ch) for i, ch in enumerate(text) if ch not in _ALLOWED_CONTROLS and not _in_jis(ch)]


# C0 controls other than tab, line feed and carriage return, and DEL: no document text holds
# them, XLSX cannot store them, and a terminal or spreadsheet may act on them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def find_control_character(text: str) -> int | None:
    """The index of the first control character of ``text`` (see CONTROL_CHARACTERS), or None."""
    found = CONTROL_CHARACTERS.search(text)
    return found.start() if found else None

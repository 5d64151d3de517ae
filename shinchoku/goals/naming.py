"""The name the importer proposes for an indicator, read from the goal's own words.

A figure's label is often not a name: in the extracted tables it is a column head
(``H27年度``, ``令和6年度見込``) or a category (``個人`` in ``認定登録数 個人10名・15団体``).
The name is the phrase the document writes before the target figure, in its 達成目標:

- ``・公式ホームページの総ページビュー数 120万件`` → ``公式ホームページの総ページビュー数``;
- ``・財政調整基金残高、10億円を確保します。`` → ``財政調整基金残高`` (the clause before the figure);
- ``・町道の舗装補修延長を3.2km、側溝の改修延長を850mとし…`` → ``町道の舗装補修延長``,
  ``側溝の改修延長`` (a particle at the end of the phrase is dropped);
- ``・年度末の財政調整基金残高について、15億円以上…`` → ``財政調整基金残高`` (a leading
  period — 年度末の, 平成28年度末, 前年度末 — describes the year, not the indicator);
- ``前年度末残高：269億1千万円`` → ``市債残高``: when only a bare head noun (``残高``) is
  left, the fuller noun ending in it elsewhere in the goal's text is taken;
- ``・認定登録数 個人10名・15団体`` → ``認定登録数（個人）`` and ``認定登録数（団体）``: a
  category label (two characters or fewer) qualifies the phrase it ends; a figure that
  follows another in the same line shares its phrase;
- a goal without a target figure is named from its 目標達成状況 around the actual
  (``「主な事業」の概ね達成する率 (H27年度) (H28年度見込) 81.2% → 89.9%`` →
  ``「主な事業」の概ね達成する率``: lines of column heads are skipped);
- otherwise the figure's label when it is a name, else the goal's title.

Round brackets are printed full-width, as official documents write them.
"""

from __future__ import annotations

import re

from shinchoku.core.figures import Figure, find_figures
from shinchoku.documents.schema import ParsedGoal

__all__ = ["is_indicator_name", "propose_indicator_name"]

_NAME_MAX = 300
_BULLETS = "・●○◎■□◆◇※-"
_EDGE = " \u3000\t\r\n:：,，、→=" + _BULLETS
# Particles that end a phrase before the figure (財政調整基金残高は、舗装補修延長を3.2km).
_PARTICLES = (
    "については",
    "について",
    "としては",
    "では",
    "には",
    "とは",
    "は",
    "が",
    "を",
    "に",
    "で",
    "も",
    "の",
)
_ERA = r"(?:平成|令和|昭和|[HRS])"
# A period written before the name: 年度末の, 平成28年度末, H27年度, 前年度末, 今年度の.
_PERIOD = re.compile(
    r"^(?:"
    + _ERA
    + r"?\s*(?:[0-9]+|元)\s*年度(?:末|当初)?|前年度末?|今年度|本年度|当年度|年度末)(?:時点)?の?"
)
# A column head, not a name: H27年度, 令和6年度見込, 平成28年度末, 見込, 実績値, 目標.
_COLUMN_HEAD = re.compile(
    r"^\(?(?:" + _ERA + r"?\s*(?:[0-9]+|元)\s*年度?(?:末|当初)?|前年度末?|今年度|年度末)?"
    r"(?:見込み?|実績|目標|現状|基準|速報|暫定|予定)?値?\)?$"
)
_PARENTHETICAL = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_NOUN_CHARS = r"\u4e00-\u9fff\u30a0-\u30ffー々〆ヶ"
_NOUN_END = re.compile(r"[" + _NOUN_CHARS + r"A-Za-z0-9」』)）\]]$")
# A category label qualifies a phrase rather than naming an indicator: 個人, 団体, 男性.
_CATEGORY_MAX = 2


def _is_column_head(text: str) -> bool:
    return bool(_COLUMN_HEAD.fullmatch(text.replace(" ", "")))


def is_indicator_name(text: str | None) -> bool:
    """Whether ``text`` can name an indicator on its own: a noun phrase, not a year or category."""
    if not text:
        return False
    text = text.strip()
    return (
        _CATEGORY_MAX < len(text) <= _NAME_MAX
        and not _is_column_head(text)
        and "。" not in text
        and _NOUN_END.search(text) is not None
    )


def _is_category(label: str | None) -> bool:
    return bool(label) and not _is_column_head(label or "") and len((label or "").strip()) <= _CATEGORY_MAX


def _clean(phrase: str) -> str:
    """A phrase without separators at its ends, a final particle and a leading period."""
    phrase = phrase.strip(_EDGE)
    for particle in _PARTICLES:
        if phrase.endswith(particle) and len(phrase) > len(particle) + 1:
            phrase = phrase[: -len(particle)].rstrip(_EDGE)
            break
    stripped = _PERIOD.sub("", phrase).strip(_EDGE)
    return stripped or phrase


def _expand_head(head: str, goal: ParsedGoal) -> str | None:
    """``残高`` → ``市債残高``: the first fuller noun ending in ``head`` in the goal's words."""
    pattern = re.compile(r"[" + _NOUN_CHARS + r"]+" + re.escape(head))
    for text in (goal.target_text, goal.title, goal.content):
        for match in pattern.finditer(text):
            candidate = _PERIOD.sub("", match.group())
            if len(candidate) > len(head):
                return candidate
    return None


def _lead(text: str, start: int, previous_end: int) -> str:
    """The text of the figure's sentence before it, since the previous figure, without column-head lines."""
    lead = text[previous_end:start]
    lead = lead[lead.rfind("。") + 1 :]
    bullet = max((lead.rfind("\n" + b) for b in _BULLETS), default=-1)
    if bullet >= 0:
        lead = lead[bullet + 1 :]
    lines = []
    for line in lead.splitlines():
        content = line.strip(_EDGE)
        if content and not _PARENTHETICAL.sub("", content).strip(_EDGE + "()[]"):
            continue  # (H27年度) (H28年度見込): column heads of an extracted table
        lines.append(line.strip())
    return "".join(lines)


def _name_from_lead(lead: str, label: str | None, goal: ParsedGoal) -> tuple[str | None, str | None]:
    """``(name, subject)`` from the text before a figure; the subject names the next figure of the line.

    The clauses are read backwards from the figure (財政調整基金残高、10億円 → the clause before
    the empty one; 割合を、前年度より1割 → past 前年度より, which is not a name).
    """
    for clause in reversed(re.split(r"[、,]", lead)):
        phrase = _clean(clause)
        if not phrase:
            continue
        if label and _is_category(label) and phrase.endswith(label) and len(phrase) > len(label):
            subject = _clean(phrase[: -len(label)])
            if is_indicator_name(subject):
                return f"{subject}（{label}）", subject
        if is_indicator_name(phrase):
            return phrase, phrase
        if len(phrase) <= _CATEGORY_MAX and _NOUN_END.search(phrase):
            expanded = _expand_head(phrase, goal)
            if expanded is not None:
                return expanded, expanded
    return None, None


def _name_in_text(text: str, figure: Figure, labels: list[str | None], goal: ParsedGoal) -> str | None:
    """The name of ``figure`` from the words before it in ``text``; None when they give none."""
    known: dict[tuple[object, str], str | None] = {}
    for f in [*goal.targets, *goal.actuals]:
        known.setdefault((f.value, f.unit), f.label)
    category = next((label for label in labels if label and _is_category(label)), None)
    subject: str | None = None
    previous_end = 0
    found = find_figures(text)
    for start, end, candidate in found:
        lead = _lead(text, start, previous_end)
        # 個人10名・15団体: the second figure follows the first in the same line with no words of its own.
        continues = previous_end > 0 and "\n" not in text[previous_end:start] and not lead.strip(_EDGE)
        if candidate.value == figure.value and candidate.unit == figure.unit:
            if continues and subject is not None:
                return f"{subject}（{category}）" if category else subject
            return _name_from_lead(lead, category, goal)[0]
        if not continues:
            subject = _name_from_lead(lead, known.get((candidate.value, candidate.unit)), goal)[1]
        if _separated(text, end):
            previous_end = end
    return None


def _separated(text: str, end: int) -> bool:
    """Whether the figure ending at ``end`` closes a phrase: a separator follows it.

    ``個人10名・15団体`` and ``延長を3.2km、側溝…`` separate; in ``市民1人1日当たりの…排出量``
    and ``週1回以上運動する人の割合`` the figure is part of the next figure's name.
    """
    following = text[end : end + 1]
    return not following or following in _EDGE + "→〜~)）"


def _fullwidth_brackets(name: str) -> str:
    return name.replace("(", "（").replace(")", "）")


def propose_indicator_name(goal: ParsedGoal, target: Figure | None, actual: Figure | None) -> str:
    """The name of the indicator whose figures are ``target`` and ``actual`` (see the module docstring)."""
    labels = [f.label for f in (target, actual) if f is not None]
    sources = [(goal.target_text, target), (goal.status_text, actual)]
    for text, figure in sources:
        if figure is None or not text:
            continue
        name = _name_in_text(text, figure, labels, goal)
        if name:
            return _fullwidth_brackets(name)[:_NAME_MAX]
    for label in labels:
        if is_indicator_name(label):
            return _fullwidth_brackets(_clean(label or ""))[:_NAME_MAX]
    return goal.title[:_NAME_MAX]

"""Whose document is this? Another municipality's document is never imported silently.

The evidence, strongest first:

1. **Title and header lines**: the goal declaration's title, its declarer line and
   any line above its table; the guideline's name (``『伊勢原市市民参加推進指針』``).
   A municipality named there is the document's owner.
2. **The guideline already belongs elsewhere**: a plan of that exact name exists
   in another municipality of the database, and not in this one.
3. **The body** (records, bullets, section names): a city hall often mentions a
   neighbour in passing (``●厚木市との連携``), so this is weak evidence only.

The rule:

* the head names the importing municipality → ours; any other name, in the head or
  the body, is a warning;
* the head names only other municipalities → **refused**, naming the first one,
  unless the person confirms (the confirmation is recorded); a guessed ward (東区)
  is taken for a ward of the importing city and only warns;
* otherwise (the head names no municipality, or only a ward) → refused when the
  guideline is another municipality's plan (2); other names are warnings, and the
  import proceeds.

Names are found by ``municipality_names``: the names in the database and the
importing municipality's are matched exactly, others are guessed from their shape.

Our own exports (``reports.xlsx``, ``reports.pdf``) carry no municipality code or
name of their own, only the title they reproduce: a re-imported export is checked
by its title like the document it came from.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from shinchoku.documents.schema import ParsedDocument, ParsedGoalDeclaration, ParsedGuidelineProgress
from shinchoku.imports.municipality_names import Scan, find_names, fold, name_key
from shinchoku.organizations.models import Municipality
from shinchoku.plans.models import Plan

_CONTEXT = 20  # characters shown on each side of a name found in the body
_MAX_WARNINGS = 5  # one warning per name, at most five: enough to tell the document is not ours


class Place(enum.Enum):
    TITLE = "title"
    HEADER = "header"
    BODY = "body"


@dataclass(frozen=True)
class Mention:
    """A municipality name, where it was found and the text around it."""

    name: str
    place: Place
    text: str
    known: bool = False  # a name in the database, not a guess


@dataclass(frozen=True)
class Ownership:
    """What the document says about whose it is, and what the import must do about it."""

    target: str  # the importing municipality's name
    title: str
    # The head names this other municipality (and not the target): refused.
    owner: Mention | None = None
    # The guideline is already a plan of this other municipality: refused.
    plan_owner: str | None = None
    # Other names that only warn.
    mentions: tuple[Mention, ...] = field(default_factory=tuple)

    @property
    def refused(self) -> bool:
        return self.owner is not None or self.plan_owner is not None

    @property
    def other(self) -> str:
        """The municipality the document is taken to belong to ("" when it is not refused)."""
        if self.owner is not None:
            return self.owner.name
        return self.plan_owner or ""

    def reason(self) -> str:
        """Why the import is refused, naming both municipalities ("" when it is not)."""
        if self.owner is not None:
            values = {"owner": self.owner.name, "title": self.owner.text, "target": self.target}
            if self.owner.place is Place.TITLE:
                return (
                    _(
                        "This document belongs to %(owner)s (title: %(title)s). "
                        "It cannot be imported into %(target)s."
                    )
                    % values
                )
            return (
                _(
                    "This document belongs to %(owner)s (heading: %(title)s). It cannot be imported into %(target)s."
                )
                % values
            )
        if self.plan_owner is not None:
            return _(
                "The guideline 『%(plan)s』 is already a plan of %(owner)s. It cannot be imported into %(target)s."
            ) % {"plan": self.title, "owner": self.plan_owner, "target": self.target}
        return ""

    def confirm_label(self) -> str:
        return _("I have checked: this document of %(owner)s is to be imported into %(target)s.") % {
            "owner": self.other,
            "target": self.target,
        }

    def warnings(self) -> list[str]:
        messages = []
        for mention in self.mentions:
            values = {"name": mention.name, "text": mention.text, "target": self.target}
            if mention.place is Place.BODY:
                message = _(
                    "The text mentions %(name)s (「%(text)s」). Check that this document is %(target)s's."
                )
            else:
                message = _(
                    "The title or heading also names %(name)s (「%(text)s」). "
                    "Check that this document is %(target)s's."
                )
            messages.append(message % values)
        return messages


def document_ownership(municipality: Municipality, document: ParsedDocument) -> Ownership:
    """Apply the rule of the module docstring to a parsed document."""
    known = [municipality.name, *Municipality.objects.values_list("name", flat=True)]
    target = name_key(municipality.name)
    title = _title(document)
    head = [m for place, text in _head_texts(document) for m in _mentions(text, place, known)]
    body = [m for text in _body_texts(document) for m in _mentions(text, Place.BODY, known)]
    names_target = any(m.name == target for m in head)
    others = [m for m in [*head, *body] if m.name != target]
    owners = [m for m in head if m.name != target and _may_own(m, target)]
    if owners and not names_target:
        return Ownership(
            target=municipality.name,
            title=title,
            owner=owners[0],
            mentions=_first_of_each(others, skip=owners[0].name),
        )
    plan_owner = None if names_target else _plan_owner(municipality, document)
    return Ownership(
        target=municipality.name,
        title=title,
        plan_owner=plan_owner,
        mentions=_first_of_each(others, skip=plan_owner or ""),
    )


def _may_own(mention: Mention, target: str) -> bool:
    """Whether a name in the head is evidence enough to refuse.

    A guessed ward (中区長の目標宣言, 『東区まちづくりビジョン』) is most likely a ward of the
    importing city itself, not another municipality: it only warns. A ward that is a
    municipality of its own (Tokyo's 港区) is in the database when it matters.
    """
    return mention.known or not mention.name.endswith("区") or target.endswith("区")


def _title(document: ParsedDocument) -> str:
    if isinstance(document, ParsedGoalDeclaration):
        return document.title
    return document.guideline


def _head_texts(document: ParsedDocument) -> Iterator[tuple[Place, str]]:
    """The title and the header lines: what a document says about itself."""
    yield Place.TITLE, _title(document)
    if isinstance(document, ParsedGoalDeclaration):
        yield Place.HEADER, document.declarer_position  # 厚木市企画部長
        # In a goal declaration, lines not placed are the ones above its first record.
        for line in document.unplaced:
            yield Place.HEADER, line.text


def _body_texts(document: ParsedDocument) -> Iterator[str]:
    if isinstance(document, ParsedGoalDeclaration):
        for goal in document.goals:
            yield goal.title
            yield from goal.sections
            yield from (goal.content, goal.target_text, goal.result_text)
            yield from (goal.direction_text, goal.status_text)
        return
    yield from _guideline_body(document)


def _guideline_body(document: ParsedGuidelineProgress) -> Iterator[str]:
    for initiative in document.initiatives:
        yield from (initiative.chapter, initiative.subsection or "", initiative.group or "")
        yield from (initiative.title, initiative.guideline_text)
        for row in initiative.rows:
            yield row.policy
            for entry in [*row.results, *row.plans]:
                yield entry.text
                yield from entry.sections
    yield from (line.text for line in document.unplaced)


def _mentions(text: str, place: Place, known: list[str]) -> Iterator[Mention]:
    scan = Scan.BODY if place is Place.BODY else Scan.HEAD
    text = fold(text)  # the positions of find_names are in this form
    for found in find_names(text, known, scan):
        # A title is shown whole; a body text only around the name.
        context = text[max(0, found.start - _CONTEXT) : found.end + _CONTEXT] if place is Place.BODY else text
        yield Mention(name=found.name, place=place, text=" ".join(context.split()), known=found.known)


def _first_of_each(mentions: list[Mention], *, skip: str) -> tuple[Mention, ...]:
    """The first mention of each name other than ``skip``, at most ``_MAX_WARNINGS``."""
    seen = {skip}
    kept = []
    for mention in mentions:
        if mention.name not in seen:
            seen.add(mention.name)
            kept.append(mention)
    return tuple(kept[:_MAX_WARNINGS])


def _plan_owner(municipality: Municipality, document: ParsedDocument) -> str | None:
    """The other municipality that already has this guideline, when this one does not."""
    if not isinstance(document, ParsedGuidelineProgress):
        return None
    plans = Plan.objects.filter(name=document.guideline).select_related("municipality")
    if plans.filter(municipality=municipality).exists():
        return None
    other = plans.exclude(municipality=municipality).order_by("municipality__code").first()
    return other.municipality.name if other is not None else None

"""People correct what was read before it is imported, and the corrections are kept.

A reader can misplace a line; the planning section sees the document beside what
was read (the preview) and corrects it: the text of a goal's or an initiative's
field (moving a line to another column is editing both; splitting or joining
bullets is editing the lines of a list), its figures, a row's 区分, or a
decision on a line the reader could not place ("checked: not part of the
document"). Each correction is a small JSON object, applied in order to the
reading; the list is kept with the upload and the import record, and applied
again when the same file (same SHA-256) is uploaded again. A correction that no
longer fits (the goal is not there) becomes a warning, never a silent loss.

Forms of the values, as a person types them:
- sections: names separated by 、 or ・ (``split_sections``);
- figures: one per line, ``label：value unit`` with 約 / （見込） as printed;
- entries (results, plans): one per line, with trailing （section names）.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shinchoku.core.figures import Figure, FigureParseError, format_figure, parse_figure
from shinchoku.core.messages import Message
from shinchoku.core.text import normalize
from shinchoku.documents.schema import (
    Ignored,
    ParsedDocument,
    ParsedEntry,
    ParsedGoal,
    ParsedGoalDeclaration,
    ParsedGuidelineProgress,
    ParsedInitiative,
    ParseWarning,
)
from shinchoku.imports.parsers.sections import split_sections, split_trailing_sections

GOAL_TEXT_FIELDS = ("title", "content", "target_text", "result_text", "direction_text", "status_text")
GOAL_FIELDS = (*GOAL_TEXT_FIELDS, "sections", "targets", "actuals")
INITIATIVE_FIELDS = ("title", "guideline_text")
ROW_FIELDS = ("classification", "policy", "results", "plans")


class CorrectionError(ValueError):
    """A value a person typed that cannot be read: the line of the box (from 1), the field, and why.

    ``message`` is translated where it is shown; ``str()`` is ``"2: cannot read a figure …"`` in English.
    """

    def __init__(self, line: int, message: Message, *, field: str = ""):
        self.line = line
        self.message = message
        self.field = field
        super().__init__(f"{line}: {message.english}")


@dataclass(frozen=True)
class Record:
    """A goal or an initiative of a reading, as the preview and the corrections name it."""

    kind: str  # "goal" | "initiative"
    key: int  # a goal's number; an initiative's position (from 0)

    @property
    def slug(self) -> str:
        return f"{self.kind}-{self.key}"

    @classmethod
    def from_slug(cls, slug: str) -> Record:
        kind, _, key = slug.partition("-")
        if kind not in ("goal", "initiative") or not key.isdigit():
            raise ValueError(slug)
        return cls(kind, int(key))


# --- values as a person edits them ---------------------------------------------------------


def figure_line(figure: Figure) -> str:
    label = f"{figure.label}：" if figure.label else ""
    return label + format_figure(figure)


def figures_from_text(text: str) -> list[Figure]:
    figures = []
    for number, line in enumerate(_lines(text), start=1):
        try:
            figures.append(parse_figure(line))
        except FigureParseError as error:
            raise CorrectionError(number, error.message) from None
    return figures


def entry_line(entry: ParsedEntry) -> str:
    return entry.text + (f"（{'、'.join(entry.sections)}）" if entry.sections else "")


def entries_from_text(text: str) -> list[ParsedEntry]:
    entries = []
    for line in _lines(text):
        body, sections = split_trailing_sections(line)
        entries.append(ParsedEntry(text=body, sections=sections))
    return entries


def editable_values(document: ParsedDocument, record: Record) -> dict[str, str]:
    """The current values of a record's fields, in the form a person edits them."""
    if record.kind == "goal":
        goal = goal_of(document, record.key)
        values = {name: getattr(goal, name) for name in GOAL_TEXT_FIELDS}
        values["sections"] = "、".join(goal.sections)
        values["targets"] = "\n".join(figure_line(f) for f in goal.targets)
        values["actuals"] = "\n".join(figure_line(f) for f in goal.actuals)
        return values
    initiative = initiative_of(document, record.key)
    values = {name: getattr(initiative, name) for name in INITIATIVE_FIELDS}
    for index, row in enumerate(initiative.rows):
        values[f"rows.{index}.classification"] = row.classification
        values[f"rows.{index}.policy"] = row.policy
        values[f"rows.{index}.results"] = "\n".join(entry_line(e) for e in row.results)
        values[f"rows.{index}.plans"] = "\n".join(entry_line(e) for e in row.plans)
    return values


def field_edits(
    document: ParsedDocument, record: Record, submitted: dict[str, str], *, by: str, at: str
) -> list[dict[str, Any]]:
    """The corrections for the fields whose submitted value differs from the current one.

    Raises CorrectionError when a value cannot be read (a figure line), before anything is kept.
    """
    current = editable_values(document, record)
    edits = []
    for name, value in submitted.items():
        if name not in current:
            continue
        value = value.replace("\r\n", "\n").strip()
        if value == current[name].strip():
            continue
        if name in ("targets", "actuals"):
            try:
                figures_from_text(value)  # refuse an unreadable figure now, not at import
            except CorrectionError as error:
                raise CorrectionError(error.line, error.message, field=name) from None
        edit: dict[str, Any] = {"record": record.slug, "field": name, "value": value, "by": by, "at": at}
        if record.kind == "initiative":
            edit["title_was"] = initiative_of(document, record.key).title
        edits.append(edit)
    return edits


def line_checked(line: int, code: str, *, by: str, at: str) -> dict[str, Any]:
    """A person looked at a warned line and decided it is read right (or, unplaced: not content)."""
    return {"line": line, "code": code, "action": "checked", "by": by, "at": at}


# --- applying them -------------------------------------------------------------------------


def apply_corrections(document: ParsedDocument, corrections: Iterable[dict[str, Any]]) -> ParsedDocument:
    """A copy of ``document`` with ``corrections`` applied in order.

    A correction that does not fit this reading adds a warning saying so.
    """
    corrected = copy.deepcopy(document)
    for correction in corrections:
        try:
            if "record" in correction:
                _apply_field(corrected, correction)
            elif correction.get("action") == "checked":
                _apply_checked(corrected, correction)
        except (LookupError, ValueError, CorrectionError):
            corrected.warnings.append(
                ParseWarning(
                    line=int(correction.get("line") or 0),
                    code="correction_not_applied",
                    params={
                        "what": correction.get("record") or correction.get("code") or "",
                        "by": correction.get("by", ""),
                    },
                )
            )
    return corrected


def goal_of(document: ParsedDocument, number: int) -> ParsedGoal:
    if not isinstance(document, ParsedGoalDeclaration):
        raise LookupError(number)
    for goal in document.goals:
        if goal.number == number:
            return goal
    raise LookupError(number)


def initiative_of(document: ParsedDocument, index: int) -> ParsedInitiative:
    if not isinstance(document, ParsedGuidelineProgress) or not 0 <= index < len(document.initiatives):
        raise LookupError(index)
    return document.initiatives[index]


def _apply_field(document: ParsedDocument, correction: dict[str, Any]) -> None:
    record = Record.from_slug(correction["record"])
    name, value = correction["field"], correction["value"]
    if record.kind == "goal":
        goal = goal_of(document, record.key)
        if name in GOAL_TEXT_FIELDS:
            setattr(goal, name, normalize(value) if name == "title" else value)
        elif name == "sections":
            goal.sections = split_sections(value)
        elif name in ("targets", "actuals"):
            setattr(goal, name, figures_from_text(value))
        else:
            raise LookupError(name)
        return
    initiative = initiative_of(document, record.key)
    if correction.get("title_was") not in (None, initiative.title):
        raise LookupError(record.slug)  # another document's initiative at that position
    if name in INITIATIVE_FIELDS:
        setattr(initiative, name, value)
        return
    prefix, index, field_name = name.split(".")
    if prefix != "rows" or field_name not in ROW_FIELDS:
        raise LookupError(name)
    row = initiative.rows[int(index)]
    if field_name in ("results", "plans"):
        setattr(row, field_name, entries_from_text(value))
    else:
        setattr(row, field_name, value.strip())


def _apply_checked(document: ParsedDocument, correction: dict[str, Any]) -> None:
    line, code = int(correction["line"]), correction["code"]
    if code == "unplaced":
        found = [u for u in document.unplaced if u.line == line]
        if not found:
            raise LookupError(line)
        document.unplaced = [u for u in document.unplaced if u.line != line]
        document.ignored.extend(Ignored(line=u.line, text=u.text, why="checked_by_person") for u in found)
        return
    kept = [w for w in document.warnings if not (w.line == line and w.code == code)]
    if len(kept) == len(document.warnings):
        raise LookupError(line)
    document.warnings = kept


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]

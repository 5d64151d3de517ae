"""Reads for the import preview: the document beside what was read, record by record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shinchoku.documents.schema import ImportFormatError, ParsedDocument, ParsedGoalDeclaration
from shinchoku.imports.corrections import Record, entry_line, figure_line
from shinchoku.imports.models import PendingImport
from shinchoku.imports.reading import TEXT_FORMATS, decode_text, detect_format


@dataclass
class ReadField:
    label: Any  # a lazily translated label
    lines: list[str]


@dataclass
class RecordView:
    """One goal or initiative: where it starts, the document's lines there, and what was read."""

    record: Record
    heading: str
    line: int
    source: list[tuple[int, str]] = field(default_factory=list)
    fields: list[ReadField] = field(default_factory=list)


def source_lines(pending: PendingImport) -> list[str] | None:
    """The upload's text lines, when it is a text document still kept (not a PDF or a workbook)."""
    data = bytes(pending.data)
    if not data:
        return None
    try:
        if detect_format(data, source=pending.source_name) not in TEXT_FORMATS:
            return None
        return (
            decode_text(data, source=pending.source_name)
            .replace("\r\n", "\n")
            .replace("\r", "\n")
            .split("\n")
        )
    except ImportFormatError:
        return None


def record_views(
    document: ParsedDocument, lines: list[str] | None, labels: Mapping[str, Any]
) -> list[RecordView]:
    """The records in document order, each with the source lines from its first line to the next record's."""
    views = (
        _goal_views(document, labels)
        if isinstance(document, ParsedGoalDeclaration)
        else _initiative_views(document, labels)
    )
    if lines is not None:
        starts = [view.line for view in views]
        for index, view in enumerate(views):
            if not view.line:
                continue
            later = [start for start in starts[index + 1 :] if start > view.line]
            end = later[0] if later else min(len(lines) + 1, view.line + 60)
            # Blank lines are left out (text extracted from a PDF has one between every line);
            # the numbers stay those of the file.
            view.source = [
                (number, lines[number - 1])
                for number in range(view.line, end)
                if number - 1 < len(lines) and lines[number - 1].strip()
            ]
    return views


def _goal_views(document: ParsedGoalDeclaration, labels: Mapping[str, Any]) -> list[RecordView]:
    views = []
    for goal in document.goals:
        fields = [
            ReadField(labels["sections"], ["、".join(goal.sections)]),
            ReadField(labels["content"], goal.content.splitlines()),
            ReadField(labels["target_text"], goal.target_text.splitlines()),
            ReadField(labels["targets"], [figure_line(f) for f in goal.targets]),
            ReadField(labels["result_text"], goal.result_text.splitlines()),
            ReadField(labels["direction_text"], goal.direction_text.splitlines()),
            ReadField(labels["status_text"], goal.status_text.splitlines()),
            ReadField(labels["actuals"], [figure_line(f) for f in goal.actuals]),
        ]
        views.append(
            RecordView(
                record=Record("goal", goal.number),
                heading=f"{goal.number}　{goal.title}",
                line=goal.line,
                fields=fields,
            )
        )
    return views


def _initiative_views(document: ParsedDocument, labels: Mapping[str, Any]) -> list[RecordView]:
    views = []
    for index, initiative in enumerate(getattr(document, "initiatives", [])):
        fields = [ReadField(labels["guideline_text"], initiative.guideline_text.splitlines())]
        for row in initiative.rows:
            fields.append(ReadField(labels["classification"], [row.classification]))
            fields.append(ReadField(labels["policy"], row.policy.splitlines()))
            fields.append(ReadField(labels["results"], [entry_line(e) for e in row.results]))
            fields.append(ReadField(labels["plans"], [entry_line(e) for e in row.plans]))
        views.append(
            RecordView(
                record=Record("initiative", index),
                heading=initiative.title,
                line=initiative.line,
                fields=fields,
            )
        )
    return views


def correction_lines(corrections: list[dict[str, object]]) -> list[str]:
    """Each kept correction in words: who, when (Japan time, 和暦), what."""
    from datetime import datetime

    from django.utils import timezone
    from django.utils.translation import gettext as _

    from shinchoku.core.eras import format_date
    from shinchoku.imports.forms import field_label

    lines = []
    for correction in corrections:
        try:
            at = timezone.localtime(datetime.fromisoformat(str(correction.get("at"))))
            when = f"{format_date(at.date())} {at:%H:%M}"
        except ValueError:
            when = ""
        who = str(correction.get("by") or "")
        if "record" in correction:
            kind, _sep, key = str(correction["record"]).partition("-")
            record = (
                _("goal %(number)s") % {"number": key}
                if kind == "goal"
                else _("initiative %(number)s") % {"number": int(key) + 1}
            )
            try:
                what = _("%(record)s: %(field)s corrected") % {
                    "record": record,
                    "field": field_label(str(correction["field"])),
                }
            except KeyError:
                what = record
        else:
            what = _("line %(line)s checked") % {"line": correction.get("line")}
        lines.append(f"{when} {who}: {what}".strip())
    return lines

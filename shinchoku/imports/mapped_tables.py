"""A city's own table (CSV or XLSX in its own columns) read through a column mapping.

Many cities keep their goals or their guideline's progress in a spreadsheet of
their own design, not in a published report's layout. Such a file is read as a
plain table (its header row and its rows), and a person says once which column is
the title, the target, the result, the sections in charge, the 区分, the figures
(``ColumnMapping``, kept per municipality and offered again for a table with the
same headers next year). The document is then built from the table and the mapping
and previewed like any other; cells that cannot be read (a figure) are warnings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy, gettext_noop

from shinchoku.core.figures import parse_figures
from shinchoku.core.messages import Message
from shinchoku.core.messages import message as _
from shinchoku.core.tables import TableError, header_key, table_rows
from shinchoku.core.text import normalize
from shinchoku.documents.schema import (
    ImportFormatError,
    ParsedClassification,
    ParsedDocument,
    ParsedEntry,
    ParsedGoal,
    ParsedGoalDeclaration,
    ParsedGuidelineProgress,
    ParsedInitiative,
    ParsedRow,
    ParseWarning,
)
from shinchoku.imports.parsers.sections import split_sections, split_trailing_sections

# Rows searched for the header: the first with at least two filled cells.
HEADER_SEARCH_ROWS = 10

# The fields a column can be mapped to, per kind of document, with the label the form shows.
LABELS: dict[str, dict[str, str]] = {
    "goal_declaration": {
        "number": gettext_noop("Goal number"),
        "title": gettext_noop("Title"),
        "sections": gettext_noop("Sections in charge"),
        "content": gettext_noop("What is done"),
        "target_text": gettext_noop("Target"),
        "target_figures": gettext_noop("Target figures"),
        "result_text": gettext_noop("Result"),
        "direction_text": gettext_noop("Future direction"),
        "status_text": gettext_noop("Achievement"),
        "actual_figures": gettext_noop("Achieved figures"),
    },
    "guideline_progress": {
        "chapter": gettext_noop("Chapter"),
        "title": gettext_noop("Initiative"),
        "guideline_text": gettext_noop("What the guideline says"),
        "classification": gettext_noop("Classification"),
        "policy": gettext_noop("Policy"),
        "results": gettext_noop("Results"),
        "plans": gettext_noop("Plans"),
        "sections": gettext_noop("Sections in charge"),
    },
}
COLUMNS: dict[str, dict[str, Any]] = {
    kind: {name: gettext_lazy(label) for name, label in labels.items()} for kind, labels in LABELS.items()
}
GOAL_COLUMNS = COLUMNS["goal_declaration"]
PROGRESS_COLUMNS = COLUMNS["guideline_progress"]
REQUIRED = {"goal_declaration": ("title",), "guideline_progress": ("title",)}

_BULLET_RE = re.compile(r"^\s*(?:[●・○◆◇■□▪◎※\-－]|[\u2460-\u2473])\s*")


@dataclass
class RawTable:
    """A table as read: its header cells and its rows (line or row number, cell texts)."""

    header_line: int
    headers: list[str]
    rows: list[tuple[int, list[str]]]

    def to_json(self) -> dict[str, Any]:
        return {
            "header_line": self.header_line,
            "headers": self.headers,
            "rows": [list(r) for r in self.rows],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RawTable:
        return cls(
            header_line=int(data["header_line"]),
            headers=list(data["headers"]),
            rows=[(int(line), list(values)) for line, values in data["rows"]],
        )

    @property
    def signature(self) -> list[str]:
        """The header texts as compared between years (spacing, brackets and width ignored)."""
        return [header_key(h) for h in self.headers]


def raw_table(data: bytes, *, source: str) -> RawTable:
    """Read a CSV or the first sheet of an XLSX as a plain table; ImportFormatError if it is none."""
    try:
        rows = list(table_rows(data, source=source))
    except TableError as error:
        # Never shown: a file that is no table is refused with the reason of the report readers.
        raise ImportFormatError(Message.verbatim(str(error)), source=source) from None
    for line, values in rows[:HEADER_SEARCH_ROWS]:
        if sum(1 for v in values if v) >= 2:
            body = [(n, v) for n, v in rows if n > line and any(v)]
            if not body:
                raise ImportFormatError(_("the table has a header but no rows"), source=source, line=line)
            width = len(values)
            return RawTable(
                header_line=line, headers=values, rows=[(n, (v + [""] * width)[:width]) for n, v in body]
            )
    raise ImportFormatError(
        _(
            "no header row (a row with two or more headings) in the first %(rows)s rows",
            rows=HEADER_SEARCH_ROWS,
        ),
        source=source,
        line=1,
    )


def guess_columns(table: RawTable, kind: str) -> dict[str, int]:
    """Columns whose heading names a field outright (「取組名」→ title), to prefill the form."""
    hints = {
        "number": ("no", "番号", "目標番号"),
        "title": ("取組名", "取り組み名", "目標", "基本的な取り組み", "基本的な取組", "事業名"),
        "sections": ("担当課", "担当課名", "所管課", "担当"),
        "content": ("取組内容", "取り組み内容", "内容"),
        "target_text": ("達成目標",),
        "target_figures": ("目標値", "目標数値"),
        "actual_figures": ("実績値", "実績数値"),
        "result_text": ("取組結果", "取り組み結果", "結果"),
        "direction_text": ("今後の取組の方向性", "方向性", "今後の方向性"),
        "status_text": ("目標達成状況", "達成状況"),
        "chapter": ("章", "大項目"),
        "guideline_text": ("指針の記載内容", "指針の内容"),
        "classification": ("区分",),
        "policy": ("対応方針", "方針"),
        "results": ("実績", "取り組み実績", "取組実績"),
        "plans": ("予定", "取り組み予定", "取組予定"),
    }
    keys = table.signature
    found: dict[str, int] = {}
    for name in COLUMNS[kind]:
        for index, key in enumerate(keys):
            if index in found.values():
                continue
            if any(key.lower() == hint or key.endswith(hint) for hint in hints.get(name, ())):
                found[name] = index
                break
    return found


def build_document(
    table: RawTable, *, kind: str, columns: Mapping[str, int], meta: Mapping[str, Any], source: str
) -> ParsedDocument:
    """The document the table holds, read through ``columns`` (field → column index)."""
    missing = [name for name in REQUIRED[kind] if name not in columns]
    if missing:
        raise ImportFormatError(
            _("no column chosen for 「%(field)s」", field=Message(LABELS[kind][missing[0]])), source=source
        )
    if kind == "goal_declaration":
        return _goals(table, columns, meta)
    return _progress(table, columns, meta)


def _cell(values: list[str], columns: Mapping[str, int], name: str) -> str:
    index = columns.get(name)
    return normalize(values[index]).strip() if index is not None and index < len(values) else ""


def _figures(text: str, line: int, warnings: list[ParseWarning]) -> list[Any]:
    if not text:
        return []
    try:
        return parse_figures(text)
    except ValueError:
        warnings.append(ParseWarning(line=line, code="uncertain_figure", params={"text": text}))
        return []


def _goals(table: RawTable, columns: Mapping[str, int], meta: Mapping[str, Any]) -> ParsedGoalDeclaration:
    warnings: list[ParseWarning] = []
    goals: list[ParsedGoal] = []
    for line, values in table.rows:
        title = _cell(values, columns, "title")
        if not title:
            if any(_cell(values, columns, name) for name in columns):
                warnings.append(
                    ParseWarning(
                        line=line, code="unplaced", params={"text": " / ".join(v for v in values if v)}
                    )
                )
            continue
        written = _cell(values, columns, "number")
        number = int(written) if written.isdigit() else (goals[-1].number + 1 if goals else 1)
        if "number" in columns and not written.isdigit():
            warnings.append(ParseWarning(line=line, code="number_inferred", params={"number": number}))
        goals.append(
            ParsedGoal(
                number=number,
                title=title,
                sections=split_sections(_cell(values, columns, "sections")),
                content=_cell(values, columns, "content"),
                target_text=_cell(values, columns, "target_text"),
                result_text=_cell(values, columns, "result_text"),
                direction_text=_cell(values, columns, "direction_text"),
                status_text=_cell(values, columns, "status_text"),
                targets=_figures(_cell(values, columns, "target_figures"), line, warnings),
                actuals=_figures(_cell(values, columns, "actual_figures"), line, warnings),
                line=line,
            )
        )
    numbers = [g.number for g in goals]
    if len(set(numbers)) != len(numbers):
        raise ImportFormatError(
            _("a goal number repeats"), line=next(g.line for g in goals if numbers.count(g.number) > 1)
        )
    return ParsedGoalDeclaration(
        fiscal_year=int(meta["fiscal_year"]),
        title=str(meta["title"]),
        declarer_position=str(meta["declarer_position"]),
        declarer_name=str(meta["declarer_name"]),
        goals=goals,
        warnings=warnings,
    )


def _entries(text: str, shared_sections: list[str]) -> list[ParsedEntry]:
    """One entry per line (a leading bullet of any kind removed), sections from its trailing （）."""
    entries = []
    for raw in text.splitlines():
        line = _BULLET_RE.sub("", raw).strip()
        if not line or line in ("―", "－", "-", "なし"):
            continue
        body, sections = split_trailing_sections(line)
        entries.append(ParsedEntry(text=body, sections=sections or list(shared_sections)))
    return entries


def _progress(
    table: RawTable, columns: Mapping[str, int], meta: Mapping[str, Any]
) -> ParsedGuidelineProgress:
    warnings: list[ParseWarning] = []
    guideline = str(meta["guideline"])
    initiatives: list[ParsedInitiative] = []
    codes: list[str] = []
    chapter = f"1 {guideline}"
    for line, values in table.rows:
        title = _cell(values, columns, "title")
        written_chapter = _cell(values, columns, "chapter")
        if written_chapter:
            chapter = written_chapter
        if not title:
            if any(_cell(values, columns, name) for name in columns if name != "chapter"):
                warnings.append(
                    ParseWarning(
                        line=line, code="unplaced", params={"text": " / ".join(v for v in values if v)}
                    )
                )
            continue
        code = _cell(values, columns, "classification") or "―"
        if code not in codes:
            codes.append(code)
        shared = split_sections(_cell(values, columns, "sections"))
        row = ParsedRow(
            classification=code,
            policy=_cell(values, columns, "policy"),
            results=_entries(_cell(values, columns, "results"), shared),
            plans=_entries(_cell(values, columns, "plans"), shared),
            line=line,
        )
        last = initiatives[-1] if initiatives else None
        if last is not None and (last.chapter, last.title) == (chapter, title):
            last.rows.append(row)
            continue
        initiatives.append(
            ParsedInitiative(
                chapter=chapter,
                subsection=None,
                group=None,
                title=title,
                guideline_text=_cell(values, columns, "guideline_text"),
                rows=[row],
                line=line,
            )
        )
    return ParsedGuidelineProgress(
        guideline=guideline,
        result_year=int(meta["result_year"]),
        plan_year=int(meta["plan_year"]),
        classifications=[ParsedClassification(code=c, label="") for c in codes],
        initiatives=initiatives,
        warnings=warnings,
    )

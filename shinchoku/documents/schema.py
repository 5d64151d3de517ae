"""What a parser returns: plain, typed data with no database in sight.

Every parser (goal declaration text, guideline progress text, XLSX, PDF) builds
one of these documents; the import service alone turns them into rows. The
``to_json`` methods produce the ``--json`` schema documented in
docs/import-json-schema.md, so the CLI and the tests see the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from django.utils.translation import gettext

from shinchoku.core.figures import Figure
from shinchoku.core.messages import Message
from shinchoku.documents.policy_evaluation import ParsedPolicyEvaluation


@dataclass(frozen=True)
class Unplaced:
    """A line the parser could not attribute to any record (never silently dropped)."""

    line: int
    text: str

    def to_json(self, *, positions: bool = False) -> dict[str, Any]:
        return {"line": self.line, "text": self.text}


@dataclass(frozen=True)
class Ignored:
    """A line read and deliberately not imported: page furniture or a heading with nothing under it.

    Shown in the preview (greyed), never a warning: ``why`` is one of IGNORED_REASONS.
    """

    line: int
    text: str
    why: str

    def to_json(self, *, positions: bool = False) -> dict[str, Any]:
        return {"line": self.line, "text": self.text, "why": self.why}


# Why a line may be ignored (shinchoku.imports.warnings labels them for people).
IGNORED_REASONS = (
    "page_header",
    "page_footer",
    "repeated_header",
    "trailing_heading",
    "empty_marker",
    "checked_by_person",  # a person looked at an unplaced line in the preview: not content
)


@dataclass(frozen=True)
class ParseWarning:
    """Something the reader is not sure of: the preview shows it, and a commit must accept it.

    ``code`` is one of WARNING_CODES; ``params`` fill its message (shinchoku.imports.warnings),
    so the stored reading stays language-neutral. ``line`` is 0 when no line is to blame.
    """

    line: int
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_json(self, *, positions: bool = False) -> dict[str, Any]:
        return {"line": self.line, "code": self.code, "params": dict(self.params)}


WARNING_CODES = (
    "unplaced",  # params: text — a line that belongs nowhere the reader knows
    "uncertain_column",  # params: text, column — placed in a column by weak evidence
    "numbering",  # params: kind, expected, found — the document's own numbering disagrees
    "number_inferred",  # params: number — a goal number missing from the document
    "uncertain_figure",  # params: text — a figure the reader could not read with certainty
    "unknown_code",  # params: code — a 区分 not in the document's legend
    "truncated",  # params: text — the last line may be cut off (a style that cannot show it)
    "correction_not_applied",  # params: what, by — a kept correction that no longer fits the reading
    "sequence",  # params: kind, expected, found, text — a numbered heading or bullet out of sequence
    "uncertain_row",  # params: text — a table row without ○ read as a new initiative
    "uncertain_sections",  # params: text — a trailing parenthesis naming sections and something else
)


def _notes_json(document: Any, positions: bool) -> dict[str, Any]:
    """Warnings and ignored lines of a reading (with ``positions``), only when there are any.

    They describe how a file was read, not its content: content comparisons and
    published snapshots leave them out, like positions.
    """
    notes: dict[str, Any] = {}
    if not positions:
        return notes
    if document.warnings:
        notes["warnings"] = [w.to_json() for w in document.warnings]
    if document.ignored:
        notes["ignored"] = [i.to_json() for i in document.ignored]
    return notes


def _position(line: int, positions: bool) -> dict[str, int]:
    """Where a record was read ("line": a text line or a spreadsheet row), when asked for and known.

    An upload's stored reading and ``import_report --json`` keep positions (for
    messages and the preview); published snapshots and comparisons of content leave them out.
    """
    return {"line": line} if positions and line else {}


def figure_json(figure: Figure) -> dict[str, Any]:
    return {
        "label": figure.label,
        "value": str(figure.value),
        "unit": figure.unit,
        "approximate": figure.approximate,
        "provisional": figure.provisional,
    }


# --- (a) goal declaration achievement report (seed 000) ---------------------------------


@dataclass
class ParsedGoal:
    number: int
    title: str
    sections: list[str]
    content: str
    target_text: str
    result_text: str
    direction_text: str
    status_text: str
    targets: list[Figure] = field(default_factory=list)
    actuals: list[Figure] = field(default_factory=list)
    # True when the number was not in the text and was inferred from its neighbours.
    number_inferred: bool = False
    line: int = 0

    def to_json(self, *, positions: bool = False) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "sections": list(self.sections),
            "content": self.content,
            "target_text": self.target_text,
            "result_text": self.result_text,
            "direction_text": self.direction_text,
            "status_text": self.status_text,
            "targets": [figure_json(f) for f in self.targets],
            "actuals": [figure_json(f) for f in self.actuals],
            **_position(self.line, positions),
            **({"number_inferred": True} if positions and self.number_inferred else {}),
        }


@dataclass
class ParsedGoalDeclaration:
    fiscal_year: int
    title: str
    declarer_position: str
    declarer_name: str
    goals: list[ParsedGoal] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    kind: Literal["goal_declaration"] = "goal_declaration"

    def to_json(self, *, positions: bool = False) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "fiscal_year": self.fiscal_year,
            "title": self.title,
            "declarer": {"position": self.declarer_position, "name": self.declarer_name},
            "goals": [g.to_json(positions=positions) for g in self.goals],
            "unplaced": [u.to_json(positions=positions) for u in self.unplaced],
            **_notes_json(self, positions),
        }


# --- (b) guideline progress table (seed 004) -------------------------------------------


@dataclass
class ParsedEntry:
    """One bullet (●) of results or plans, with the names in its trailing parentheses."""

    text: str
    sections: list[str] = field(default_factory=list)
    line: int = 0

    def to_json(self, *, positions: bool = False) -> dict[str, Any]:
        return {"text": self.text, "sections": list(self.sections), **_position(self.line, positions)}


@dataclass
class ParsedRow:
    classification: str  # normalised code, e.g. "II" (Ⅱ and II are one code)
    policy: str
    results: list[ParsedEntry] = field(default_factory=list)
    plans: list[ParsedEntry] = field(default_factory=list)
    line: int = 0

    def to_json(self, *, positions: bool = False) -> dict[str, Any]:
        return {
            "classification": self.classification,
            "policy": self.policy,
            "results": [e.to_json(positions=positions) for e in self.results],
            "plans": [e.to_json(positions=positions) for e in self.plans],
            **_position(self.line, positions),
        }


@dataclass
class ParsedInitiative:
    chapter: str
    subsection: str | None
    group: str | None
    title: str
    guideline_text: str
    rows: list[ParsedRow] = field(default_factory=list)
    line: int = 0

    def to_json(self, *, positions: bool = False) -> dict[str, Any]:
        return {
            "chapter": self.chapter,
            "subsection": self.subsection,
            "group": self.group,
            "title": self.title,
            "guideline_text": self.guideline_text,
            "rows": [r.to_json(positions=positions) for r in self.rows],
            **_position(self.line, positions),
        }


@dataclass(frozen=True)
class ParsedClassification:
    code: str
    label: str

    def to_json(self, *, positions: bool = False) -> dict[str, Any]:
        return {"code": self.code, "label": self.label}


@dataclass
class ParsedGuidelineProgress:
    guideline: str
    result_year: int
    plan_year: int
    classifications: list[ParsedClassification] = field(default_factory=list)
    initiatives: list[ParsedInitiative] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    kind: Literal["guideline_progress"] = "guideline_progress"

    def to_json(self, *, positions: bool = False) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "guideline": self.guideline,
            "result_year": self.result_year,
            "plan_year": self.plan_year,
            "classifications": [c.to_json(positions=positions) for c in self.classifications],
            "initiatives": [i.to_json(positions=positions) for i in self.initiatives],
            "unplaced": [u.to_json(positions=positions) for u in self.unplaced],
            **_notes_json(self, positions),
        }


ParsedDocument = ParsedGoalDeclaration | ParsedGuidelineProgress
# What a revision publishes: a document read from a city's report, or the 施策評価報告書 built
# from the sheets (never parsed from text, so never an import's result).
PublishedDocument = ParsedDocument | ParsedPolicyEvaluation


def figure_from_json(data: dict[str, Any]) -> Figure:
    return Figure(
        value=Decimal(data["value"]),
        unit=data["unit"],
        approximate=bool(data["approximate"]),
        provisional=bool(data["provisional"]),
        label=data.get("label"),
    )


def document_from_json(data: dict[str, Any]) -> PublishedDocument:
    """The inverse of ``to_json``: published snapshots are stored as JSON and rendered from it."""
    unplaced = [Unplaced(line=u["line"], text=u["text"]) for u in data.get("unplaced", [])]
    notes: dict[str, Any] = {
        "warnings": [
            ParseWarning(line=w["line"], code=w["code"], params=dict(w.get("params", {})))
            for w in data.get("warnings", [])
        ],
        "ignored": [Ignored(line=i["line"], text=i["text"], why=i["why"]) for i in data.get("ignored", [])],
    }
    if data["kind"] == "goal_declaration":
        return ParsedGoalDeclaration(
            fiscal_year=data["fiscal_year"],
            title=data["title"],
            declarer_position=data["declarer"]["position"],
            declarer_name=data["declarer"]["name"],
            goals=[
                ParsedGoal(
                    number=g["number"],
                    title=g["title"],
                    sections=list(g["sections"]),
                    content=g["content"],
                    target_text=g["target_text"],
                    result_text=g["result_text"],
                    direction_text=g["direction_text"],
                    status_text=g["status_text"],
                    targets=[figure_from_json(f) for f in g["targets"]],
                    actuals=[figure_from_json(f) for f in g["actuals"]],
                    number_inferred=bool(g.get("number_inferred", False)),
                    line=g.get("line", 0),
                )
                for g in data["goals"]
            ],
            unplaced=unplaced,
            **notes,
        )
    if data["kind"] == "guideline_progress":

        def entries(items: list[dict[str, Any]]) -> list[ParsedEntry]:
            return [
                ParsedEntry(text=e["text"], sections=list(e["sections"]), line=e.get("line", 0))
                for e in items
            ]

        return ParsedGuidelineProgress(
            guideline=data["guideline"],
            result_year=data["result_year"],
            plan_year=data["plan_year"],
            classifications=[ParsedClassification(c["code"], c["label"]) for c in data["classifications"]],
            initiatives=[
                ParsedInitiative(
                    chapter=i["chapter"],
                    subsection=i["subsection"],
                    group=i["group"],
                    title=i["title"],
                    guideline_text=i["guideline_text"],
                    rows=[
                        ParsedRow(
                            classification=r["classification"],
                            policy=r["policy"],
                            results=entries(r["results"]),
                            plans=entries(r["plans"]),
                            line=r.get("line", 0),
                        )
                        for r in i["rows"]
                    ],
                    line=i.get("line", 0),
                )
                for i in data["initiatives"]
            ],
            unplaced=unplaced,
            **notes,
        )
    if data["kind"] == "policy_evaluation":
        return ParsedPolicyEvaluation.from_json(data)
    raise ValueError(f"unknown document kind {data.get('kind')!r}")


class ImportFormatError(Exception):
    """Input that cannot be read: says which file, where (line or cell) and why.

    ``message`` is the reason as a :class:`Message`, translated where it is shown
    (:meth:`text`), since a reading is kept and shown later, maybe in another language;
    ``str()`` and ``reason`` are in English, for logs.
    """

    def __init__(
        self, message: Message, *, source: str = "", line: int | None = None, cell: str | None = None
    ):
        self.message = message
        self.source = source
        self.line = line
        self.cell = cell
        super().__init__(str(self))

    @property
    def reason(self) -> str:
        return self.message.english

    def __str__(self) -> str:
        where = self.source or "<input>"
        if self.line is not None:
            where += f", line {self.line}"
        if self.cell is not None:
            where += f", cell {self.cell}"
        return f"{where}: {self.reason}"

    def text(self) -> str:
        """The file, the line or cell, and the reason, in the active language (「x.txt 3行目：…」)."""
        place = {"source": self.source, "line": self.line, "cell": self.cell}
        if self.line is not None and self.source:
            where = gettext("%(source)s, line %(line)s") % place
        elif self.line is not None:
            where = gettext("line %(line)s") % place
        elif self.cell is not None and self.source:
            where = gettext("%(source)s, cell %(cell)s") % place
        elif self.cell is not None:
            where = gettext("cell %(cell)s") % place
        else:
            where = self.source
        if not where:
            return str(self.message)
        return gettext("%(where)s: %(reason)s") % {"where": where, "reason": self.message}

    def to_json(self) -> dict[str, Any]:
        """What the upload worker sends and the upload keeps: the English reason, the message, the place."""
        return {"reason": self.reason, **self.message.to_json(), "line": self.line, "cell": self.cell}

    @classmethod
    def from_json(cls, data: dict[str, Any], *, source: str) -> ImportFormatError:
        """The error kept by ``to_json``; a reading kept before messages were (only ``reason``) still reads."""
        message = (
            Message.from_json(data) if "message" in data else Message.verbatim(str(data.get("reason", "")))
        )
        return cls(message, source=source, line=data.get("line"), cell=data.get("cell"))

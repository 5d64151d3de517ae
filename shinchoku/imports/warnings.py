"""What a reader was not sure of, in words a person reads: the warnings a commit must accept.

Silent wrong data is the worst outcome of an import: the city publishes it. So
every line a reader could not place (``unplaced``) and everything it placed on
weak evidence (``ParseWarning``) is listed in the preview, in ``import_report
--json``, and must be accepted before the document is written. Lines ignored on
purpose (page headers and footers, a heading with nothing under it) are listed
too, with the reason, but are not warnings.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from shinchoku.documents.schema import Ignored, ParsedDocument, ParseWarning

_MESSAGES = {
    "unplaced": _("This line was not read into any field: 「%(text)s」"),
    "uncertain_column": _("Placed in 「%(column)s」 on weak evidence: 「%(text)s」"),
    "numbering": _("The document numbers %(expected)s %(kind)s, but %(found)s were read."),
    "number_inferred": _("The goal number %(number)s is missing in the document and was inferred."),
    "uncertain_figure": _("A figure could not be read with certainty: 「%(text)s」"),
    "unknown_code": _("The 区分 「%(code)s」 is not in the document's legend."),
    "truncated": _("The document may be cut off: it ends in 「%(text)s」, which does not end a sentence."),
    "correction_not_applied": _(
        "A correction made earlier (%(what)s, by %(by)s) does not fit this reading and was not applied."
    ),
    "sequence": _(
        "The numbering goes out of sequence: %(kind)s %(found)s where %(expected)s was expected: 「%(text)s」"
    ),
    "uncertain_row": _("A table row without ○ was read as a new initiative: 「%(text)s」"),
    "uncertain_sections": _(
        "The parentheses at the end name sections and something else; they were kept in the text: 「%(text)s」"
    ),
}

_KINDS = {
    "goals": _("goals"),
    "initiatives": _("initiatives"),
    "chapter": _("chapter"),
    "subsection": _("sub-section"),
    "bullet": _("bullet"),
}

# What a correction changed (``correction_not_applied``): a record as the corrections name it.
_RECORDS = {
    "goal": _("goal %(number)s"),
    "initiative": _("initiative %(number)s"),
}

_IGNORED = {
    "page_header": _("page header"),
    "page_footer": _("page footer"),
    "repeated_header": _("repeated table header"),
    "trailing_heading": _("heading with nothing under it"),
    "empty_marker": _("mark of an empty cell"),
    "checked_by_person": _("checked in the preview: not part of the document"),
}


@dataclass(frozen=True)
class DocumentWarning:
    """One warning as shown: the line (0: the whole document) and the message."""

    line: int
    code: str
    message: str

    def to_json(self) -> dict[str, object]:
        return {"line": self.line, "code": self.code, "reason": self.message}


def document_warnings(document: ParsedDocument) -> list[DocumentWarning]:
    """Every warning of ``document``, unplaced lines included, in line order."""
    found = [ParseWarning(line=u.line, code="unplaced", params={"text": u.text}) for u in document.unplaced]
    found += document.warnings
    return [
        DocumentWarning(line=w.line, code=w.code, message=warning_message(w))
        for w in sorted(found, key=lambda w: (w.line, w.code))
    ]


def warning_message(warning: ParseWarning) -> str:
    template = _MESSAGES.get(warning.code)
    if template is None:  # a code from a newer reader: still shown, never dropped
        return f"{warning.code}: {warning.params}"
    params = dict(warning.params)
    if "kind" in params:
        params["kind"] = str(_KINDS.get(str(params["kind"]), params["kind"]))
    if "text" in params:
        params["text"] = _shorten(str(params["text"]))
    if "what" in params:
        params["what"] = _record_name(str(params["what"]))
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return f"{template} {warning.params}"


def _record_name(slug: str) -> str:
    """``goal-3`` → 目標3, ``initiative-0`` → the first initiative; anything else as written."""
    kind, _dash, key = slug.partition("-")
    if kind not in _RECORDS or not key.isdigit():
        return slug
    number = int(key) + (1 if kind == "initiative" else 0)  # initiatives are counted from 0
    return str(_RECORDS[kind]) % {"number": number}


def ignored_reason(ignored: Ignored) -> str:
    return str(_IGNORED.get(ignored.why, ignored.why))


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

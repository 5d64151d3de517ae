"""From bytes to a parsed document: decoding, format detection, dispatch to one parser.

City halls still produce Shift_JIS (CP932) files, so text is decoded as UTF-8
first (with or without BOM) and, failing that, as CP932; anything else is an
error that names the file, not mojibake in the database.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from shinchoku.core.messages import message as _
from shinchoku.core.text import find_control_character
from shinchoku.core.upload_limits import LimitExceeded, check_text
from shinchoku.documents.schema import ImportFormatError, ParsedDocument
from shinchoku.imports.parsers import goal_declaration_text, guideline_progress_text, pdf, xlsx

TEXT_FORMATS: dict[str, tuple[Callable[[str], bool], Callable[..., ParsedDocument]]] = {
    "goal_declaration_text": (goal_declaration_text.looks_like, goal_declaration_text.parse),
    "guideline_progress_text": (guideline_progress_text.looks_like, guideline_progress_text.parse),
}
FORMATS = (*TEXT_FORMATS, "xlsx", "pdf")

_PDF_MAGIC = b"%PDF-"
_ZIP_MAGIC = b"PK\x03\x04"


def decode_text(data: bytes, *, source: str) -> str:
    """Decode a text file written in UTF-8 (BOM or not) or Shift_JIS/CP932."""
    if not data.strip():
        raise ImportFormatError(_("the file is empty"), source=source)
    if b"\x00" in data[:4096]:
        raise ImportFormatError(
            _("the file is binary, not text (NUL bytes found)"), source=source, line=_line_of(data)
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("cp932")
        except UnicodeDecodeError:
            line = data[: utf8_error.start].count(b"\n") + 1
            raise ImportFormatError(
                _(
                    "the text is neither UTF-8 nor Shift_JIS (CP932): undecodable byte 0x%(byte)s",
                    byte=f"{data[utf8_error.start]:02x}",
                ),
                source=source,
                line=line,
            ) from None
    # A form feed is a page break of a text extracted from a PDF: a line break here.
    text = text.replace("\f", "\n")
    try:
        check_text(data, text)
    except LimitExceeded as error:
        raise ImportFormatError(error.message, source=source) from None
    index = find_control_character(text)
    if index is not None:
        raise ImportFormatError(
            _(
                "the text holds a control character U+%(code)s, which no document holds: "
                "remove it and import again",
                code=f"{ord(text[index]):04X}",
            ),
            source=source,
            line=text.count("\n", 0, index) + 1,
        )
    return text


def _line_of(data: bytes) -> int:
    return data[: data.find(b"\x00")].count(b"\n") + 1


def detect_format(data: bytes, *, source: str) -> str:
    """Name of the format of ``data``; raises if no parser recognises it."""
    if data.startswith(_PDF_MAGIC):
        return "pdf"
    if data.startswith(_ZIP_MAGIC):
        return "xlsx"
    text = decode_text(data, source=source)
    for name, (looks_like, _parse) in TEXT_FORMATS.items():
        if looks_like(text):
            return name
    raise ImportFormatError(
        _("unknown layout: neither a goal declaration report nor a guideline progress table"),
        source=source,
        line=1,
    )


def parse_bytes(
    data: bytes, *, source: str, format: str | None = None, known_sections: Collection[str] = ()
) -> ParsedDocument:
    """Parse ``data`` with the parser of ``format`` (detected when None).

    ``known_sections``: the names the city's organisation master knows, which the text
    readers take as section names whatever their ending.
    """
    fmt = format or detect_format(data, source=source)
    if fmt in TEXT_FORMATS:
        _looks_like, parse = TEXT_FORMATS[fmt]
        return parse(decode_text(data, source=source), source=source, known_sections=known_sections)
    if fmt == "xlsx":
        return xlsx.parse(data, source=source)
    if fmt == "pdf":
        return pdf.parse(data, source=source)
    raise ImportFormatError(_("unknown format 「%(format)s」", format=fmt), source=source)


def is_own_table(data: bytes, *, source: str) -> bool:
    """True when the file is a table in no report's layout: a workbook or CSV in a city's own columns."""
    if data.startswith(_PDF_MAGIC):
        return False
    if data.startswith(_ZIP_MAGIC):
        return xlsx.looks_like(data) is None
    try:
        text = decode_text(data, source=source)
    except ImportFormatError:
        return False
    return not any(looks_like(text) for looks_like, _parse in TEXT_FORMATS.values())

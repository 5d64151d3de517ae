"""An uploaded XLSX read into plain values, within the upload bounds.

openpyxl's normal mode keeps a Python object per cell and creates cells when a
reader asks for one, so a sheet whose one cell sits at XFD1048576 makes a
row-by-row reader walk a million rows. Here a workbook is read once, in
read-only (streaming) mode, sheet by sheet, never past the row and column bounds:
a value found in the first row or column beyond them is an error that names the
cell; the cells below and right of it are never parsed. Readers then look values
up in a dictionary of the non-empty cells.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any
from xml.etree.ElementTree import ParseError
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

# The parser under openpyxl's read-only worksheets (openpyxl is pinned; tests cover it).
from openpyxl.worksheet._reader import WorkSheetParser

from shinchoku.core.messages import Message, MessageError
from shinchoku.core.messages import message as _
from shinchoku.core.upload_limits import LimitExceeded, UploadLimits, check_zip


class WorkbookError(MessageError):
    """Not a readable XLSX workbook; ``message`` says why (``str()``: in English)."""


# What openpyxl and the zip and XML modules under it raise on a damaged or hand-made file
# (found by bench/fuzz_readers.py): a part that does not inflate, is not well-formed XML, or
# holds values the format does not allow (a style index past the list, a cell reference
# that is no reference). Caught only where this module calls them, and said as such.
_DAMAGED_ZIP = (BadZipFile, zlib.error, EOFError, OSError, NotImplementedError)
_BROKEN_PART = (
    InvalidFileException,
    KeyError,
    IndexError,
    ParseError,
    ValueError,
    TypeError,
    AttributeError,
    ArithmeticError,
)


def _reason(error: Exception) -> Message:
    """What is wrong with the file, for the person who uploaded it (the library's own words as a detail)."""
    detail = str(error) or type(error).__name__
    if isinstance(error, zlib.error | EOFError):
        return _("a part of the zip is damaged (%(detail)s)", detail=detail)
    if isinstance(error, BadZipFile | OSError):
        return Message.verbatim(detail)  # "File is not a zip file", "Bad CRC-32 for file …"
    if isinstance(error, NotImplementedError):
        # "zip file version 8.4", a compression method
        return _("a zip Excel does not write (%(detail)s)", detail=detail)
    if isinstance(error, ParseError):
        return _("a part of the workbook is not well-formed XML: %(detail)s", detail=detail)
    if isinstance(error, InvalidFileException):
        return Message.verbatim(detail)
    return _(
        "a part of the workbook is missing or holds values Excel does not write (%(error)s: %(detail)s)",
        error=type(error).__name__,
        detail=detail,
    )


@dataclass
class SheetValues:
    """The non-empty cells of one worksheet, by (row, column), both from 1."""

    name: str
    values: dict[tuple[int, int], Any] = field(default_factory=dict)
    max_row: int = 0
    max_column: int = 0

    def get(self, row: int, column: int) -> Any:
        return self.values.get((row, column))

    def row(self, row: int) -> list[Any]:
        return [self.values.get((row, column)) for column in range(1, self.max_column + 1)]

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """Every row from 1 to the last that holds a value, blank ones included."""
        for number in range(1, self.max_row + 1):
            yield number, self.row(number)


@dataclass
class WorkbookValues:
    sheetnames: list[str]
    sheets: dict[str, SheetValues]

    def __getitem__(self, name: str) -> SheetValues:
        return self.sheets[name]

    @property
    def first(self) -> SheetValues:
        return self.sheets[self.sheetnames[0]]


def cell_ref(row: int, column: int) -> str:
    return f"{get_column_letter(column)}{row}"


def read_workbook(
    data: bytes, *, sheets: int | None = None, limits: UploadLimits | None = None
) -> WorkbookValues:
    """The values of the first ``sheets`` worksheets (all when None).

    Raises WorkbookError (not a workbook) or LimitExceeded (beyond a bound, naming it).
    """
    limits = limits or UploadLimits.current()
    check_zip(data, limits)
    try:
        _check_parts(data)
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (*_DAMAGED_ZIP, *_BROKEN_PART) as error:
        raise WorkbookError(_reason(error)) from None
    try:
        names = list(workbook.sheetnames)
        if len(names) > limits.workbook_sheets:
            raise LimitExceeded(
                _(
                    "The workbook has %(count)s sheets; workbooks of up to %(limit)s sheets are read.",
                    count=len(names),
                    limit=limits.workbook_sheets,
                )
            )
        read: dict[str, SheetValues] = {}
        cells = 0
        for name in names[:sheets] if sheets is not None else names:
            sheet = workbook[name]
            if not hasattr(sheet, "iter_rows"):
                continue  # a chart sheet holds no cells
            values = _sheet_values(sheet, name, limits, already=cells)
            cells += len(values.values)
            read[name] = values
        return WorkbookValues(sheetnames=names, sheets=read)
    except (*_DAMAGED_ZIP, *_BROKEN_PART) as error:
        # A part of the workbook is missing or not well-formed XML (a broken or hand-made file).
        raise WorkbookError(_reason(error)) from None
    finally:
        workbook.close()


# Excel's own bound on a formula, and so on a defined name (print area, print titles):
# openpyxl reads those with regular expressions whose time grows with the square of the length.
FORMULA_MAX_CHARS = 8192
_HEAD_BYTES = 64 * 1024  # a part's prolog (where a DTD would be) lies within its first bytes
_ROOT_RE = re.compile(rb"<[A-Za-z_]")
_DOCTYPE = (b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"))
_WORKBOOK_ROOT_RE = re.compile(rb"^<(?:[\w.-]+:)?workbook\b")
_DEFINED_NAME_RE = re.compile(
    rb"<(?:[\w.-]+:)?definedName\b[^>]*>(.*?)</(?:[\w.-]+:)?definedName\s*>", re.DOTALL
)


def _check_parts(data: bytes) -> None:
    """Refuse what Excel never writes and openpyxl would spend minutes on (found by fuzzing).

    * A DTD in a part: entities it declares expand a few bytes into megabytes of text
      (the XML format of workbooks allows no DTD).
    * A defined name longer than Excel allows.
    """
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return  # not a zip (or one Python cannot read): openpyxl says so
    with archive:
        for info in archive.infolist():
            with archive.open(info) as part:
                head = part.read(_HEAD_BYTES)
            root = _ROOT_RE.search(head)
            prolog = head[: root.start()] if root else head
            if any(doctype in prolog for doctype in _DOCTYPE):
                raise WorkbookError(
                    _(
                        "the part %(part)s declares a DTD (<!DOCTYPE …>), which no workbook holds",
                        part=info.filename,
                    )
                )
            if root and _WORKBOOK_ROOT_RE.match(head, root.start()):
                for match in _DEFINED_NAME_RE.finditer(archive.read(info)):
                    if len(match.group(1)) > FORMULA_MAX_CHARS:
                        raise WorkbookError(
                            _(
                                "a defined name (print area or titles) is %(length)s characters long; "
                                "Excel allows %(limit)s",
                                length=f"{len(match.group(1)):,}",
                                limit=f"{FORMULA_MAX_CHARS:,}",
                            )
                        )


def _sheet_values(sheet: Any, name: str, limits: UploadLimits, *, already: int) -> SheetValues:
    """Walk the sheet's XML cell by cell (what openpyxl's read-only rows do, without padding).

    openpyxl's ``iter_rows`` fills the gaps between rows and columns with empty
    cells, so one far cell costs a million empty rows; the parser underneath
    yields only the cells the file holds, with their positions.
    """
    result = SheetValues(name=name)
    parent = sheet.parent
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=parent.data_only,
            epoch=parent.epoch,
            date_formats=parent._date_formats,
            timedelta_formats=parent._timedelta_formats,
        )
        for _row_number, cells in parser.parse():
            for cell in cells:
                value = cell["value"]
                if value is None or value == "":
                    continue
                row, column = cell["row"], cell["column"]
                if row > limits.sheet_rows or column > limits.sheet_columns:
                    raise LimitExceeded(
                        _(
                            "Cell %(cell)s is beyond the part of a sheet that is read "
                            "(%(rows)s rows × %(columns)s columns): remove what lies outside the table.",
                            cell=f"{name}!{cell_ref(row, column)}",
                            rows=f"{limits.sheet_rows:,}",
                            columns=f"{limits.sheet_columns:,}",
                        )
                    )
                result.values[(row, column)] = value
                result.max_row = max(result.max_row, row)
                result.max_column = max(result.max_column, column)
            if already + len(result.values) > limits.workbook_cells:
                raise LimitExceeded(
                    _(
                        "The workbook holds more than %(limit)s filled cells, more than any report.",
                        limit=f"{limits.workbook_cells:,}",
                    )
                )
    return result

"""Tables that city hall staff keep in Excel: CSV (UTF-8 or Shift_JIS) or XLSX in, rows with places out.

A master file from a 人事課 is read the same way whatever its form: the header row
names the columns (in Japanese, in any order, with a few accepted spellings),
every cell keeps where it came from (line of a CSV, cell of a sheet), and every
problem says which file, where and why, so a person can fix the file and try again.

Writing goes the other way, in the same layout (an export re-imports as it is):
CSV in UTF-8 with a BOM (Excel opens it as UTF-8) and CRLF, or an XLSX sheet.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from shinchoku.core.text import normalize
from shinchoku.core.upload_limits import LimitExceeded, UploadLimits, check_text

__all__ = [
    "Problem",
    "Row",
    "Table",
    "TableError",
    "read_table",
    "table_format",
    "write_csv",
    "write_xlsx",
]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (Excel 97-2003)
# A title or a date often sits above the header row of a sheet: look this far for it.
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Problem:
    """Something wrong (or ignored) in a file, with the place a person needs to find it."""

    source: str
    message: str
    line: int | None = None  # the row as numbered in the file (CSV line, sheet row)
    column: str = ""  # the header as written in the file
    cell: str = ""  # "B3" in a sheet

    def where(self) -> str:
        values = {"cell": self.cell, "line": self.line, "column": self.column}
        if self.cell and self.column:
            place = _("cell %(cell)s, column %(column)s") % values
        elif self.cell:
            place = _("cell %(cell)s") % values
        elif self.line is not None and self.column:
            place = _("line %(line)d, column %(column)s") % values
        elif self.line is not None:
            place = _("line %(line)d") % values
        elif self.column:
            place = _("column %(column)s") % values
        else:
            return self.source
        return f"{self.source}: {place}"

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}"


class TableError(Exception):
    """The file cannot be used; ``problems`` lists every reason found, in file order."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Row:
    """One data row: its line, and the value (stripped text, "" when empty) of each known column."""

    source: str
    line: int
    values: Mapping[str, str]
    headers: Mapping[str, str]  # column key → header as written
    cells: Mapping[str, str]  # column key → cell reference ("B3"), sheets only

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "")

    def problem(self, key: str, message: str) -> Problem:
        return Problem(
            source=self.source,
            message=message,
            line=self.line,
            column=self.headers.get(key, key),
            cell=self.cells.get(key, ""),
        )


@dataclass
class Table:
    source: str
    format: str  # "csv" or "xlsx"
    columns: list[str]  # the column keys present, in file order
    rows: list[Row] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    header_line: int = 1
    written: dict[str, str] = field(default_factory=dict)  # column key → header as written


def header_key(text: str) -> str:
    """The form in which headers are compared: 「 有効開始年度（西暦／和暦） 」 → 有効開始年度."""
    text = normalize(text)
    text = re.sub(r"[(（\[［【].*?[)）\]］】]", "", text)
    return "".join(text.split()).strip("*※:：")


def table_format(data: bytes) -> str:
    """``xlsx`` or ``csv``, from the content (the file name may lie)."""
    return "xlsx" if data.startswith(_ZIP_MAGIC) else "csv"


def read_table(
    data: bytes,
    *,
    source: str,
    headers: Mapping[str, str],
    required: Iterable[str],
) -> Table:
    """Read a CSV or XLSX table whose header row holds the ``headers`` (spelling → column key).

    Raises ``TableError`` when the file cannot be read or a required column is
    missing. Columns the layout does not know are ignored with a warning.
    """
    fmt, raw = _raw_rows(data, source=source)
    wanted = {header_key(spelling): key for spelling, key in headers.items()}
    required = list(required)
    table: Table | None = None
    positions: dict[str, int] = {}
    letters: list[str] = []
    for line, values, cell_letters in raw:
        if table is None:
            keys = [wanted.get(header_key(v)) for v in values]
            if line > HEADER_SEARCH_ROWS:
                break
            if not any(k in required for k in keys):
                continue
            table, positions = _header(source, fmt, line, values, keys, required, cell_letters)
            letters = cell_letters
            continue
        if not any(v for v in values):
            continue
        texts = {key: (values[i] if i < len(values) else "") for key, i in positions.items()}
        table.rows.append(
            Row(
                source=source,
                line=line,
                values=texts,
                headers=table.written,
                cells={key: f"{letters[i] if i < len(letters) else ''}{line}" for key, i in positions.items()}
                if fmt == "xlsx"
                else {},
            )
        )
    if table is None:
        expected = "、".join(required)
        raise TableError(
            [
                Problem(
                    source=source,
                    message=_("No header row with the columns %(columns)s in the first %(rows)d rows.")
                    % {"columns": expected, "rows": HEADER_SEARCH_ROWS},
                )
            ]
        )
    return table


def table_rows(data: bytes, *, source: str) -> Iterator[tuple[int, list[str]]]:
    """Every row of a CSV (UTF-8, CP932, UTF-16) or of an XLSX's first sheet: (line or row, cell texts).

    Within the upload bounds; raises TableError when the file is neither.
    """
    _fmt, raw = _raw_rows(data, source=source)
    for line, values, _letters in raw:
        yield line, values


def _raw_rows(data: bytes, *, source: str) -> tuple[str, Iterator[tuple[int, list[str], list[str]]]]:
    """The format and the rows (line, cell texts, cell letters) of a CSV or XLSX, within the upload bounds."""
    if not data.strip():
        raise TableError([Problem(source=source, message=_("The file is empty."))])
    if data.startswith(_OLE_MAGIC):
        raise TableError(
            [Problem(source=source, message=_("This is an old Excel file (.xls): save it as .xlsx or CSV."))]
        )
    fmt = table_format(data)
    if fmt != "xlsx":
        try:
            check_text(data)
        except LimitExceeded as error:
            raise TableError([Problem(source=source, message=str(error.message))]) from None
    return fmt, _xlsx_rows(data, source=source) if fmt == "xlsx" else _csv_rows(data, source=source)


def _header(
    source: str,
    fmt: str,
    line: int,
    values: list[str],
    keys: list[str | None],
    required: list[str],
    letters: list[str],
) -> tuple[Table, dict[str, int]]:
    problems: list[Problem] = []
    warnings: list[Problem] = []
    positions: dict[str, int] = {}
    written: dict[str, str] = {}
    for i, (value, key) in enumerate(zip(values, keys, strict=True)):
        cell = f"{letters[i]}{line}" if fmt == "xlsx" and i < len(letters) else ""
        if key is None:
            if value:
                warnings.append(
                    Problem(
                        source=source,
                        line=line,
                        cell=cell,
                        column=value,
                        message=_("This column is not part of the layout; it is ignored."),
                    )
                )
            continue
        if key in positions:
            problems.append(
                Problem(
                    source=source,
                    line=line,
                    cell=cell,
                    column=value,
                    message=_("The column %(column)s appears twice.") % {"column": key},
                )
            )
            continue
        positions[key] = i
        written[key] = value
    for key in required:
        if key not in positions:
            problems.append(
                Problem(
                    source=source,
                    line=line,
                    message=_("The header row has no column %(column)s.") % {"column": key},
                )
            )
    if problems:
        raise TableError(problems)
    table = Table(
        source=source,
        format=fmt,
        columns=list(positions),
        warnings=warnings,
        header_line=line,
        written=written,
    )
    return table, positions


def _decode(data: bytes, *, source: str) -> str:
    """UTF-8 (with or without BOM), else Shift_JIS (CP932): what Excel on Windows writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("cp932")
        except UnicodeDecodeError:
            line = data[: utf8_error.start].count(b"\n") + 1
            raise TableError(
                [
                    Problem(
                        source=source,
                        line=line,
                        message=_(
                            "The file is neither UTF-8 nor Shift_JIS (CP932) text, nor an XLSX workbook."
                        ),
                    )
                ]
            ) from None


def _csv_rows(data: bytes, *, source: str) -> Iterator[tuple[int, list[str], list[str]]]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" (tab-separated UTF-16).
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            # An odd number of bytes (a file cut short) or a lone surrogate.
            line = data[: error.start].decode("utf-16", errors="replace").count("\n") + 1
            raise TableError(
                [
                    Problem(
                        source=source,
                        line=line,
                        message=_(
                            "The file starts as UTF-16 text (Excel's Unicode text) but is not valid "
                            "UTF-16: it is damaged or cut short."
                        ),
                    )
                ]
            ) from None
    elif b"\x00" in data[:4096]:
        raise TableError([Problem(source=source, message=_("The file is binary, not CSV text."))])
    else:
        text = _decode(data, source=source)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    limit = UploadLimits.current().sheet_rows
    try:
        for number, record in enumerate(reader, start=1):
            if number > limit:
                raise TableError(
                    [
                        Problem(
                            source=source,
                            line=start,
                            message=_("The file has more than %(limit)s rows; split it.")
                            % {"limit": f"{limit:,}"},
                        )
                    ]
                )
            yield start, [_clean(v) for v in record], []
            start = reader.line_num + 1
    except csv.Error as error:
        raise TableError(
            [
                Problem(
                    source=source, line=reader.line_num, message=_("Broken CSV: %(error)s") % {"error": error}
                )
            ]
        ) from None


def _xlsx_rows(data: bytes, *, source: str) -> Iterator[tuple[int, list[str], list[str]]]:
    from openpyxl.utils import get_column_letter

    from shinchoku.core.workbooks import WorkbookError, read_workbook

    try:
        workbook = read_workbook(data, sheets=1)
    except WorkbookError:
        raise TableError([Problem(source=source, message=_("The file is not an XLSX workbook."))]) from None
    except LimitExceeded as error:
        raise TableError([Problem(source=source, message=str(error.message))]) from None
    if not workbook.sheets:
        raise TableError([Problem(source=source, message=_("The workbook has no sheet of cells."))])
    sheet = workbook.first
    letters = [get_column_letter(i) for i in range(1, sheet.max_column + 1)]
    for number, row in sheet.rows():
        yield number, [_cell_text(v) for v in row], letters


def _clean(value: str) -> str:
    return value.replace("\r\n", "\n").strip().strip("\u3000").strip()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _clean(str(value))


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM and CRLF: Excel opens it as UTF-8, and ``read_table`` reads it back."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode("utf-8-sig")


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str) -> bytes:
    """One sheet: the header row (bold, frozen), then the rows; numbers stay numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(h) * 2 + 2 for h in headers]
    for row in rows:
        values = ["" if v is None else v for v in row]
        sheet.append(values)
        for i, v in enumerate(values):
            widths[i] = max(widths[i], min(60, len(str(v)) * 2 + 2))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

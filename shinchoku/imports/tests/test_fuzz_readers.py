"""Every reader of uploads ends in a result or a clear error (issue 14): the fuzz run, small, in the suite.

``bench/fuzz_readers.py`` feeds 100,000 generated inputs to every reader; here the
same generator makes a few thousand with a fixed seed, so a reader that starts to
crash on a damaged file again fails the suite. Below it, one small input for each
crash the fuzz run found, with the clear error it now ends in.
"""

from __future__ import annotations

import codecs
import contextlib
import importlib.util
import io
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest
from django.db import connection
from django.utils import translation

from shinchoku.core.tables import TableError, read_table
from shinchoku.core.workbooks import WorkbookError, read_workbook
from shinchoku.documents.schema import ImportFormatError
from shinchoku.imports.reading import parse_bytes
from shinchoku.organizations.master import DEPARTMENT, HEADERS, SECTION, master_read

FUZZ = Path(__file__).resolve().parents[3] / "bench" / "fuzz_readers.py"
SEED = 14
INPUTS = 1500


def _fuzz_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_fuzz_readers", FUZZ)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="touches no database: the suite's SQLite run covers it, the PostgreSQL run need not repeat it",
)
def test_generated_inputs_end_in_a_result_or_a_clear_error() -> None:
    fuzz = _fuzz_module()
    # Lines repeated 20,000 times make a document the parsers read in tens of seconds (within
    # the line bound, beyond the worker's CPU limit, which refuses it): the bench script's run.
    fuzz.REPEATS = (50, 1000)
    corpus = fuzz.build_corpus(whole_pdfs=False)
    assert {seed.kind for seed in corpus} == {"text", "csv", "xlsx", "pdf"}
    stats = fuzz.run_inputs(SEED, range(INPUTS), corpus, save=False, hard=10.0)
    assert stats.inputs == INPUTS
    assert set(stats.kinds) >= {"random", "txt", "csv", "xlsx", "pdf"}
    findings = [
        f"#{f.index} {f.error} in {f.reader} ({f.how}): {f.message}\n{f.trace}" for f in stats.findings
    ]
    assert not findings, "\n".join(findings)
    # Some inputs still parse: the mutations do not only produce junk.
    assert stats.results["parse_bytes(auto)"] > INPUTS // 20


# --- the crashes the fuzz run found -------------------------------------------------------------


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages in their English source form (the Japanese is in the .po file)."""
    with translation.override("en"):
        yield


def _master(data: bytes) -> None:
    read_table(data, source="master.csv", headers=HEADERS, required=(DEPARTMENT, SECTION))


def test_a_cut_utf16_text_table_is_a_clear_error() -> None:
    """UnicodeDecodeError: an Excel "Unicode text" file with an odd number of bytes."""
    data = codecs.BOM_UTF16_LE + "部\t課\n企画部\t経営企画課\n".encode("utf-16-le")[:-1]
    with pytest.raises(TableError, match=r"line 2: The file starts as UTF-16 text .* not valid UTF-16"):
        _master(data)
    with pytest.raises(TableError, match="not valid UTF-16"):
        master_read(data, source="master.txt")


def _workbook_bytes() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["部", "課"])
    sheet.append(["企画部", "経営企画課"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _rezip(data: bytes, change: dict[str, bytes], *, stored: bool = False) -> bytes:
    out = io.BytesIO()
    compression = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", compression) as target:
        for info in source.infolist():
            target.writestr(info.filename, change.get(info.filename, source.read(info)))
    return out.getvalue()


def test_a_workbook_part_that_does_not_inflate_is_a_clear_error() -> None:
    """zlib.error: a deflated part whose bytes are damaged (the zip's CRC never gets checked)."""
    data = bytearray(_workbook_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    # The part's data starts after its local header (30 bytes, the name, the extra field).
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start] = 0xFF  # an invalid deflate block type
    data = bytes(data)
    with pytest.raises(WorkbookError, match="a part of the zip is damaged"):
        read_workbook(data)
    with pytest.raises(ImportFormatError, match="not a readable XLSX workbook"):
        parse_bytes(data, source="report.xlsx")
    with pytest.raises(TableError, match="not an XLSX workbook"):
        _master(data)


def test_a_style_index_past_the_styles_is_a_clear_error() -> None:
    """IndexError in openpyxl: a cell style (xf) naming a border the stylesheet does not have."""
    data = _workbook_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        styles = archive.read("xl/styles.xml")
    broken = styles.replace(b'borderId="0"', b'borderId="7"')
    assert broken != styles
    data = _rezip(data, {"xl/styles.xml": broken})
    with pytest.raises(WorkbookError, match="holds values Excel does not write"):
        read_workbook(data)
    with pytest.raises(ImportFormatError, match="not a readable XLSX workbook"):
        parse_bytes(data, source="report.xlsx", format="xlsx")
    with pytest.raises(TableError, match="not an XLSX workbook"):
        _master(data)


def _workbook_with(part: str, change: Callable[[bytes], bytes]) -> bytes:
    data = _workbook_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        original = archive.read(part)
    changed = change(original)
    assert changed != original
    return _rezip(data, {part: changed})


def test_a_workbook_part_with_a_dtd_is_refused_before_openpyxl_expands_it() -> None:
    """Timeout: entities declared in xl/workbook.xml expanded a few bytes into a megabyte."""
    bomb = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    data = _workbook_with("xl/workbook.xml", lambda xml: bomb + xml)
    with pytest.raises(WorkbookError, match=r"xl/workbook.xml declares a DTD"):
        read_workbook(data)
    with pytest.raises(ImportFormatError, match="declares a DTD"):
        parse_bytes(data, source="report.xlsx")
    with pytest.raises(TableError, match="not an XLSX workbook"):
        _master(data)


def test_a_print_area_longer_than_excel_allows_is_refused() -> None:
    """Timeout: openpyxl reads print titles with a regular expression quadratic in their length."""
    name = b'<definedNames><definedName name="_xlnm.Print_Titles" localSheetId="0">' + b"a" * 100_000
    name += b"</definedName></definedNames>"
    data = _workbook_with("xl/workbook.xml", lambda xml: xml.replace(b"<definedNames />", name, 1))
    started = time.monotonic()
    with pytest.raises(WorkbookError, match="100,000 characters long; Excel allows 8,192"):
        read_workbook(data)
    assert time.monotonic() - started < 2


def test_a_line_of_thousands_of_figures_is_read_in_linear_time() -> None:
    """The figures of one logical line were each checked against the rest of the line (quadratic)."""
    from shinchoku.imports.parsers.goal_declaration_text import figures_of_column_text

    started = time.monotonic()
    figures = figures_of_column_text("・" + "300件、" * 3000)
    assert len(figures) == 3000
    assert time.monotonic() - started < 5
    # The rules are kept: figures in parentheses and in a clause of means do not count.
    text = "・21事業の見直しにより、1,754万円を縮減（達成率 70%以上）"
    assert [f.value for f in figures_of_column_text(text)] == [Decimal("17540000")]


@pytest.mark.parametrize("position", ["①", "9" * 5000])
def test_a_display_order_that_is_no_whole_number_is_a_problem_of_the_row(position: str) -> None:
    """ValueError in master_read: ① passed str.isdigit() and then failed int()."""
    data = f"部,課,表示順\n企画部,経営企画課,{position}\n".encode()
    with pytest.raises(TableError, match=r"line 2, column 表示順: .* is not a whole number"):
        master_read(data, source="master.csv")


def test_a_pdf_page_whose_rotation_is_no_number_is_a_clear_error() -> None:
    """TypeError in pdfplumber: a page's /Rotate that is a dictionary (``_rotation % 360``)."""
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.drawString(72, 720, "page")
    canvas.showPage()
    canvas.save()
    data = out.getvalue().replace(b"/Rotate 0", b"/Rotate << >>")
    assert b"/Rotate << >>" in data
    with pytest.raises(ImportFormatError, match=r"not a readable PDF: its structure is damaged \(TypeError"):
        parse_bytes(data, source="report.pdf")


def test_a_zip_of_a_version_python_cannot_read_is_a_clear_error() -> None:
    """NotImplementedError in zipfile: a central directory that asks for zip version 8.4."""
    data = bytearray(_workbook_bytes())
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        data[at + 6 : at + 8] = (84).to_bytes(2, "little")  # version needed to extract
        at = data.find(b"PK\x01\x02", at + 4)
    data = bytes(data)
    with pytest.raises(ImportFormatError, match=r"a zip Excel does not write \(zip file version 8.4\)"):
        parse_bytes(data, source="report.xlsx")
    with pytest.raises(TableError, match="not an XLSX workbook"):
        _master(data)


def test_a_page_box_with_a_number_out_of_range_is_a_clear_error() -> None:
    """MalformedPDFException from pdfplumber: a /MediaBox holding 1e400 (found by the 100,000-input run)."""
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.drawString(72, 720, "page")
    canvas.showPage()
    canvas.save()
    data = out.getvalue()
    box = data.index(b"/MediaBox [ 0 0 ") + len(b"/MediaBox [ 0 0 ")
    data = data[:box] + b"1e400 " + data[box:]
    with pytest.raises(ImportFormatError, match="not a readable PDF"):
        parse_bytes(data, source="report.pdf")


def test_a_column_of_thousands_of_bullets_is_split_in_linear_time() -> None:
    """Every split point of two unmarked columns was scored by summing all bullets again (quadratic).

    A goal whose last columns hold thousands of bullets (a document with lines repeated,
    found by the 100,000-input run) took minutes; the reader must stay far below the
    import worker's CPU limit.
    """
    demo = Path(__file__).resolve().parents[2] / "demo" / "documents" / "midori_goal_declaration_2024.txt"
    lines = demo.read_text(encoding="utf-8").splitlines()
    bullet = next(
        number for number, line in enumerate(lines) if line.startswith("・令和５年度の「重点事業」")
    )
    repeated = lines[: bullet + 1] + [lines[bullet]] * 20000 + lines[bullet + 1 :]
    started = time.monotonic()
    with contextlib.suppress(ImportFormatError):  # refusing is fine; taking minutes is not
        parse_bytes("\n".join(repeated).encode(), source="repeated.txt")
    assert time.monotonic() - started < 10

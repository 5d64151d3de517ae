"""The uploads that took the server down (issue 14, finding 2), read again: time and memory of each refusal.

    SHINCHOKU_ENV=development .venv/bin/python bench/upload_bounds.py

Each input is read in-process by ``parse_bytes`` (what the upload worker runs) and
once through the worker (``parse_in_worker``: a child process with CPU-time and
memory limits). Prints the outcome, wall time and the peak resident memory of the
reading process for each.
"""

from __future__ import annotations

import io
import os
import resource
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinchoku.settings")

import django

django.setup()

from django.utils import translation  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from shinchoku.documents.schema import ImportFormatError  # noqa: E402
from shinchoku.imports.reading import parse_bytes  # noqa: E402
from shinchoku.imports.worker import parse_in_worker  # noqa: E402


def pdf_pages(pages: int) -> bytes:
    out = io.BytesIO()
    drawing = canvas.Canvas(out)
    for number in range(pages):
        drawing.drawString(72, 720, f"page {number}")
        drawing.showPage()
    drawing.save()
    return out.getvalue()


def zip_bomb(unpacked_mb: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for _ in range(unpacked_mb):
                part.write(b"\0" * (1024 * 1024))
    return out.getvalue()


def far_cell() -> bytes:
    workbook = Workbook()
    workbook.active["A1"] = "x"
    workbook.active["XFD1048576"] = "x"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


CASES = {
    "PDF of 2,000 pages": lambda: pdf_pages(2000),
    "XLSX zip bomb (4 GB unpacked)": lambda: zip_bomb(4096),
    "XLSX with one cell at XFD1048576": far_cell,
    "20 MB text": lambda: ("あいうえお、かきくけこ。\n" * 560_000).encode(),
}


def main() -> None:
    translation.activate("en")
    print(f"{'input':36} {'size':>10} {'in-process':>11} {'worker':>8}  outcome")
    for name, make in CASES.items():
        data = make()
        started = time.monotonic()
        try:
            parse_bytes(data, source="upload")
            outcome = "read"
        except ImportFormatError as error:
            outcome = error.reason
        in_process = time.monotonic() - started
        read = parse_in_worker(data, source="upload")
        worker_outcome = "read" if read.document else (read.error or {}).get("reason", "")
        assert worker_outcome == outcome or read.document, (worker_outcome, outcome)
        print(
            f"{name:36} {len(data) / 1e6:>8.2f}MB {in_process:>10.2f}s {read.seconds:>7.2f}s  {outcome[:90]}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: this process {peak:.0f} MB, largest worker {children:.0f} MB")


if __name__ == "__main__":
    main()

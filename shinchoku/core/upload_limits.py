"""How much of an uploaded file is read: the bounds every reader checks before and while parsing.

A small upload can expand into gigabytes (a zip bomb disguised as XLSX, a PDF of
thousands of pages, one cell at XFD1048576 that makes a reader walk a million
rows). Each reader checks these bounds as early as it can and stops with a
message that names the bound, so a person knows what to change; the worker
process (``shinchoku.imports.worker``) adds CPU-time and memory limits for
anything the bounds miss. The values come from settings (``SHINCHOKU_IMPORT_*``).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings

from shinchoku.core.messages import MessageError
from shinchoku.core.messages import message as _

MB = 1024 * 1024


class LimitExceeded(MessageError):
    """An upload goes beyond a bound; ``message`` says which and what to do (``str()``: in English)."""


@dataclass(frozen=True)
class UploadLimits:
    upload_bytes: int
    text_bytes: int
    text_lines: int
    pdf_pages: int
    pdf_page_chars: int
    sheet_rows: int
    sheet_columns: int
    workbook_cells: int
    workbook_sheets: int
    zip_entries: int
    unpacked_bytes: int

    @classmethod
    def current(cls) -> UploadLimits:
        return cls(
            upload_bytes=settings.SHINCHOKU_UPLOAD_MAX_MB * MB,
            text_bytes=settings.SHINCHOKU_IMPORT_MAX_TEXT_MB * MB,
            text_lines=settings.SHINCHOKU_IMPORT_MAX_LINES,
            pdf_pages=settings.SHINCHOKU_IMPORT_MAX_PAGES,
            pdf_page_chars=settings.SHINCHOKU_IMPORT_MAX_PAGE_CHARS,
            sheet_rows=settings.SHINCHOKU_IMPORT_MAX_ROWS,
            sheet_columns=settings.SHINCHOKU_IMPORT_MAX_COLUMNS,
            workbook_cells=settings.SHINCHOKU_IMPORT_MAX_CELLS,
            workbook_sheets=settings.SHINCHOKU_IMPORT_MAX_SHEETS,
            zip_entries=settings.SHINCHOKU_IMPORT_MAX_ZIP_ENTRIES,
            unpacked_bytes=settings.SHINCHOKU_IMPORT_MAX_UNPACKED_MB * MB,
        )


def megabytes(size: int) -> str:
    """20 MB, 0.5 MB: sizes as a person reads them."""
    value = size / MB
    return f"{value:,.0f} MB" if value >= 10 else f"{value:,.1f} MB"


def check_upload_size(size: int, limits: UploadLimits | None = None) -> None:
    limits = limits or UploadLimits.current()
    if size > limits.upload_bytes:
        raise LimitExceeded(
            _(
                "The file is %(size)s; files up to %(limit)s are accepted.",
                size=megabytes(size),
                limit=megabytes(limits.upload_bytes),
            )
        )


def check_text(data: bytes, text: str | None = None, limits: UploadLimits | None = None) -> None:
    """A text document: its size in bytes, and (once decoded) its number of lines."""
    limits = limits or UploadLimits.current()
    if len(data) > limits.text_bytes:
        raise LimitExceeded(
            _(
                "The text is %(size)s; text files up to %(limit)s are read: split the document.",
                size=megabytes(len(data)),
                limit=megabytes(limits.text_bytes),
            )
        )
    if text is not None:
        lines = text.count("\n") + 1
        if lines > limits.text_lines:
            raise LimitExceeded(
                _(
                    "The text has %(lines)s lines; up to %(limit)s lines are read: split the document.",
                    lines=f"{lines:,}",
                    limit=f"{limits.text_lines:,}",
                )
            )


def check_zip(data: bytes, limits: UploadLimits | None = None) -> None:
    """An XLSX is a zip: refuse it before unpacking if its parts would unpack beyond the bound.

    The sizes a zip declares also bound what Python's zipfile unpacks (it stops at
    the declared size and fails the CRC check), so a lying header cannot get past.
    """
    limits = limits or UploadLimits.current()
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return  # not a zip at all (or of a zip version Python cannot read): the reader says so
    if len(entries) > limits.zip_entries:
        raise LimitExceeded(
            _(
                "The workbook is made of %(count)s parts; workbooks of up to %(limit)s parts are read.",
                count=f"{len(entries):,}",
                limit=f"{limits.zip_entries:,}",
            )
        )
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > limits.unpacked_bytes:
        raise LimitExceeded(
            _(
                "The workbook unpacks to %(size)s; workbooks up to %(limit)s unpacked are read.",
                size=megabytes(unpacked),
                limit=megabytes(limits.unpacked_bytes),
            )
        )


def check_pages(pages: int, limits: UploadLimits | None = None) -> None:
    limits = limits or UploadLimits.current()
    if pages > limits.pdf_pages:
        raise LimitExceeded(
            _(
                "The PDF has %(pages)s pages; PDFs of up to %(limit)s pages are read: split the document.",
                pages=f"{pages:,}",
                limit=f"{limits.pdf_pages:,}",
            )
        )


def check_page_chars(page: int, chars: int, limits: UploadLimits | None = None) -> None:
    limits = limits or UploadLimits.current()
    if chars > limits.pdf_page_chars:
        raise LimitExceeded(
            _(
                "Page %(page)s of the PDF holds %(chars)s characters; up to %(limit)s per page are read.",
                page=page,
                chars=f"{chars:,}",
                limit=f"{limits.pdf_page_chars:,}",
            )
        )

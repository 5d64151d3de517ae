"""Uploads cannot take the site down (issue 14, finding 2): bounds, one reading, a limited worker.

Each case was reproduced against the server before: a 2,000-page PDF took minutes
and gigabytes, a zip bomb and a far cell gigabytes, the preview read the file
again on every visit, an oversized body was read in full before it was refused.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook
from reportlab.pdfgen import canvas

from shinchoku.core.tables import TableError, read_table
from shinchoku.core.upload_limits import LimitExceeded
from shinchoku.core.workbooks import read_workbook
from shinchoku.documents.schema import ImportFormatError
from shinchoku.imports import services as import_services
from shinchoku.imports.models import PendingImport
from shinchoku.imports.reading import parse_bytes
from shinchoku.organizations.models import Municipality
from shinchoku.testing import SEED_000

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def in_english():  # type: ignore[no-untyped-def]
    """The messages are checked in English (Japanese is the default language)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def pdf_of_pages(pages: int, text: str = "page") -> bytes:
    out = io.BytesIO()
    drawing = canvas.Canvas(out)
    for number in range(pages):
        drawing.drawString(72, 720, f"{text} {number}")
        drawing.showPage()
    drawing.save()
    return out.getvalue()


def workbook_bytes(cells: dict[str, str]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for ref, value in cells.items():
        sheet[ref] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zip_bomb(unpacked_mb: int) -> bytes:
    """An XLSX-looking zip whose one part unpacks to ``unpacked_mb`` megabytes of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(unpacked_mb):
                part.write(chunk)
    return out.getvalue()


# --- bounds, checked before or while reading -----------------------------------------------


def test_a_pdf_of_thousands_of_pages_is_refused_before_its_pages_are_read(settings) -> None:
    data = pdf_of_pages(2000)
    assert len(data) < 1_000_000  # small on the wire (the report saw 0.5 MB)
    with pytest.raises(ImportFormatError, match="2,000 pages; PDFs of up to 300 pages"):
        parse_bytes(data, source="huge.pdf", format="pdf")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(settings) -> None:
    settings.SHINCHOKU_IMPORT_MAX_UNPACKED_MB = 5
    bomb = zip_bomb(20)
    assert len(bomb) < 100_000
    with pytest.raises(ImportFormatError, match=r"unpacks to 20 MB; workbooks up to 5\.0 MB"):
        parse_bytes(bomb, source="bomb.xlsx", format="xlsx")
    with pytest.raises(TableError, match="unpacks to 20 MB"):
        read_table(bomb, source="bomb.xlsx", headers={"名称": "name"}, required=["name"])


@pytest.mark.parametrize("far", ["XFD1", "A1048576", "XFD1048576"])
def test_a_cell_far_outside_the_table_is_named_and_nothing_walks_to_it(far: str) -> None:
    data = workbook_bytes({"A1": "名称", "A2": "企画課", far: "x"})
    with pytest.raises(LimitExceeded, match=f"Sheet!{far} is beyond"):
        read_workbook(data)
    with pytest.raises(TableError, match=f"{far} is beyond"):
        read_table(data, source="master.xlsx", headers={"名称": "name"}, required=["name"])


def test_a_workbook_within_bounds_reads_its_cells_only() -> None:
    data = workbook_bytes({"A1": "名称", "B3": "企画課", "CV20000": "last"})
    sheet = read_workbook(data).first
    assert sheet.values == {(1, 1): "名称", (3, 2): "企画課", (20000, 100): "last"}
    table = read_table(data, source="master.xlsx", headers={"名称": "name"}, required=["name"])
    assert [row.line for row in table.rows] == [3, 20000]


def test_a_text_beyond_the_bound_is_refused_with_the_bound(settings) -> None:
    settings.SHINCHOKU_IMPORT_MAX_TEXT_MB = 1
    with pytest.raises(ImportFormatError, match=r"The text is 1\.4 MB; text files up to 1\.0 MB"):
        parse_bytes("あ".encode() * 500_000, source="big.txt")
    many_lines = b"x\n" * 60_000
    with pytest.raises(ImportFormatError, match="60,001 lines; up to 50,000 lines"):
        parse_bytes(many_lines, source="lines.txt")


def test_a_csv_of_too_many_rows_is_refused_with_the_line(settings) -> None:
    settings.SHINCHOKU_IMPORT_MAX_ROWS = 100
    data = "名称\n".encode() + "企画課\n".encode() * 150
    with pytest.raises(TableError, match="more than 100 rows"):
        read_table(data, source="master.csv", headers={"名称": "name"}, required=["name"])


# --- the worker process ------------------------------------------------------------------


def test_the_worker_stops_a_parse_that_needs_more_cpu_than_allowed(settings) -> None:
    from shinchoku.imports.worker import parse_in_worker

    settings.SHINCHOKU_IMPORT_CPU_SECONDS = 2
    settings.SHINCHOKU_IMPORT_MAX_PAGES = 5000
    read = parse_in_worker(pdf_of_pages(1200, "ページ" * 30), source="slow.pdf")
    assert read.document is None
    assert "more than 2 seconds of computing time" in read.error["reason"]


def test_the_worker_stops_a_parse_that_needs_more_memory_than_allowed(settings) -> None:
    from shinchoku.imports.worker import parse_in_worker

    settings.SHINCHOKU_IMPORT_MEMORY_MB = 60
    read = parse_in_worker(b"anything", source="x.txt")
    assert read.document is None
    assert "more than 60 MB of memory" in read.error["reason"]


def test_the_worker_reads_a_document_as_the_reader_does(seeds_dir: Path) -> None:
    from shinchoku.documents.schema import document_from_json
    from shinchoku.imports.worker import parse_in_worker

    data = (seeds_dir / SEED_000).read_bytes()
    read = parse_in_worker(data, source=SEED_000)
    assert read.error is None
    assert document_from_json(read.document) == parse_bytes(data, source=SEED_000)


# --- through the web ---------------------------------------------------------------------


def upload(client: Client, name: str, data: bytes, **extra):  # type: ignore[no-untyped-def]
    return client.post("/m/midori/imports/", {"file": SimpleUploadedFile(name, data)}, **extra)


def test_an_upload_is_read_once_however_often_its_preview_is_seen(
    client: Client, planner, municipality: Municipality, seeds_dir: Path, monkeypatch
) -> None:
    calls = []
    real = import_services.parse_in_worker

    def counting(data: bytes, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(data))
        return real(data, **kwargs)

    monkeypatch.setattr(import_services, "parse_in_worker", counting)
    client.force_login(planner)
    response = upload(client, SEED_000, (seeds_dir / SEED_000).read_bytes())
    assert response.status_code == 302
    for _ in range(3):
        assert client.get(response["Location"]).status_code == 200
    assert len(calls) == 1
    pending = PendingImport.objects.get()
    assert pending.document["kind"] == "goal_declaration" and pending.read_seconds > 0


def test_an_oversized_body_is_refused_before_it_is_read(client: Client, planner, settings) -> None:
    settings.SHINCHOKU_UPLOAD_MAX_MB = 1
    client.force_login(planner)
    # The test client's payload refuses to be read past its real length: had the body
    # been read, this request would fail instead of being answered 413.
    response = upload(client, "big.txt", b"x" * 100, CONTENT_LENGTH=str(50 * 1024 * 1024), **ENGLISH)
    assert response.status_code == 413
    assert "Files up to 1 MB are accepted" in response.content.decode()
    assert PendingImport.objects.count() == 0


def test_an_upload_larger_than_the_limit_is_refused_by_the_form(client: Client, planner, settings) -> None:
    settings.SHINCHOKU_UPLOAD_MAX_MB = 1
    client.force_login(planner)
    response = upload(client, "big.txt", b"x" * (1024 * 1024 + 10), **ENGLISH)
    assert response.status_code == 200
    assert "files up to 1.0 MB are accepted" in response.content.decode()
    assert PendingImport.objects.count() == 0


def test_unconfirmed_uploads_have_a_quota(client: Client, planner, settings) -> None:
    settings.SHINCHOKU_UPLOAD_QUOTA_MB = 1
    client.force_login(planner)
    first = upload(client, "a.txt", b"x" * 700_000, **ENGLISH)
    assert first.status_code == 302
    second = upload(client, "b.txt", b"x" * 700_000, **ENGLISH)
    assert second.status_code == 200
    assert "already hold 0.7 MB (at most 1.0 MB)" in second.content.decode()
    assert PendingImport.objects.count() == 1


def test_purge_removes_old_files_and_keeps_what_was_read(
    client: Client, planner, municipality: Municipality, seeds_dir: Path, settings
) -> None:
    client.force_login(planner)
    response = upload(client, SEED_000, (seeds_dir / SEED_000).read_bytes())
    fresh = upload(client, "fresh.txt", (seeds_dir / SEED_000).read_bytes())
    old = PendingImport.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    PendingImport.objects.filter(pk=old.pk).update(uploaded_at=timezone.now() - timezone.timedelta(days=91))
    out = io.StringIO()
    call_command("purge_uploads", stdout=out)
    assert "1 uploaded file(s) older than 90 days removed" in out.getvalue()
    old.refresh_from_db()
    assert bytes(old.data) == b"" and old.purged_at is not None
    assert old.document is not None and old.size > 0
    assert bytes(PendingImport.objects.exclude(pk=old.pk).get().data) != b""
    # What was read stays: the preview still shows it.
    assert "目標" in client.get(response["Location"]).content.decode()
    assert fresh.status_code == 302

"""Hostile text in published data and in search queries: downloads stay data, search never fails."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from shinchoku.core.audit import Actor
from shinchoku.goals.services import goal_create, goal_declaration_create
from shinchoku.organizations.models import Municipality, Section
from shinchoku.publishing.models import Publication
from shinchoku.publishing.services import goal_declaration_publish
from shinchoku.reports.opendata import csv_cell

FORMULA = '=HYPERLINK("http://example.invalid/","クリック")'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+81 3", "'+81 3"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("-12", "-12"),  # a negative number stays a number
        ("+3.5", "+3.5"),
        ("市民=主役", "市民=主役"),
        ("a\x0bb\x1bc", "abc"),
        (42, 42),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(value: object, written: object) -> None:
    assert csv_cell(value) == written


@pytest.fixture
def hostile(municipality: Municipality, section: Section, actor: Actor) -> Publication:
    assert section.department is not None
    declaration = goal_declaration_create(
        municipality=municipality, department=section.department, fiscal_year=2025, actor=actor
    )
    goal_create(
        declaration=declaration,
        title=FORMULA,
        sections=[section],
        content="本文\x0bに制御文字\x1bが入った",
        actor=actor,
    )
    return goal_declaration_publish(declaration=declaration, actor=actor)


def test_a_published_xlsx_holds_text_never_formulas_and_survives_control_characters(
    client: Client, hostile: Publication
) -> None:
    response = client.get(f"/p/midori/reports/{hostile.pk}/download.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = [c.value for c in cells if isinstance(c.value, str)]
    assert FORMULA in values  # as typed, but as text
    assert "本文に制御文字が入った" in values


def test_a_published_csv_neutralises_formulas(client: Client, hostile: Publication) -> None:
    response = client.get(f"/p/midori/reports/{hostile.pk}/download.csv", {"table": "goals"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "'" + FORMULA in rows[1]
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "@"))]


def test_the_report_page_and_pdf_survive_control_characters(client: Client, hostile: Publication) -> None:
    assert client.get(f"/p/midori/reports/{hostile.pk}/").status_code == 200
    assert client.get(f"/p/midori/reports/{hostile.pk}/download.pdf").status_code == 200
    assert client.get(f"/p/midori/reports/{hostile.pk}/download.json").status_code == 200


# --- search input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"q": "a\x00b"},
        {"q": "市\x00民"},
        {"q": '"'},
        {"q": '" OR 1=1 --'},
        {"q": "NEAR(a b)"},
        {"q": "x" * 10_000},
        {"q": "市民", "year": "²"},
        {"q": "市民", "year": "١٢٣٤"},
        {"q": "市民", "year": "-1"},
        {"q": "市民", "department": "\x00"},
        {"q": "市民", "grade": "|"},
    ],
)
def test_search_answers_any_query(client: Client, hostile: Publication, params: dict[str, str]) -> None:
    assert client.get("/p/midori/search/", params).status_code == 200


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    q=st.text(max_size=40),
    year=st.text(max_size=6),
    department=st.text(max_size=10),
    section=st.text(max_size=10),
    grade=st.text(max_size=6),
)
def test_search_never_fails_whatever_the_query(
    client: Client, hostile: Publication, q: str, year: str, department: str, section: str, grade: str
) -> None:
    params = {"q": q, "year": year, "department": department, "section": section, "grade": grade}
    assert client.get("/p/midori/search/", params).status_code == 200


# --- control characters are refused where they come in ----------------------------------------


def test_a_form_refuses_a_control_character_and_names_the_field() -> None:
    from shinchoku.workflow.forms import EntryForm

    form = EntryForm({"text": "実績\x0bの本文", "version": "1"})
    assert not form.is_valid()
    assert "text" in form.errors and "U+000B" in str(form.errors["text"])
    assert EntryForm({"text": "実績\nの本文\tです", "version": "1"}).is_valid()


def test_an_imported_text_with_a_control_character_is_refused_with_its_line() -> None:
    from shinchoku.documents.schema import ImportFormatError
    from shinchoku.imports.reading import decode_text

    with pytest.raises(ImportFormatError) as refused:
        decode_text("一行目\n二行目\n三\x1b行目\n".encode(), source="x.txt")
    assert refused.value.line == 3 and "U+001B" in str(refused.value)
    # A form feed (a PDF page break) is a line break, not an error.
    assert decode_text("一\f二".encode(), source="x.txt") == "一\n二"


def test_an_imported_xlsx_cell_with_a_control_character_is_refused_with_its_cell() -> None:
    from shinchoku.core.workbooks import SheetValues, WorkbookValues
    from shinchoku.documents.schema import ImportFormatError
    from shinchoku.imports.parsers.xlsx import _Sheet

    # Excel stores it escaped (_x001B_) and readers give the character back: as read, here.
    sheet = SheetValues(
        name="取組", values={(1, 1): "取組名", (2, 1): "窓口\x1bのデジタル化"}, max_row=2, max_column=1
    )
    workbook = WorkbookValues(sheetnames=["取組"], sheets={"取組": sheet})
    with pytest.raises(ImportFormatError) as refused:
        _Sheet(workbook, "取組", 1, (("title", "取組名"),), "x.xlsx").text(2, "title")
    assert "U+001B" in str(refused.value) and refused.value.cell == "取組!A2"


def test_a_workbook_with_broken_xml_is_a_clear_error(seeds_dir) -> None:  # type: ignore[no-untyped-def]
    import zipfile

    from shinchoku.documents.schema import ImportFormatError
    from shinchoku.imports.reading import parse_bytes
    from shinchoku.reports.opendata import Publisher
    from shinchoku.reports.rendering import render
    from shinchoku.testing import SEED_000, goal_document

    document = goal_document(seeds_dir / SEED_000)
    good = render(document, "xlsx", publisher=Publisher(code="992011", name="みどり市")).content
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(b"</t>", b"\x1b</t>", 1)
            target.writestr(item, data)
    with pytest.raises(ImportFormatError):
        parse_bytes(broken.getvalue(), source="broken.xlsx")

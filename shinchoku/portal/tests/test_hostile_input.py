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

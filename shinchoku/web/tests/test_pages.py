import pytest
from django.test import Client

from shinchoku.core.audit import Actor
from shinchoku.organizations.models import Department, Municipality, Section
from shinchoku.organizations.services import department_create, fiscal_year_ensure, section_create


def test_home_lists_municipalities(
    client: Client, municipality: Municipality, other_municipality: Municipality
) -> None:
    page = client.get("/").content.decode()
    assert "みどり市" in page and "そら町" in page
    assert 'lang="ja"' in page


def test_municipality_page_lists_years_departments_and_sections(
    client: Client, municipality: Municipality, section: Section, actor: Actor
) -> None:
    fiscal_year_ensure(municipality=municipality, year=2019, actor=actor)
    fiscal_year_ensure(municipality=municipality, year=2016, actor=actor)
    page = client.get("/m/midori/").content.decode()
    assert "令和元年度" in page and "平成28年度" in page
    assert page.index("令和元年度") < page.index("平成28年度")  # newest first
    assert "企画部" in page and "企画政策課" in page


def test_municipality_page_shows_only_its_own_organisation(
    client: Client,
    municipality: Municipality,
    other_municipality: Municipality,
    section: Section,
    actor: Actor,
) -> None:
    department_create(municipality=other_municipality, name="そら町総務部", actor=actor)
    page = client.get("/m/midori/").content.decode()
    assert "そら町総務部" not in page


def test_unknown_municipality_is_404(client: Client, db: None) -> None:
    assert client.get("/m/nowhere/").status_code == 404


def test_english_is_available(client: Client, municipality: Municipality) -> None:
    page = client.get("/m/midori/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Fiscal years" in page
    page = client.get("/m/midori/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "年度" in page


@pytest.mark.parametrize("size", [3, 30])
def test_municipality_page_query_count_does_not_grow(
    client: Client, municipality: Municipality, actor: Actor, django_assert_max_num_queries, size: int
) -> None:
    for d in range(size):
        department: Department = department_create(municipality=municipality, name=f"第{d}部", actor=actor)
        for s in range(3):
            section_create(
                municipality=municipality, department=department, name=f"第{d}部{s}課", actor=actor
            )
        fiscal_year_ensure(municipality=municipality, year=2000 + d, actor=actor)
    with django_assert_max_num_queries(6):
        assert client.get("/m/midori/").status_code == 200


def test_login_requires_csrf(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post("/login/", {"username": "x", "password": "y"}).status_code == 403


def test_import_link_only_for_the_planning_section(
    client: Client,
    municipality: Municipality,
    planner,
    staff,
    outsider,  # type: ignore[no-untyped-def]
) -> None:
    assert "/m/midori/imports/" not in client.get("/m/midori/").content.decode()
    for user, visible in ((planner, True), (staff, False), (outsider, False)):
        client.force_login(user)
        assert ("/m/midori/imports/" in client.get("/m/midori/").content.decode()) is visible


def test_sections_show_their_years_and_those_without_department(
    client: Client, municipality: Municipality, department: Department, actor: Actor
) -> None:
    section_create(
        municipality=municipality, department=department, name="広報広聴課", valid_to=2017, actor=actor
    )
    section_create(municipality=municipality, name="市民協働課", actor=actor)
    page = client.get("/m/midori/").content.decode()
    assert '広報広聴課<span class="muted">（〜平成29年度）</span>' in page
    assert "市民協働課" in page and "部に未所属" in page


def test_sections_are_joined_without_a_blank_and_periods_do_not_break(
    client: Client, municipality: Municipality, department: Department, actor: Actor
) -> None:
    for name in ("経営企画課", "財政課"):
        section_create(municipality=municipality, department=department, name=name, actor=actor)
    page = client.get("/m/midori/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "経営企画課、財政課" in page
    assert " 、" not in page and "\n、" not in page
    assert '<th scope="col" class="nowrap">有効期間</th>' in page
